package sensortest

import (
	"fmt"
	"testing"
	"time"
)

var noon = time.Date(2026, 6, 21, 12, 0, 0, 0, time.UTC)

// recorder is a testing.TB that keeps the errors reported to it.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func TestUntilCatchesArmedTimer(t *testing.T) {
	rec := &recorder{TB: t}
	c := NewClock(rec, noon, 1)
	tm := c.NewTimer(time.Hour)
	c.Until(noon.Add(time.Minute))
	if len(rec.errs) != 1 {
		t.Fatalf("Until with the loop's timer armed: %d errors; want 1", len(rec.errs))
	}
	tm.Stop()
	c.Until(noon.Add(time.Minute))
	tm.Reset(time.Minute)
	if len(rec.errs) != 1 {
		t.Errorf("Until with the timer stopped: %q", rec.errs[1:])
	}
}

func TestTimerDropsTickOnStopAndReset(t *testing.T) {
	c := NewClock(t, noon, 1)
	for _, name := range []string{"Stop", "Reset"} {
		tm := c.NewTimer(time.Second)
		c.Step(time.Second)
		if name == "Stop" {
			if tm.Stop() {
				t.Errorf("Stop of a fired timer reports it active")
			}
		} else {
			tm.Reset(time.Hour)
		}
		select {
		case <-tm.Chan():
			t.Errorf("%s: the tick sent before it was still there", name)
		default:
		}
		tm.Stop()
	}
}

func TestStepWaitsForIdle(t *testing.T) {
	c := NewClock(t, noon, 2)
	tm := c.NewTimer(time.Second)
	stepped := make(chan struct{})
	go func() { c.Step(time.Second); close(stepped) }()
	if !c.Now().Equal(noon) {
		t.Fatal("Step moved the clock with 1 of 2 waiters")
	}
	second := c.NewTimer(time.Hour)
	<-stepped
	<-tm.Chan()
	second.Stop()
	if got := c.Now(); !got.Equal(noon.Add(time.Second)) {
		t.Errorf("clock at %s after Step", got)
	}
}
