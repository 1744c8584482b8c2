package daemon

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"sensord/ipc/ipctest"
	"sensord/sdnotify"
)

// TestWaitSweepsWithoutReturning: empty ticks are done in the no-P
// section (epoll_linux.go) and wait does not return for them; a child's
// exit makes it return, and the exit status and rusage are still there
// for the loop's reap: the section only peeks. Both ways a death is
// seen: the sweep alone (no pidfd, as with SENSORD_NO_PIDFD and no
// SIGCHLD) and the pidfd.
func TestWaitSweepsWithoutReturning(t *testing.T) {
	for _, pidfds := range []bool{false, true} {
		t.Run(fmt.Sprintf("pidfds=%v", pidfds), func(t *testing.T) {
			w, err := newWaiter(time.Millisecond, pidfds)
			if err != nil {
				t.Fatal(err)
			}
			defer w.close()
			if pidfds && w.noPidfd {
				t.Skip("no pidfd_open on this kernel")
			}
			// A child that exits with 7 once its stdin is closed.
			r, wr, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			p, err := os.StartProcess("/bin/sh", []string{"sh", "-c", "read x; exit 7"},
				&os.ProcAttr{Files: []*os.File{r, os.Stderr, os.Stderr}})
			r.Close()
			if err != nil {
				t.Fatal(err)
			}
			if err := w.track(p.Pid); err != nil {
				t.Fatal(err)
			}

			tids, done := make(chan int, 1), make(chan error, 1)
			go func() {
				runtime.LockOSThread()
				defer runtime.UnlockOSThread() // the thread outlives wait
				tids <- unix.Gettid()
				done <- w.wait()
			}()
			tid := <-tids
			start := switches(t, tid)
			ipctest.Eventually(t, "the waiting thread to wake for 5 ticks", func() bool {
				return switches(t, tid) >= start+5
			})
			select {
			case err := <-done:
				t.Fatalf("wait returned (%v) with nothing to do: an empty tick left the no-P section", err)
			default:
			}
			wr.Close()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			if w.sw.quiet == 0 {
				t.Error("no tick counted as done in the no-P section")
			}
			ws, ru, ok := reap(p.Pid)
			if !ok || !ws.Exited() || ws.ExitStatus() != 7 || ru == nil {
				t.Fatalf("reap after wait: ok %v, status %v, rusage %v; want the exit 7 the section only peeked at", ok, ws, ru)
			}
			w.forget(p.Pid)
			if w.sw.n != 0 {
				t.Errorf("%d pids left in the sweep after forget", w.sw.n)
			}
		})
	}
}

// switches is the voluntary context switches of thread tid of this
// process: one per wake-up from a blocking wait.
func switches(t *testing.T, tid int) int {
	t.Helper()
	data, err := os.ReadFile("/proc/self/task/" + strconv.Itoa(tid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, "voluntary_ctxt_switches:"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("no voluntary_ctxt_switches in status")
	return 0
}

// TestSweepSpill: a pid that does not fit in the section's table turns
// the no-P sweep off, so no child goes unwatched.
func TestSweepSpill(t *testing.T) {
	var sw sweep
	for i := range maxSwept + 1 {
		sw.add(1000 + i)
	}
	if !sw.spill || sw.n != maxSwept {
		t.Fatalf("spill %v n %d after %d adds; want spill with %d", sw.spill, sw.n, maxSwept+1, maxSwept)
	}
	sw.remove(1000)
	if sw.n != maxSwept-1 || sw.pids[0] != int32(1000+maxSwept-1) {
		t.Errorf("after remove: n %d pids %v", sw.n, sw.pids)
	}
}

// TestWaitTakesPlainPings: plain WATCHDOG=1 datagrams from a known pid
// are taken in the no-P section and handed over when wait returns, which
// it does for the first datagram that is anything else; that one is
// left on the socket for the loop's reader.
func TestWaitTakesPlainPings(t *testing.T) {
	w, err := newWaiter(time.Hour, false)
	if err != nil {
		t.Fatal(err)
	}
	defer w.close()
	ns, err := listenNotify(filepath.Join(t.TempDir(), NotifyName), -1)
	if err != nil {
		t.Fatal(err)
	}
	defer ns.close()
	var notices []notice
	if err := w.watch(ns.fd, func() { notices = append(notices, ns.read()...) }); err != nil {
		t.Fatal(err)
	}
	type ping struct {
		pid int
		ago time.Duration
	}
	var pings []ping
	w.takePings(ns.fd, func(pid int, ago time.Duration) { pings = append(pings, ping{pid, ago}) })
	if w.sw.notify < 0 {
		t.Fatal("the section does not take pings: credMsg's layout is not the kernel's on this platform")
	}
	// The sender is this process: make it a known child.
	if err := w.track(os.Getpid()); err != nil {
		t.Fatal(err)
	}
	for _, msg := range []string{"WATCHDOG=1", "WATCHDOG=1", "WATCHDOG=1", "WATCHDOG=1\nSTATUS=busy", "WATCHDOG=1"} {
		if err := sdnotify.Send(ns.path, msg); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.wait(); err != nil {
		t.Fatal(err)
	}
	if w.sw.pings != 3 {
		t.Errorf("%d pings taken in the section; want the 3 before the first other datagram", w.sw.pings)
	}
	if len(pings) != 1 || pings[0].pid != os.Getpid() || pings[0].ago < 0 || pings[0].ago > time.Minute {
		t.Errorf("pings handed over: %+v; want one for pid %d, a moment ago", pings, os.Getpid())
	}
	if len(notices) != 2 || notices[0].fields["STATUS"] != "busy" || notices[1].fields["WATCHDOG"] != "1" {
		t.Errorf("notices left for the loop: %+v; want the STATUS one and the ping after it", notices)
	}
}
