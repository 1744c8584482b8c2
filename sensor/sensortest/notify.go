package sensortest

import (
	"net"
	"path/filepath"
	"sensord/ipc/ipctest"
	"testing"
	"time"
)

// Notify is a fake daemon notify socket (sd_notify): NewNotify sets
// $NOTIFY_SOCKET to it for the rest of the test, so it cannot be used
// with t.Parallel, and collects every datagram sent to it.
type Notify struct {
	C <-chan string // the datagrams, in order
	t testing.TB
}

// NewNotify listens on a datagram socket in a temporary directory and
// points $NOTIFY_SOCKET at it.
func NewNotify(t testing.TB) *Notify {
	t.Helper()
	addr := filepath.Join(t.TempDir(), "notify.sock")
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: addr, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	t.Setenv("NOTIFY_SOCKET", addr)
	ch := make(chan string, 1024)
	go func() {
		defer close(ch)
		buf := make([]byte, 4096)
		for {
			n, err := c.Read(buf)
			if err != nil {
				return
			}
			ch <- string(buf[:n])
		}
	}()
	return &Notify{C: ch, t: t}
}

// Next returns the next datagram, failing the test if none comes in
// the Wait of package ipctest.
func (n *Notify) Next() string {
	n.t.Helper()
	select {
	case s := <-n.C:
		return s
	case <-time.After(ipctest.Wait):
		n.t.Fatal("no datagram on the notify socket")
	}
	return ""
}

// None fails the test if a datagram comes within d.
func (n *Notify) None(d time.Duration) {
	n.t.Helper()
	select {
	case s := <-n.C:
		n.t.Errorf("unexpected datagram %q on the notify socket", s)
	case <-time.After(d):
	}
}
