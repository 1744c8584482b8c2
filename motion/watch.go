package motion

import (
	"context"
	"time"

	"github.com/jonboulle/clockwork"
	"periph.io/x/conn/v3/gpio"
)

// change is a level seen by the watcher and when it saw it. The main
// loop sends on done once it has dealt with the change.
type change struct {
	level bool
	at    time.Time
	done  chan<- struct{}
}

// watch sends the pin's level to out each time it changes, starting
// from last, stamped when it was seen (not when the main loop gets to
// it). It waits with a positive timeout in a loop that checks ctx,
// because periph's drivers disagree on what timeouts of -1 and 0 mean.
// The level is read after every wake-up, edge or not, so a lost edge is
// made good within poll. Halt on the pin ends a wait early (haltUntil).
//
// The watcher waits until the main loop has dealt with a change before
// it waits on the pin again. Edges meanwhile queue in the kernel, so
// nothing is lost, and a test on a fake clock sees the two goroutines
// wait on it only when both are idle (sensortest.Clock).
func watch(ctx context.Context, pin gpio.PinIn, last gpio.Level, poll time.Duration,
	clk clockwork.Clock, out chan<- change) {
	done := make(chan struct{}, 1)
	for ctx.Err() == nil {
		t0 := clk.Now()
		edge := pin.WaitForEdge(poll)
		if !edge && clk.Since(t0) < poll/2 && ctx.Err() == nil {
			// A driver that fails at once (line not set up for edges)
			// returns false immediately: never spin on it.
			select {
			case <-clk.After(min(poll, FailedWaitRetry)):
			case <-ctx.Done():
				return
			}
		}
		l := pin.Read()
		if l == last {
			continue
		}
		select {
		case out <- change{bool(l), clk.Now(), done}:
			last = l
		case <-ctx.Done():
			return
		}
		select {
		case <-done:
		case <-ctx.Done():
			return
		}
	}
}

// haltUntil halts pin until done is closed, for a stop. One Halt ends a
// wait in progress, but one that lands between the watcher's look at
// its context and the start of its next wait is lost, and that wait
// would last a whole Poll: so Halt is repeated every haltRetry.
func haltUntil(pin gpio.PinIn, done <-chan struct{}) {
	t := time.NewTicker(haltRetry)
	defer t.Stop()
	for {
		_ = pin.Halt()
		select {
		case <-done:
			return
		case <-t.C:
		}
	}
}
