package wake

import (
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
)

var t0 = time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)

// fired reports whether c has a tick ready.
func fired(c <-chan time.Time) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// TestAt walks a loop's deadlines on a fake clock: each fires when set
// and not before, moved later or earlier or stopped.
func TestAt(t *testing.T) {
	clk := clockwork.NewFakeClockAt(t0)
	w := New(clk)
	c := w.At(t0.Add(2 * time.Second))
	clk.Advance(time.Second)
	if fired(c) {
		t.Fatal("fired 1 s before its deadline")
	}
	c = w.At(t0.Add(4 * time.Second)) // later: a new timer
	clk.Advance(time.Second)
	if fired(c) {
		t.Fatal("fired at the old deadline after it was moved later")
	}
	c = w.At(t0.Add(3 * time.Second)) // earlier
	clk.Advance(time.Second)
	clk.BlockUntil(0)
	if !fired(c) {
		t.Fatal("did not fire at a deadline moved earlier")
	}
	c = w.At(t0.Add(5 * time.Second)) // after firing: reused
	w.Stop()
	clk.Advance(3 * time.Second)
	if fired(c) {
		t.Fatal("fired after Stop")
	}
	c = w.At(t0.Add(5 * time.Second)) // passed: at once
	clk.BlockUntil(0)
	if !fired(c) {
		t.Fatal("a deadline that has passed did not fire at once")
	}
	c = w.At(t0.Add(10 * time.Second))
	w.Stop()
	c = w.At(t0.Add(10 * time.Second)) // the same, after Stop: armed again
	clk.Advance(4 * time.Second)
	clk.BlockUntil(0)
	if !fired(c) {
		t.Fatal("the same deadline again after Stop did not fire")
	}
	if w.At(time.Time{}) != nil {
		t.Error("a zero deadline gave a channel")
	}
}

// TestAtSameDeadline: asking again for the deadline already set keeps
// the timer (and its channel) as it is.
func TestAtSameDeadline(t *testing.T) {
	clk := clockwork.NewFakeClockAt(t0)
	w := New(clk)
	c1 := w.At(t0.Add(time.Second))
	first := w.t
	c2 := w.At(t0.Add(time.Second))
	if w.t != first || c1 != c2 {
		t.Error("the same deadline again made a new timer")
	}
	clk.Advance(time.Second)
	clk.BlockUntil(0)
	if !fired(c2) {
		t.Error("did not fire")
	}
}
