package uplink

import (
	"context"
	"encoding/json"
	"time"

	"sensord/control"
	"sensord/metrics"
)

// healthLoop publishes <prefix>/health while connected, and writes the
// Prometheus textfile (if set) whether connected or not: at once when
// the daemon's status changes (a child died, restarted, became ready:
// its control-socket subscription says so), on a new session, and
// every HealthInterval for the figures that change without an event
// (pipe fill, backlog, acknowledgement age). Changes are published at
// most once per healthDebounce, so a crash loop is not a flood.
func (u *uplink) healthLoop(ctx context.Context) {
	t := time.NewTicker(u.c.HealthInterval)
	defer t.Stop()
	changed := make(chan struct{}, 1)
	if u.c.Control != "" {
		go control.Client{Path: u.c.Control}.Subscribe(ctx, nil, func(*control.Status, error) {
			select {
			case changed <- struct{}{}:
			default:
			}
		})
	}
	var told chan struct{} // the session health was last published on
	for {
		told = u.publishHealth(ctx, told)
		ready, _, _ := u.l.current()
		wake := ready // a new session gets health at once
		if ready == told {
			wake = nil
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-wake:
		case <-changed:
			select { // gather a burst of changes into one publish
			case <-ctx.Done():
				return
			case <-time.After(healthDebounce):
			}
		}
	}
}

// healthDebounce is the shortest time between two health publishes
// caused by status changes.
const healthDebounce = time.Second

// publishHealth publishes the health once, with a fresh status, and
// returns the session it went out on (told, if it did not).
func (u *uplink) publishHealth(ctx context.Context, told chan struct{}) chan struct{} {
	st, _ := daemonStatus(ctx, u.c.Control)
	if st != nil {
		u.model.Store(st.Model)
	}
	u.textfile(st)
	u.writeStatus()
	ready, up, _ := u.l.current()
	if !up {
		return told
	}
	b, _ := json.Marshal(healthOf(st, u.figures()))
	c, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if u.l.publishOnce(c, u.t.health(), b, true) == nil {
		return ready
	}
	return told
}

func (u *uplink) textfile(st *control.Status) {
	if u.c.Textfile == "" {
		return
	}
	f := metrics.Gather(u.c.DataDir, true, Backlog)
	if err := metrics.WriteTextfile(u.c.Textfile, metrics.Registry(st, f, time.Now())); err != nil {
		u.log.Warn(err.Error())
	}
}

// figures are the uplink's own numbers.
func (u *uplink) figures() uplinkHealth {
	u.mu.Lock()
	p := u.pos
	u.mu.Unlock()
	_, up, why := u.l.current()
	h := uplinkHealth{Connected: up, Error: why, Sent: u.sent.Load(), GapFiles: int(u.gapFiles.Load()), LastAckAgeS: -1}
	h.BacklogBytes = sizeAfter(u.c.DataDir, p)
	if n := u.sent.Load(); n > 0 {
		h.BacklogRecords = h.BacklogBytes * int64(n) / int64(u.sentLen.Load())
	}
	if a := u.lastAck.Load(); a != 0 {
		h.LastAckAgeS = time.Since(time.Unix(0, a)).Seconds()
	}
	return h
}
