package uplink

import (
	"context"
	"encoding/json"
	"time"

	"sensord/control"
	"sensord/metrics"
)

// healthLoop publishes <prefix>/health every HealthInterval while
// connected, and writes the Prometheus textfile (if set) whether
// connected or not.
func (u *uplink) healthLoop(ctx context.Context) {
	t := time.NewTicker(u.c.HealthInterval)
	defer t.Stop()
	var told chan struct{} // the session health was last published on
	for {
		st, _ := daemonStatus(ctx, u.c.Control)
		if st != nil {
			u.model.Store(st.Model)
		}
		u.textfile(st)
		u.writeStatus()
		ready, up, _ := u.l.current()
		if up {
			b, _ := json.Marshal(healthOf(st, u.figures()))
			c, cancel := context.WithTimeout(ctx, 10*time.Second)
			if u.l.publishOnce(c, u.t.health(), b, true) == nil {
				told = ready
			}
			cancel()
		}
		wake := ready // a new session gets health at once
		if ready == told {
			wake = nil
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-wake:
		}
	}
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
