package uplink

import (
	"context"
	"encoding/json"
	"time"
)

// healthLoop publishes <prefix>/health every HealthInterval while
// connected.
func (u *uplink) healthLoop(ctx context.Context) {
	t := time.NewTicker(u.c.HealthInterval)
	defer t.Stop()
	for {
		ready, _, _ := u.l.current()
		select {
		case <-ctx.Done():
			return
		case <-ready:
		}
		st, _ := daemonStatus(ctx, u.c.Control)
		if st != nil {
			u.model.Store(st.Model)
		}
		b, _ := json.Marshal(healthOf(st, u.figures()))
		c, cancel := context.WithTimeout(ctx, 10*time.Second)
		_ = u.l.publishOnce(c, u.t.health(), b, true)
		cancel()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
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
