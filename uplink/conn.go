package uplink

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/url"
	"sync"
	"time"

	"github.com/eclipse/paho.golang/autopaho"
)

// watchedConn is the connection to the broker. paho writes each packet
// between Lock and Unlock (it takes any sync.Locker conn for thread
// safety); watchedConn also tells, on Unlock, that a whole PUBLISH went
// out. The sender waits for that before it starts the next publish, so
// publishes are on the wire in file order even with many unacknowledged
// (README, "MQTT uplink and Home Assistant": in order per source),
// which a plain concurrent Publish does not promise.
//
// Writes are coalesced: Write appends the packet to a buffer and a
// flusher goroutine sends what has gathered in one system call, so a
// backfill sends many PUBLISHes per write(2) instead of one each (in
// order: the buffer is the wire's queue). A write error fails the next
// Write and closes the connection, which paho sees as a lost
// connection; Close sends what is buffered first (within a second).
type watchedConn struct {
	net.Conn
	mu      sync.Mutex
	first   bool // the next Write starts a packet
	publish bool // the packet being written is a PUBLISH
	wrote   chan<- struct{}

	out     *outbox
	closing sync.Once
}

func newWatchedConn(conn net.Conn, wrote chan<- struct{}) *watchedConn {
	c := &watchedConn{Conn: conn, wrote: wrote, out: newOutbox(conn)}
	go c.out.flush()
	return c
}

func (c *watchedConn) Lock() { c.mu.Lock(); c.first, c.publish = true, false }

func (c *watchedConn) Unlock() {
	p := c.publish
	c.mu.Unlock()
	if p {
		select {
		case c.wrote <- struct{}{}:
		default: // nobody waits for this one (a resend after reconnect)
		}
	}
}

func (c *watchedConn) Write(b []byte) (int, error) {
	if c.first && len(b) > 0 {
		c.first, c.publish = false, b[0]>>4 == 3
	}
	return c.out.add(b)
}

func (c *watchedConn) Close() error {
	c.closing.Do(func() {
		_ = c.Conn.SetWriteDeadline(time.Now().Add(time.Second))
		c.out.drain()
	})
	return c.Conn.Close()
}

// outbox is the bytes written and not yet sent, and the goroutine that
// sends them.
type outbox struct {
	w    io.Writer
	mu   sync.Mutex
	buf  []byte // gathered, not sent
	err  error  // the first failed write: the connection is done
	done bool   // closing: no more writes
	kick chan struct{}
	gone chan struct{} // the flusher returned
}

func newOutbox(w io.Writer) *outbox {
	return &outbox{w: w, kick: make(chan struct{}, 1), gone: make(chan struct{})}
}

func (o *outbox) add(b []byte) (int, error) {
	o.mu.Lock()
	if o.err != nil || o.done {
		err := o.err
		o.mu.Unlock()
		if err == nil {
			err = net.ErrClosed
		}
		return 0, err
	}
	o.buf = append(o.buf, b...)
	o.mu.Unlock()
	select {
	case o.kick <- struct{}{}:
	default: // the flusher is kicked already and will take these too
	}
	return len(b), nil
}

// flush sends what gathers until drain, swapping two buffers so that
// writers append to one while the other is on its way out.
func (o *outbox) flush() {
	defer close(o.gone)
	var spare []byte
	for range o.kick {
		for {
			o.mu.Lock()
			b := o.buf
			o.buf, spare = spare[:0], nil
			last := o.done
			o.mu.Unlock()
			if len(b) == 0 {
				if last {
					return
				}
				break
			}
			if _, err := o.w.Write(b); err != nil {
				o.mu.Lock()
				o.err = err
				o.mu.Unlock()
				if c, ok := o.w.(io.Closer); ok {
					_ = c.Close() // paho's reader sees it and reconnects
				}
				return
			}
			spare = b
		}
	}
}

// drain sends what is gathered and stops the flusher.
func (o *outbox) drain() {
	o.mu.Lock()
	o.done = true
	o.mu.Unlock()
	select {
	case o.kick <- struct{}{}:
	default:
	}
	<-o.gone
}

// attempt dials the broker (TCP, or TLS for mqtts) and wraps the
// connection.
func (l *link) attempt(ctx context.Context, cfg autopaho.ClientConfig, u *url.URL) (net.Conn, error) {
	var d net.Dialer
	var conn net.Conn
	var err error
	if u.Scheme == "mqtts" {
		td := tls.Dialer{NetDialer: &d, Config: cfg.TlsCfg}
		conn, err = td.DialContext(ctx, "tcp", u.Host)
	} else {
		conn, err = d.DialContext(ctx, "tcp", u.Host)
	}
	if err != nil {
		return nil, err
	}
	return newWatchedConn(conn, l.wrote), nil
}
