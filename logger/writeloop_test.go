package logger

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"sensord/ipc/ipctest"
	"sensord/sensor/sensortest"
)

// loopUnder runs writeLoop on a store in a temporary directory with a
// fake clock, and returns a function that writes one line through it,
// and the store, for the test to look at between writes.
func loopUnder(t *testing.T, clk *clockwork.FakeClock) (func(), *store) {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	st := &store{dir: t.TempDir(), maxSize: 1 << 20, maxFiles: 4, now: clk.Now, log: log}
	if err := st.open(); err != nil {
		t.Fatal(err)
	}
	reqs := make(chan writeReq)
	done := make(chan struct{})
	go func() {
		defer close(done)
		writeLoop(st, reqs, Config{FsyncInterval: time.Second, Clock: clk, Log: log})
	}()
	t.Cleanup(func() { close(reqs); <-done })
	return func() {
		r := writeReq{lines: []byte("{}\n"), done: make(chan error, 1)}
		reqs <- r
		if err := <-r.done; err != nil {
			t.Fatal(err)
		}
	}, st
}

// waiters reports whether the clock has exactly n waiters right now.
func waiters(clk *clockwork.FakeClock, n int) bool {
	has := func(n int) bool {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		return clk.BlockUntilContext(ctx, n) == nil
	}
	return has(n) && !has(n+1)
}

// TestWriteLoopIdle: without a watchdog the only timer is the fsync's,
// armed by a write to a clean file (not by a second write, not by a
// ticker), and armed again only by a write after the fsync.
func TestWriteLoopIdle(t *testing.T) {
	t.Setenv("WATCHDOG_USEC", "")
	clk := clockwork.NewFakeClockAt(testBase)
	write, _ := loopUnder(t, clk)
	write() // the loop has been round once
	clk.BlockUntil(1)
	write() // a second write before the fsync arms nothing more
	// The loop stops its timer when a write comes and arms it again
	// after the reply: wait until it is back in its select.
	clk.BlockUntil(1)
	if !waiters(clk, 1) {
		t.Fatal("want one timer, the fsync, after two writes")
	}
	clk.Advance(time.Second) // the fsync's timer fires
	// The loop may take this write before the timer it has in hand:
	// then the write is synced with the fsync, as an early one, and
	// arms nothing. Either way the next write starts a new cycle.
	write()
	write() // after the fsync: dirty again, one new timer
	clk.BlockUntil(1)
	if !waiters(clk, 1) {
		t.Fatal("want one timer, the fsync, after a write following an fsync")
	}
}

// TestWriteLoopSyncsEarly: a write that comes just before the fsync is
// due is synced at once, and the next write starts a new fsync cycle,
// so a source that sends every fsync interval costs no wake-up for the
// fsync; one that comes earlier waits for the timer.
func TestWriteLoopSyncsEarly(t *testing.T) {
	t.Setenv("WATCHDOG_USEC", "")
	clk := clockwork.NewFakeClockAt(testBase)
	write, st := loopUnder(t, clk)
	write() // dirty: fsync due in 1 s
	clk.Advance(500 * time.Millisecond)
	write() // 500 ms before the fsync: it waits
	// The loop stops its timer when a write comes and arms it again
	// after the reply: wait until it is back in its select.
	clk.BlockUntil(1)
	if !st.dirty || !waiters(clk, 1) {
		t.Fatalf("dirty %v after a write 500 ms before the fsync; want dirty, with the fsync's timer", st.dirty)
	}
	clk.Advance(1000*time.Millisecond - time.Second/syncEarly - 500*time.Millisecond)
	write() // within FsyncInterval/syncEarly of the fsync: synced now
	if st.dirty {
		t.Fatal("still dirty after a write just before the fsync was due")
	}
	if !waiters(clk, 0) {
		t.Fatal("a timer left after the early fsync; want none (no watchdog, nothing to sync)")
	}
	// Had the early fsync kept its deadline, this write would count as
	// early too, and be synced at once.
	clk.Advance(time.Millisecond)
	write()
	clk.BlockUntil(1)
	if !st.dirty || !waiters(clk, 1) {
		t.Fatalf("dirty %v after the first write past an early fsync; want dirty, with a new fsync's timer", st.dirty)
	}
}

// TestWriteLoopWatchdog: the write loop pings WATCHDOG=1 every half
// $WATCHDOG_USEC with no write, its one timer serving both.
func TestWriteLoopWatchdog(t *testing.T) {
	n := sensortest.NewNotify(t)
	t.Setenv("WATCHDOG_USEC", strconv.Itoa(int((4 * time.Second).Microseconds())))
	t.Setenv("WATCHDOG_PID", "")
	clk := clockwork.NewFakeClockAt(testBase)
	loopUnder(t, clk)
	for range 3 {
		clk.BlockUntil(1)
		clk.Advance(2 * time.Second)
		if got := n.Next(); got != "WATCHDOG=1" {
			t.Fatalf("datagram %q; want WATCHDOG=1", got)
		}
	}
}

// TestRunReady: Run says READY=1 once, when its pipes are open and the
// files' tails read, before any record.
func TestRunReady(t *testing.T) {
	n := sensortest.NewNotify(t)
	t.Setenv("WATCHDOG_USEC", "")
	motion, light := ipctest.NewPipe(t, 0), ipctest.NewPipe(t, 0)
	stop := startRun(t, testConfig(t, motion, light))
	if got := n.Next(); got != "READY=1" {
		t.Fatalf("datagram %q; want READY=1", got)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	n.None(10 * time.Millisecond)
}
