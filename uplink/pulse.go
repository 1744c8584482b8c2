package uplink

import (
	"time"

	"github.com/jonboulle/clockwork"

	"sensord/sdnotify"
	"sensord/wake"
)

// pulse is the send loop's watchdog: every wait of the loop (for an
// acknowledgement, a new line, a session) also waits on due, and goes
// on waiting after a ping. The ping comes from the loop itself, so a
// loop stuck anywhere else stops pinging and the daemon restarts it.
type pulse struct {
	wd    *sdnotify.Watchdog
	timer *wake.Timer
	clock clockwork.Clock
}

func newPulse(clock clockwork.Clock) *pulse {
	return &pulse{wd: sdnotify.NewWatchdog(clock.Now()), timer: wake.New(clock), clock: clock}
}

// due pings if a ping is due and returns the channel of the next one
// (nil, never ready, without a watchdog or for a nil pulse: a wait
// outside the loop).
func (p *pulse) due() <-chan time.Time {
	if p == nil {
		return nil
	}
	return p.timer.At(p.wd.Ping(p.clock.Now(), time.Time{}))
}

func (p *pulse) stop() { p.timer.Stop() }

// await waits for ch, pinging meanwhile.
func await[T any](p *pulse, ch <-chan T) T {
	for {
		select {
		case v := <-ch:
			return v
		case <-p.due():
		}
	}
}

// pause waits d or until done is closed, pinging meanwhile.
func (p *pulse) pause(done <-chan struct{}, d time.Duration) {
	t := p.clock.NewTimer(d)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.Chan():
			return
		case <-p.due():
		}
	}
}
