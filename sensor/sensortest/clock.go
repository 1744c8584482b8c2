package sensortest

import (
	"context"
	"sensord/ipc/ipctest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
)

// Clock is a fake clock for a loop with one timer. Its idle count is the
// number of the clock's waiters (timers and sleepers) when the loop and
// its helper goroutines all wait: the loop's own timer plus, say, a
// watcher's.
type Clock struct {
	*clockwork.FakeClock
	idle atomic.Int32
	t    testing.TB
}

// NewClock returns a clock at at for a loop with idle waiters.
func NewClock(t testing.TB, at time.Time, idle int) *Clock {
	c := &Clock{FakeClock: clockwork.NewFakeClockAt(at), t: t}
	c.SetIdle(idle)
	return c
}

// SetIdle changes the idle count, for a loop that gains or loses a
// waiter (a watcher goroutine) on the next step.
func (c *Clock) SetIdle(n int) { c.idle.Store(int32(n)) }

// Until is clockwork's Until, and fails the test if the clock already has
// the idle count of waiters: then the loop computes a deadline with its
// old timer still armed, and Step could move the clock before the timer
// is reset.
func (c *Clock) Until(at time.Time) time.Duration {
	if c.has(int(c.idle.Load())) {
		c.t.Errorf("the loop computes its next deadline with its timer armed; " +
			"stop the timer before handling an event, or a test's Step can land " +
			"between Until and Reset and the timer fires late")
	}
	return c.FakeClock.Until(at)
}

// has reports whether the clock has at least n waiters now.
func (c *Clock) has(n int) bool {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return c.BlockUntilContext(ctx, n) == nil
}

// Step waits until the loop is idle, then moves the clock by d.
func (c *Clock) Step(d time.Duration) {
	c.t.Helper()
	c.WaitFor(int(c.idle.Load()))
	c.Advance(d)
}

// WaitFor waits until the clock has n waiters.
func (c *Clock) WaitFor(n int) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), ipctest.Wait)
	defer cancel()
	if err := c.BlockUntilContext(ctx, n); err != nil {
		c.t.Fatalf("the loop never waited on its %d timers: %v", n, err)
	}
}

// NewTimer is clockwork's NewTimer with the Go 1.23 semantics the loops
// rely on with real timers: after Stop or Reset, a tick sent before and
// not taken is gone. clockwork's fake timers keep it, and a loop that
// stops its timer to handle an event would take that stale tick later.
func (c *Clock) NewTimer(d time.Duration) clockwork.Timer {
	return goTimer{c.FakeClock.NewTimer(d)}
}

type goTimer struct{ clockwork.Timer }

func (t goTimer) Stop() bool {
	active := t.Timer.Stop()
	select {
	case <-t.Chan():
	default:
	}
	return active
}

func (t goTimer) Reset(d time.Duration) bool {
	active := t.Stop()
	t.Timer.Reset(d)
	return active
}
