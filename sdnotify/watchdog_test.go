package sdnotify

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

var t0 = time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)

// TestWatchdogPing walks a loop on a fake clock: a ping comes when
// due, or earlier when the loop is awake anyway and half of Every has
// passed since the last; the deadline returned is the earlier of the
// loop's and the next ping due, and a loop that wakes sooner than that
// sends nothing.
func TestWatchdogPing(t *testing.T) {
	var sent []time.Time
	now := t0
	w := newWatchdog(4*time.Second, t0, func(s string) error {
		if s != "WATCHDOG=1" {
			t.Errorf("sent %q", s)
		}
		sent = append(sent, now)
		return nil
	})
	if w.Every() != 2*time.Second {
		t.Fatalf("Every %v; want half the interval", w.Every())
	}
	steps := []struct {
		at       time.Duration // since t0
		deadline time.Duration // the loop's own; -1: none
		want     time.Duration // the deadline Ping returns
		pings    int           // pings so far
	}{
		{0, 10 * time.Second, 2 * time.Second, 0},                              // first ping due at 2 s
		{500 * time.Millisecond, -1, 2 * time.Second, 0},                       // awake early (a command): too soon
		{1 * time.Second, 1500 * time.Millisecond, 1500 * time.Millisecond, 1}, // awake after Every/2: sent, next due at 3 s, the loop's deadline first
		{1500 * time.Millisecond, -1, 3 * time.Second, 1},                      // awake again: too soon
		{3 * time.Second, -1, 5 * time.Second, 2},                              // due: sent
		{7 * time.Second, 8 * time.Second, 8 * time.Second, 3},                 // late: sent, next counted from now (9 s)
		{8 * time.Second, 20 * time.Second, 10 * time.Second, 4},               // awake after Every/2: sent
		{8500 * time.Millisecond, 20 * time.Second, 10 * time.Second, 4},
	}
	for i, s := range steps {
		now = t0.Add(s.at)
		var dl time.Time
		if s.deadline >= 0 {
			dl = t0.Add(s.deadline)
		}
		if got := w.Ping(now, dl); !got.Equal(t0.Add(s.want)) {
			t.Errorf("step %d at %v: deadline %v; want %v", i, s.at, got.Sub(t0), s.want)
		}
		if len(sent) != s.pings {
			t.Errorf("step %d at %v: %d pings; want %d", i, s.at, len(sent), s.pings)
		}
	}
}

// TestWatchdogOff: without a watchdog the loop's deadline is unchanged,
// a zero one stays zero, and nothing is sent.
func TestWatchdogOff(t *testing.T) {
	w := newWatchdog(0, t0, func(string) error { t.Error("sent a ping without a watchdog"); return nil })
	if got := w.Ping(t0.Add(time.Hour), t0.Add(2*time.Hour)); !got.Equal(t0.Add(2 * time.Hour)) {
		t.Errorf("deadline %v; want the loop's own", got)
	}
	if got := w.Ping(t0.Add(time.Hour), time.Time{}); !got.IsZero() {
		t.Errorf("no deadline became %v", got)
	}
	var nilW *Watchdog
	if got := nilW.Ping(t0, t0.Add(time.Second)); !got.Equal(t0.Add(time.Second)) || nilW.Err() != nil {
		t.Errorf("nil Watchdog: %v, %v", got, nilW.Err())
	}
}

// TestWatchdogErr: the first send error is kept, pings go on.
func TestWatchdogErr(t *testing.T) {
	n := 0
	w := newWatchdog(2*time.Second, t0, func(string) error { n++; return errors.New("boom " + strconv.Itoa(n)) })
	w.Ping(t0.Add(time.Second), time.Time{})
	w.Ping(t0.Add(2*time.Second), time.Time{})
	if n != 2 || w.Err() == nil || w.Err().Error() != "boom 1" {
		t.Errorf("%d sends, Err %v; want 2 and boom 1", n, w.Err())
	}
}

// TestNewWatchdogEnv: the schedule comes from WATCHDOG_USEC, honouring a
// WATCHDOG_PID that names this process (as the daemon sets it for each
// child) and ignoring one that names another; the pings go to
// NOTIFY_SOCKET.
func TestNewWatchdogEnv(t *testing.T) {
	addr := filepath.Join(t.TempDir(), "notify")
	read := listen(t, addr)
	t.Setenv("NOTIFY_SOCKET", addr)
	t.Setenv("WATCHDOG_USEC", "3000000")
	t.Setenv("WATCHDOG_PID", strconv.Itoa(os.Getpid()))
	w := NewWatchdog(t0)
	if w.Every() != 1500*time.Millisecond {
		t.Fatalf("Every %v with our pid; want 1.5s", w.Every())
	}
	w.Ping(t0.Add(2*time.Second), time.Time{})
	if got := read(); got != "WATCHDOG=1" {
		t.Errorf("got %q", got)
	}
	t.Setenv("WATCHDOG_PID", strconv.Itoa(os.Getpid()+1))
	if w := NewWatchdog(t0); w.Every() != 0 {
		t.Errorf("Every %v with another pid; want 0", w.Every())
	}
	t.Setenv("WATCHDOG_PID", "")
	t.Setenv("WATCHDOG_USEC", "")
	if w := NewWatchdog(t0); w.Every() != 0 {
		t.Errorf("Every %v without WATCHDOG_USEC; want 0", w.Every())
	}
}
