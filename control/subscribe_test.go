package control

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
)

// update is one call of Subscribe's fn.
type update struct {
	pid int
	err error
}

// subscribeTo runs Subscribe on c until the test ends and returns its
// calls.
func subscribeTo(t *testing.T, c Client, clk clockwork.Clock) <-chan update {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan update, 16)
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.Subscribe(ctx, clk, func(s *Status, err error) {
			u := update{err: err}
			if s != nil {
				u.pid = s.PID
			}
			ch <- u
		})
	}()
	t.Cleanup(func() { cancel(); <-done })
	return ch
}

func next(t *testing.T, ch <-chan update) update {
	t.Helper()
	select {
	case u := <-ch:
		return u
	case <-time.After(10 * time.Second):
		t.Fatal("no call of fn")
	}
	return update{}
}

// fakeDaemon accepts connections on a socket in a temporary directory
// and hands each, with its first request line, to conns.
func fakeDaemon(t *testing.T) (Client, <-chan net.Conn, <-chan string) {
	t.Helper()
	path := SocketPath(t.TempDir())
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	conns, reqs := make(chan net.Conn, 16), make(chan string, 16)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			line, _ := bufio.NewReader(c).ReadString('\n')
			reqs <- strings.TrimSpace(line)
			conns <- c
		}
	}()
	return Client{Path: path}, conns, reqs
}

func status(c net.Conn, pid int) { fmt.Fprintf(c, `{"pid":%d,"children":[],"pipes":[]}`+"\n", pid) }

// TestSubscribe: the request line, the status at once and at each
// change on one connection, a dropped connection reported and
// reconnected after SubscribeRetry.
func TestSubscribe(t *testing.T) {
	c, conns, reqs := fakeDaemon(t)
	clk := clockwork.NewFakeClock()
	ch := subscribeTo(t, c, clk)
	if r := <-reqs; r != `{"cmd":"subscribe"}` {
		t.Fatalf("request %s", r)
	}
	conn := <-conns
	for _, pid := range []int{1, 2, 3} {
		status(conn, pid)
		if u := next(t, ch); u.pid != pid || u.err != nil {
			t.Fatalf("update %+v; want pid %d", u, pid)
		}
	}
	conn.Close()
	if u := next(t, ch); u.err == nil || !strings.Contains(u.err.Error(), "ended") {
		t.Fatalf("after the drop: %+v; want an error", u)
	}
	clk.BlockUntil(1)
	clk.Advance(SubscribeRetry)
	if r := <-reqs; r != `{"cmd":"subscribe"}` {
		t.Fatalf("request after the drop %s", r)
	}
	status(<-conns, 4)
	if u := next(t, ch); u.pid != 4 {
		t.Fatalf("update %+v after reconnecting; want pid 4", u)
	}
}

// TestSubscribeNoDaemon: no daemon yet is reported and retried.
func TestSubscribeNoDaemon(t *testing.T) {
	clk := clockwork.NewFakeClock()
	ch := subscribeTo(t, Client{Path: SocketPath(t.TempDir())}, clk)
	for range 2 {
		if u := next(t, ch); u.err == nil || !strings.Contains(u.err.Error(), "cannot reach") {
			t.Fatalf("%+v; want cannot reach", u)
		}
		clk.BlockUntil(1)
		clk.Advance(SubscribeRetry)
	}
}

// TestSubscribeOldDaemon: a daemon that answers subscribe with an error
// is polled with {"cmd":"status"} every FallbackPoll.
func TestSubscribeOldDaemon(t *testing.T) {
	c, conns, reqs := fakeDaemon(t)
	clk := clockwork.NewFakeClock()
	ch := subscribeTo(t, c, clk)
	<-reqs
	fmt.Fprintln(<-conns, `{"error":"unknown command \"subscribe\""}`)
	for pid := range 3 {
		if r := <-reqs; r != `{"cmd":"status"}` {
			t.Fatalf("request %s; want a status poll", r)
		}
		status(<-conns, pid+10)
		if u := next(t, ch); u.pid != pid+10 || u.err != nil {
			t.Fatalf("poll %d: %+v", pid, u)
		}
		clk.BlockUntil(1)
		clk.Advance(FallbackPoll)
	}
}
