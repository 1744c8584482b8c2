package light

import (
	"strconv"
	"testing"
	"time"

	"sensord/board"
	"sensord/ipc"
	"sensord/light/bh1750"
	"sensord/sensor/sensortest"
)

// TestRunNotifies: READY=1 once, right after the first status frame;
// WATCHDOG=1 from the loop every half $WATCHDOG_USEC while it runs,
// between samples that stay on their schedule; and none once the loop
// hangs (board.SimHang), while the process lives on.
func TestRunNotifies(t *testing.T) {
	n := sensortest.NewNotify(t)
	t.Setenv("WATCHDOG_USEC", strconv.Itoa(int((5 * time.Second).Microseconds())))
	t.Setenv("WATCHDOG_PID", "")
	h := start(t, Config{}, "")
	h.Status(ipc.HealthOK, "")
	if got := n.Next(); got != "READY=1" {
		t.Fatalf("first datagram %q; want READY=1", got)
	}
	h.advance(bh1750.MaxConversion) // first sample
	h.Both(ipc.TypeLight)
	// Samples every 1 s from 0.18 s; the pings ride on the samples' wake-ups
	// once a quarter of the watchdog has passed since the last (2.18 s,
	// 4.18 s, 6.18 s, 8.18 s), so the loop never wakes just to ping.
	var pings, samples int
	for elapsed := bh1750.MaxConversion; elapsed < 8*time.Second; {
		step := 500 * time.Millisecond
		h.advance(step)
		elapsed += step
	drain:
		for {
			select {
			case s := <-n.C:
				if s != "WATCHDOG=1" {
					t.Fatalf("datagram %q; want WATCHDOG=1 only after READY", s)
				}
				pings++
			case <-h.GUI:
				samples++
			case <-h.Logger:
			case <-time.After(20 * time.Millisecond):
				break drain
			}
		}
	}
	if pings != 4 || samples != 8 {
		t.Errorf("%d pings and %d samples in 8 s; want 4 and 8", pings, samples)
	}
	if r := h.Command(ipc.OpSimFault, int64(board.SimHang)); !r.OK {
		t.Fatalf("sim-fault hang: %+v", r)
	}
	for range 4 {
		h.clk.Advance(5 * time.Second) // no Step: the loop never waits on its timer again
	}
	n.None(100 * time.Millisecond)
	select {
	case m := <-h.Logger:
		t.Errorf("a hung loop sent a frame: %+v", m.Header)
	default:
	}
}

// TestRunScheduledHang: light-hang@3s in the schedule hangs the loop 3 s
// after the start, in the loop itself (Base.Wake): the pings and the
// samples stop there.
func TestRunScheduledHang(t *testing.T) {
	n := sensortest.NewNotify(t)
	t.Setenv("WATCHDOG_USEC", strconv.Itoa(int((2 * time.Second).Microseconds())))
	t.Setenv("WATCHDOG_PID", "")
	h := start(t, Config{}, "light-hang@3s")
	h.Status(ipc.HealthOK, "")
	if got := n.Next(); got != "READY=1" {
		t.Fatalf("first datagram %q; want READY=1", got)
	}
	h.advance(bh1750.MaxConversion) // first sample
	h.Both(ipc.TypeLight)
	for range 2 { // pings at 1 s and 2 s, samples at 1.18 s and 2.18 s
		h.advance(time.Second - bh1750.MaxConversion)
		if got := n.Next(); got != "WATCHDOG=1" {
			t.Fatalf("datagram %q; want WATCHDOG=1", got)
		}
		h.advance(bh1750.MaxConversion)
		h.Both(ipc.TypeLight)
	}
	h.advance(time.Second - bh1750.MaxConversion) // 3 s: the last ping, then the hang
	if got := n.Next(); got != "WATCHDOG=1" {
		t.Fatalf("datagram %q; want WATCHDOG=1", got)
	}
	for range 4 {
		h.clk.Advance(time.Second) // no Step: the loop never waits on its timer again
	}
	n.None(100 * time.Millisecond)
	select {
	case m := <-h.Logger:
		t.Errorf("a hung loop sent a frame: %+v", m.Header)
	default:
	}
}
