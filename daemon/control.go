package daemon

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/user"
	"sensord/control"
	"strconv"
	"time"
)

// maxRequest bounds one control request line.
const maxRequest = 4096

// request is one control request, as read from the socket, with the
// channel its reply goes back on.
type request struct {
	control.Request
	reply chan any
}

// handle answers one control request in the loop goroutine.
func (s *supervisor) handle(req request, n notifier) any {
	switch req.Cmd {
	case "status":
		return s.status()
	case "restart":
		c, ok := s.children[req.Name]
		if !ok {
			return control.Error{Error: fmt.Sprintf("no child %q; children are gui, motion, light, logger", req.Name)}
		}
		if !c.wanted {
			return control.Error{Error: "the daemon is stopping"}
		}
		s.log.Info("restart requested", "child", c.name)
		s.restart(c)
		return control.OK{OK: true, Message: "restarting " + c.name}
	case "subscribe":
		sub := subscriber{ch: make(chan control.Status, 1), gone: make(chan struct{})}
		s.subs = append(s.subs, sub)
		return subscription{first: s.status(), sub: sub}
	case "stop":
		s.log.Info("stop requested", "by", "control socket")
		s.beginStop(n)
		return control.OK{OK: true, Message: "stopping"}
	}
	return control.Error{Error: fmt.Sprintf("unknown command %q; commands are status, subscribe, restart, stop", req.Cmd)}
}

// subscriber is a connection that asked for {"cmd":"subscribe"}: it
// gets the status at once and again each time it changes (a child
// started, died, became ready, changed state; a reload), never a queue of
// stale ones: ch holds the newest only. The loop owns the list; the
// connection closes gone when it ends.
type subscriber struct {
	ch   chan control.Status
	gone chan struct{}
}

// subscription is the loop's reply to a subscribe request.
type subscription struct {
	first control.Status
	sub   subscriber
}

// publish hands the current status to every subscriber still there.
func (s *supervisor) publish() {
	if len(s.subs) == 0 {
		return
	}
	st := s.status()
	live := s.subs[:0]
	for _, sub := range s.subs {
		select {
		case <-sub.gone:
			continue
		default:
		}
		select {
		case <-sub.ch: // drop the stale one
		default:
		}
		sub.ch <- st
		live = append(live, sub)
	}
	s.subs = live
}

// controlServer serves the Unix socket. Each connection is read on its own
// goroutine; requests go to the loop over ctl.
type controlServer struct {
	ln   *net.UnixListener
	path string
	ctl  chan request
	wake func() // the loop's wait point
	log  *slog.Logger
}

// listenControl creates the socket at path: mode 0600 owned by uid (the
// children's user, so the GUI can connect; root always can), or 0660
// with group when one is configured. A stale socket is replaced; a live
// one means another daemon is running.
func listenControl(path string, uid int, group string, log *slog.Logger) (*controlServer, error) {
	if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
		c.Close()
		return nil, fmt.Errorf("daemon: another sensord is running (it answers on %s); stop it first or use --runtime-dir", path)
	}
	_ = os.Remove(path)
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("daemon: control socket: %w", err)
	}
	ln.SetUnlinkOnClose(true)
	if err := socketPerms(path, uid, group); err != nil {
		ln.Close()
		return nil, err
	}
	return &controlServer{ln: ln, path: path, ctl: make(chan request, 16), wake: func() {}, log: log}, nil
}

func socketPerms(path string, uid int, group string) error {
	mode, gid := os.FileMode(0o600), -1
	if group != "" {
		g, err := user.LookupGroup(group)
		if err != nil {
			return fmt.Errorf("daemon: supervisor.group %q: %w", group, err)
		}
		gid, _ = strconv.Atoi(g.Gid)
		mode = 0o660
	}
	if err := os.Chmod(path, mode); err != nil {
		return fmt.Errorf("daemon: control socket: %w", err)
	}
	if uid >= 0 || gid >= 0 {
		if err := os.Lchown(path, uid, gid); err != nil {
			return fmt.Errorf("daemon: control socket: %w", err)
		}
	}
	return nil
}

// serve accepts connections until the listener is closed.
func (c *controlServer) serve(done <-chan struct{}) {
	for {
		conn, err := c.ln.AcceptUnix()
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				c.log.Error("control socket accept", "err", err)
			}
			return
		}
		go c.conn(conn, done)
	}
}

// conn answers requests on one connection, one JSON line each. A
// malformed or oversized request gets an error reply and the connection
// is closed.
func (c *controlServer) conn(conn *net.UnixConn, done <-chan struct{}) {
	defer conn.Close()
	sc := bufio.NewScanner(conn)
	sc.Buffer(make([]byte, 512), maxRequest)
	enc := json.NewEncoder(conn)
	for {
		_ = conn.SetReadDeadline(time.Now().Add(time.Minute))
		if !sc.Scan() {
			if errors.Is(sc.Err(), bufio.ErrTooLong) {
				_ = enc.Encode(control.Error{Error: fmt.Sprintf("request longer than %d bytes", maxRequest)})
			}
			return
		}
		var req request
		if err := json.Unmarshal(sc.Bytes(), &req.Request); err != nil {
			_ = enc.Encode(control.Error{Error: "malformed request: " + err.Error() + `; send {"cmd":"status"}`})
			return
		}
		req.reply = make(chan any, 1)
		c.wake() // if the queue is full, the loop drains it
		select {
		case c.ctl <- req:
			c.wake()
		case <-done:
			_ = enc.Encode(control.Error{Error: "the daemon is exiting"})
			return
		}
		var reply any
		select {
		case reply = <-req.reply:
		case <-done:
			return
		}
		if sub, ok := reply.(subscription); ok {
			c.stream(conn, enc, sub, done)
			return
		}
		if enc.Encode(reply) != nil {
			return
		}
	}
}

// stream writes a subscription's statuses until the connection or the
// daemon ends. The client sends nothing more, so a read that ends means
// it has gone (a GUI that died): the connection is closed then, not at
// the next status change, which may be long in coming.
func (c *controlServer) stream(conn *net.UnixConn, enc *json.Encoder, sub subscription, done <-chan struct{}) {
	defer close(sub.sub.gone)
	_ = conn.SetReadDeadline(time.Time{})
	peerGone := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, conn)
		close(peerGone)
	}()
	if enc.Encode(sub.first) != nil {
		return
	}
	for {
		select {
		case st := <-sub.sub.ch:
			if enc.Encode(st) != nil {
				return
			}
		case <-peerGone:
			return
		case <-done:
			return
		}
	}
}

func (c *controlServer) close() { c.ln.Close() }
