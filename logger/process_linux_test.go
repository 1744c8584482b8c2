package logger

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"sensord/ipc"
	"sensord/ipc/ipctest"
)

// TestMain doubles as the logger process: the process tests re-exec
// the test binary with SENSORD_LOGGER_CHILD=1, like the daemon execs
// sensord logger with the pipe ends at fd 3 and 4.
func TestMain(m *testing.M) {
	if os.Getenv("SENSORD_LOGGER_CHILD") != "1" {
		os.Exit(m.Run())
	}
	if v := os.Getenv("SENSORD_LOGGER_FSIZE"); v != "" {
		n, _ := strconv.ParseUint(v, 10, 64)
		var rl unix.Rlimit
		_ = unix.Getrlimit(unix.RLIMIT_FSIZE, &rl)
		rl.Cur = n
		if err := unix.Setrlimit(unix.RLIMIT_FSIZE, &rl); err != nil {
			fmt.Fprintln(os.Stderr, "setrlimit:", err)
			os.Exit(3)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	c, err := parseFlags(os.Args[1:])
	if os.Getenv("SENSORD_LOGGER_PAUSE") != "" {
		// Widen the window between writing and consuming, where a kill
		// leaves records whose frames are still in the pipe.
		c.afterWrite = func() { time.Sleep(time.Duration(rand.IntN(500)) * time.Microsecond) }
	}
	if err == nil {
		err = Run(ctx, c)
	}
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}

// child is a logger process started like the daemon starts one.
type child struct {
	pid    int
	stderr string // path of its stderr
}

func startChild(t testing.TB, motion, light ipctest.Pipe, dir string, env ...string) child {
	t.Helper()
	errPath := dir + ".stderr"
	f, err := os.OpenFile(errPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	argv := []string{os.Args[0], "--gen", "1", "--rx-motion", "3", "--rx-light", "4", "--dir", dir,
		"--fsync-interval", "1s", "--max-file-size", "1048576", "--max-files", "64", "--retry", "10ms"}
	pid, err := syscall.ForkExec(os.Args[0], argv, &syscall.ProcAttr{
		Env:   append(os.Environ(), append(env, "SENSORD_LOGGER_CHILD=1")...),
		Files: []uintptr{0, f.Fd(), f.Fd(), uintptr(motion.R), uintptr(light.R)},
		Sys:   &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL},
	})
	if err != nil {
		t.Fatal(err)
	}
	return child{pid: pid, stderr: errPath}
}

// stop signals the child and reaps it, returning its wait status.
func (c child) stop(t testing.TB, sig syscall.Signal) syscall.WaitStatus {
	t.Helper()
	if err := syscall.Kill(c.pid, sig); err != nil {
		t.Fatal(err)
	}
	var ws syscall.WaitStatus
	for {
		_, err := syscall.Wait4(c.pid, &ws, 0, nil)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		return ws
	}
}

func (c child) log(t testing.TB) string {
	b, _ := os.ReadFile(c.stderr)
	return string(b)
}

// feeder sends samples on both pipes until stopped, like two sensors.
type feeder struct {
	light, motion *ipc.Sender
	lw, mw        *ipc.Writer
	stopc, done   chan struct{}
}

func startFeeder(light, motion ipctest.Pipe, perMs int) *feeder {
	f := &feeder{light: ipc.NewSender(1), motion: ipc.NewSender(1),
		lw: ipc.NewWriter(light.W), mw: ipc.NewWriter(motion.W),
		stopc: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(f.done)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case <-f.stopc:
				return
			case <-tick.C:
			}
			for range perMs {
				_ = f.light.Send(&ipc.LightSample{Lux: float64(i)}, f.lw)
			}
			_ = f.motion.Send(&ipc.MotionState{Motion: i%2 == 0}, f.mw)
		}
	}()
	return f
}

func (f *feeder) stop() { close(f.stopc); <-f.done }

// TestKillAtRandomInstants kills the logger process with SIGKILL over
// and over while samples flow, restarting it on the same pipe ends, and
// checks that after de-duplication every sample is there exactly once
// (or is accounted for by a gap record, if a pipe overflowed).
func TestKillAtRandomInstants(t *testing.T) {
	if testing.Short() {
		t.Skip("process test")
	}
	kills := 30
	if os.Getenv("SENSORD_SOAK") != "" {
		kills = 300
	}
	motion, light := ipctest.NewPipe(t, 1<<20), ipctest.NewPipe(t, 1<<20)
	dir := t.TempDir() + "/data"
	feed := startFeeder(light, motion, 10)
	rng := rand.New(rand.NewPCG(1, uint64(time.Now().UnixNano())))
	for i := range kills {
		var env []string
		if i%2 == 0 {
			env = append(env, "SENSORD_LOGGER_PAUSE=1")
		}
		c := startChild(t, motion, light, dir, env...)
		time.Sleep(time.Duration(2+rng.IntN(40)) * time.Millisecond) // a random instant, not a sync
		if ws := c.stop(t, syscall.SIGKILL); ws.Signal() != syscall.SIGKILL {
			t.Fatalf("logger ended before it was killed: %v\n%s", ws, c.log(t))
		}
	}

	feed.stop()
	c := startChild(t, motion, light, dir)
	// One more sample after the start, so that the pipes drain only
	// once this logger reads them: by then its SIGTERM handler is in
	// place (a SIGTERM in the first instants of a Go process kills it).
	_ = feed.light.Send(&ipc.LightSample{Lux: -1}, feed.lw)
	ipctest.Eventually(t, "the pipes drained", func() bool { return light.Queued(t)+motion.Queued(t) == 0 })
	if ws := c.stop(t, syscall.SIGTERM); !ws.Exited() || ws.ExitStatus() != 0 {
		t.Fatalf("logger on SIGTERM: %v\n%s", ws, c.log(t))
	}
	dups := checkComplete(t, dir, "light", feed.light.Seq(), feed.lw.Stats.Dropped)
	dups += checkComplete(t, dir, "motion", feed.motion.Seq(), feed.mw.Stats.Dropped)
	// Each restart that found its records already written says so: how
	// often a kill fell between writing and consuming.
	caught := strings.Count(c.log(t), "skipped records written before a restart")
	t.Logf("%d kills, %d light and %d motion samples, %d dropped by the senders, "+
		"%d restarts skipped duplicates, %d duplicate lines in the files",
		kills, feed.light.Seq(), feed.motion.Seq(), feed.lw.Stats.Dropped+feed.mw.Stats.Dropped, caught, dups)
	if dups != 0 {
		t.Errorf("%d duplicate lines: the restarted logger should have skipped them", dups)
	}
	if err := verifyCmd([]string{dir}, io.Discard, io.Discard); err != nil {
		t.Error(err)
	}
}

// checkComplete checks that src's samples 1..n are each in dir exactly
// once after de-duplication, or inside a gap record, and that the gaps
// add up to what the sender dropped. It returns the duplicates seen.
func checkComplete(t testing.TB, dir, src string, n, dropped uint64) (dups int) {
	t.Helper()
	files, err := listFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	count := make([]int, n+1)
	var gapped uint64
	err = readData(files, func(l *line) error {
		switch {
		case l.torn || l.bad != nil:
			t.Errorf("%s:%d: torn or damaged line %q", l.file, l.no, l.raw)
		case l.rec.Src != src:
		case l.dup:
			dups++
		case l.kind == kindGap:
			for s := l.rec.Gap.First; s <= l.rec.Gap.Last && s <= n; s++ {
				count[s]++
			}
			gapped += l.rec.Gap.Count
		case l.kind == kindLight || l.kind == kindMotion:
			if l.rec.Seq > n {
				t.Errorf("%s seq %d was never sent", src, l.rec.Seq)
			} else {
				count[l.rec.Seq]++
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var bad []string
	for s := uint64(1); s <= n; s++ {
		if count[s] != 1 && len(bad) < 10 {
			bad = append(bad, fmt.Sprintf("seq %d: %d times", s, count[s]))
		}
	}
	if len(bad) > 0 {
		t.Errorf("%s: samples not present exactly once: %s", src, strings.Join(bad, ", "))
	}
	if gapped != dropped {
		t.Errorf("%s: gap records count %d samples, the sender dropped %d", src, gapped, dropped)
	}
	return dups
}

// TestDiskFull runs the logger with a file size limit (RLIMIT_FSIZE:
// write fails with EFBIG, like a full disk), checks it says so once,
// stays up without leaving a torn line, and resumes when the limit is
// raised, losing nothing.
func TestDiskFull(t *testing.T) {
	if testing.Short() {
		t.Skip("process test")
	}
	motion, light := ipctest.NewPipe(t, 1<<20), ipctest.NewPipe(t, 1<<20)
	dir := t.TempDir() + "/data"
	c := startChild(t, motion, light, dir, "SENSORD_LOGGER_FSIZE=4000")
	s, w := ipc.NewSender(1), ipc.NewWriter(light.W)
	const n = 300
	var mu sync.Mutex // Send is not concurrent-safe; keep it simple
	send := func(from, to int) {
		mu.Lock()
		defer mu.Unlock()
		for i := from; i < to; i++ {
			if err := s.Send(&ipc.LightSample{Lux: float64(i)}, w); err != nil {
				t.Fatal(err)
			}
		}
	}
	send(0, n/2)
	ipctest.Eventually(t, "the disk error message", func() bool { return strings.Contains(c.log(t), "cannot write") })
	send(n/2, n) // more while failing: they wait in the pipe
	ipctest.Eventually(t, "samples waiting in the pipe", func() bool { return light.Queued(t) > 0 })
	lines := dataLines(t, dir) // fails the test on a torn line
	if len(lines) >= n || light.Queued(t) == 0 {
		t.Fatalf("%d lines written, %d bytes queued: the limit did not bite", len(lines), light.Queued(t))
	}
	inf := unix.Rlimit{Cur: unix.RLIM_INFINITY, Max: unix.RLIM_INFINITY}
	if err := unix.Prlimit(c.pid, unix.RLIMIT_FSIZE, &inf, nil); err != nil {
		t.Fatal(err)
	}
	ipctest.Eventually(t, "all samples", func() bool { return countSamples(t, dir) == n })
	if ws := c.stop(t, syscall.SIGTERM); !ws.Exited() || ws.ExitStatus() != 0 {
		t.Fatalf("logger on SIGTERM: %v\n%s", ws, c.log(t))
	}
	log := c.log(t)
	if k := strings.Count(log, "cannot write"); k != 1 {
		t.Errorf("disk error said %d times, want once:\n%s", k, log)
	}
	for _, want := range []string{"file too large", "free space", "writing works again"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	checkComplete(t, dir, "light", n, 0)
}
