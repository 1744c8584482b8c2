package uplink

import (
	"context"
	"crypto/tls"
	"net"
	"net/url"
	"sync"

	"github.com/eclipse/paho.golang/autopaho"
)

// watchedConn is the connection to the broker. paho writes each packet
// between Lock and Unlock (it takes any sync.Locker conn for thread
// safety); watchedConn also tells, on Unlock, that a whole PUBLISH went
// out. The sender waits for that before it starts the next publish, so
// publishes are on the wire in file order even with many unacknowledged
// (DESIGN: in order per source), which a plain concurrent Publish does
// not promise.
type watchedConn struct {
	net.Conn
	mu      sync.Mutex
	first   bool // the next Write starts a packet
	publish bool // the packet being written is a PUBLISH
	wrote   chan<- struct{}
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
	return c.Conn.Write(b)
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
	return &watchedConn{Conn: conn, wrote: l.wrote}, nil
}
