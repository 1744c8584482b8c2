package control

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jonboulle/clockwork"
)

// The subscription's delays.
const (
	// SubscribeRetry is the wait before connecting again when the daemon
	// cannot be reached or the subscription's connection drops.
	SubscribeRetry = time.Second
	// FallbackPoll is how often Subscribe polls a daemon that answers
	// the subscribe request with an error (one older than subscriptions).
	FallbackPoll = 2 * time.Second
)

// errOldDaemon marks a daemon that refused {"cmd":"subscribe"}.
var errOldDaemon = errors.New("control: the daemon has no subscribe")

// Subscribe follows the daemon's status until ctx ends, calling fn with
// each status (err nil) or with why there is none now (status nil).
//
// The protocol: on one connection the client writes the line
// {"cmd":"subscribe"}; the daemon answers at once with one status line
// (the reply to {"cmd":"status"}) and then writes one more each time
// the status changes, and never reads again. The first line must come
// within Timeout; later ones may be minutes apart. A daemon that cannot
// be reached, or a connection that drops, is reported to fn and tried
// again after SubscribeRetry. A daemon that answers {"error": ...}
// knows no subscriptions: Subscribe then polls {"cmd":"status"} every
// FallbackPoll instead. fn runs on the caller's goroutine, one call at a
// time; Subscribe blocks.
func (c Client) Subscribe(ctx context.Context, clock clockwork.Clock, fn func(*Status, error)) {
	if clock == nil {
		clock = clockwork.NewRealClock()
	}
	for ctx.Err() == nil {
		err := c.follow(ctx, fn)
		if errors.Is(err, errOldDaemon) {
			c.poll(ctx, clock, fn)
			return
		}
		if ctx.Err() != nil {
			return
		}
		fn(nil, err)
		select {
		case <-clock.After(SubscribeRetry):
		case <-ctx.Done():
		}
	}
}

// follow runs one subscription: it returns when the connection ends.
func (c Client) follow(ctx context.Context, fn func(*Status, error)) error {
	dctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	conn, err := c.dial(dctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	_ = conn.SetDeadline(time.Now().Add(Timeout))
	b, _ := json.Marshal(Request{Cmd: "subscribe"})
	if _, err := conn.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("control: send to %s: %w", c.Path, err)
	}
	rd := bufio.NewReader(conn)
	for first := true; ; first = false {
		line, err := rd.ReadBytes('\n')
		if err != nil {
			return fmt.Errorf("control: subscription to %s ended: %w", c.Path, err)
		}
		if first {
			_ = conn.SetDeadline(time.Time{}) // changes may be far apart
		}
		var s Status
		if err := decodeReply(line, &s); err != nil {
			if first && !errors.Is(err, errBadReply) {
				return errOldDaemon
			}
			return err
		}
		fn(&s, nil)
	}
}

// poll asks for the status at once and then every FallbackPoll.
func (c Client) poll(ctx context.Context, clock clockwork.Clock, fn func(*Status, error)) {
	for {
		s, err := c.Status(ctx)
		if ctx.Err() != nil {
			return
		}
		fn(s, err)
		select {
		case <-clock.After(FallbackPoll):
		case <-ctx.Done():
			return
		}
	}
}
