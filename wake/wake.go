package wake

import (
	"time"

	"github.com/jonboulle/clockwork"
)

// Timer is one loop's timer. The zero value is not usable: use New.
type Timer struct {
	clock clockwork.Clock
	t     clockwork.Timer // nil until first armed
	at    time.Time       // when t was last set to fire
	armed bool            // set, not stopped since
}

// New returns a Timer on clock, not armed.
func New(clock clockwork.Clock) *Timer { return &Timer{clock: clock} }

// At arms the timer for at and returns the channel to wait on; a zero
// at stops it and returns nil, which a select never takes. An at that
// has passed fires at once.
func (w *Timer) At(at time.Time) <-chan time.Time {
	if at.IsZero() {
		w.Stop()
		return nil
	}
	now := w.clock.Now()
	switch {
	case w.t == nil:
		w.t = w.clock.NewTimer(at.Sub(now))
	case w.armed && at.Equal(w.at) && at.After(now):
		// Set for that already.
	case !at.After(w.at) || !w.at.After(now):
		// Earlier, or the old deadline has come: the runtime puts the
		// timer in its place at once.
		w.t.Reset(at.Sub(now))
	default:
		// Later than a deadline still to come: a new timer, so that no
		// thread wakes at the old one (see the package doc).
		w.t.Stop()
		w.t = w.clock.NewTimer(at.Sub(now))
	}
	w.at, w.armed = at, true
	return w.t.Chan()
}

// Stop disarms the timer: nothing is sent until it is armed again.
func (w *Timer) Stop() {
	if w.t != nil {
		w.t.Stop()
	}
	w.armed = false
}
