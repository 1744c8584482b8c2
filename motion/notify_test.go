package motion

import (
	"strconv"
	"testing"
	"time"

	"sensord/board"
	"sensord/ipc"
	"sensord/sensor/sensortest"
)

// TestRunNotifies: READY=1 once after the first status, WATCHDOG=1 from
// the loop while the PIR is idle (its timer's hour-long deadline cut to
// the next ping), none once the loop hangs (board.SimHang).
func TestRunNotifies(t *testing.T) {
	n := sensortest.NewNotify(t)
	t.Setenv("WATCHDOG_USEC", strconv.Itoa(int((4 * time.Second).Microseconds())))
	t.Setenv("WATCHDOG_PID", strconv.Itoa(1<<22+1)) // another process's: no watchdog
	h := start(t, Config{}, "")
	h.Status(ipc.HealthOK, "")
	if got := n.Next(); got != "READY=1" {
		t.Fatalf("first datagram %q; want READY=1", got)
	}
	h.advance(10 * time.Second)
	n.None(20 * time.Millisecond)
	t.Setenv("WATCHDOG_PID", "")
	h = start(t, Config{}, "")
	h.Status(ipc.HealthOK, "")
	if got := n.Next(); got != "READY=1" {
		t.Fatalf("first datagram %q; want READY=1", got)
	}
	h.advance(2 * time.Second)
	if got := n.Next(); got != "WATCHDOG=1" {
		t.Fatalf("datagram %q; want WATCHDOG=1", got)
	}
	h.advance(2 * time.Second)
	if got := n.Next(); got != "WATCHDOG=1" {
		t.Fatalf("datagram %q; want WATCHDOG=1", got)
	}
	for drained := false; !drained; { // the simulated PIR's own frames
		select {
		case <-h.GUI:
		case <-time.After(20 * time.Millisecond):
			drained = true
		}
	}
	if r := h.Command(ipc.OpSimFault, int64(board.SimHang)); !r.OK {
		t.Fatalf("sim-fault hang: %+v", r)
	}
	for range 4 {
		h.clk.Advance(2 * time.Second)
	}
	n.None(100 * time.Millisecond)
}
