package gui

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/jonboulle/clockwork"

	"sensord/ipc"
	"sensord/sensor/sensortest"
)

func setWatchdog(t *testing.T, d time.Duration) {
	t.Setenv("WATCHDOG_USEC", strconv.Itoa(int(d.Microseconds())))
	t.Setenv("WATCHDOG_PID", "")
}

// TestRunHeadlessNotifies: with --tty none the GUI is ready when its
// loop starts, its loop pings the watchdog, and it has no other timer
// (no clock to redraw, no status to poll).
func TestRunHeadlessNotifies(t *testing.T) {
	n := sensortest.NewNotify(t)
	setWatchdog(t, 2*time.Second)
	p := newGUIPipes(t)
	cfg := p.config(ModeNone, "")
	clock := clockwork.NewFakeClockAt(t0)
	cfg.Clock = clock
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, cfg, nil) }()
	t.Cleanup(func() { cancel(); <-done })
	if got := n.Next(); got != "READY=1" {
		t.Fatalf("datagram %q; want READY=1", got)
	}
	for range 3 {
		clock.BlockUntil(1) // the watchdog's timer only
		clock.Advance(time.Second)
		if got := n.Next(); got != "WATCHDOG=1" {
			t.Fatalf("datagram %q; want WATCHDOG=1", got)
		}
	}
}

// TestRunStoppedTerminal: while the terminal is stopped (XOFF: every
// Show blocks) the loop goes on pinging and handling keys and frames;
// READY=1 comes once the first screen is on the terminal.
func TestRunStoppedTerminal(t *testing.T) {
	n := sensortest.NewNotify(t)
	setWatchdog(t, 2*time.Second)
	p := newGUIPipes(t)
	cfg := p.config(ModeTerminal, "")
	clock := clockwork.NewFakeClockAt(t0)
	cfg.Clock = clock
	s := newCapScreen()
	s.gate = make(chan struct{})
	s, stop := startRunOn(t, cfg, s)
	expectCommands(t, p.fromMotion, ipc.OpResend, ipc.OpInfo)
	for range 3 {
		clock.BlockUntil(1) // the loop's one timer
		clock.Advance(time.Second)
		if got := n.Next(); got != "WATCHDOG=1" {
			t.Fatalf("datagram %q; want WATCHDOG=1 while the terminal is stopped", got)
		}
	}
	s.InjectKey(tcell.KeyRune, 'w', tcell.ModNone)
	expectCommands(t, p.fromMotion, ipc.OpSkipWarmup)
	close(s.gate) // XON
	for {
		if got := n.Next(); got == "READY=1" {
			break
		} else if got != "WATCHDOG=1" {
			t.Fatalf("datagram %q", got)
		}
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}
