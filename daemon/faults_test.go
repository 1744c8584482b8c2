package daemon_test

// The fault matrix of RELIABILITY.md: one end-to-end test per fault,
// each on the real binary and the simulated board, each checking the
// fault's observable result in the status, the log and the data files.

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"sensord/board"
	"sensord/control"
	"sensord/daemon/daemontest"
	"sensord/ipc"
)

// record is one line of the data files, as `sensord data cat` gives it.
type record struct {
	Src    string   `json:"src"`
	Gen    uint32   `json:"gen"`
	Seq    uint64   `json:"seq"`
	T      string   `json:"t"`
	Lux    *float64 `json:"lux"`
	Motion *bool    `json:"motion"`
	Status string   `json:"status"`
	Reason string   `json:"reason"`
	Gap    *struct {
		First, Last, Count uint64
	} `json:"gap"`
	Drop *struct {
		Frames, Samples, First, Last uint64
	} `json:"drop"`
}

// readData returns the records of dir, de-duplicated, in file order.
func readData(t testing.TB, dir string) []record {
	t.Helper()
	out, err := exec.Command(bin, "data", "cat", dir).Output()
	if err != nil {
		// No file yet is not an error for a caller that polls.
		return nil
	}
	var recs []record
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("data cat: bad line %q: %v", sc.Text(), err)
		}
		recs = append(recs, r)
	}
	return recs
}

// maxSeq is the highest sample seq of src in generation gen.
func maxSeq(recs []record, src string, gen uint32) uint64 {
	var m uint64
	for _, r := range recs {
		if r.Src == src && r.Gen == gen && r.Seq > m {
			m = r.Seq
		}
	}
	return m
}

// verifyData runs `sensord data verify` and fails the test unless it
// passes; it returns the report.
func verifyData(t testing.TB, dir string) string {
	t.Helper()
	out, err := exec.Command(bin, "data", "verify", dir).CombinedOutput()
	if err != nil {
		t.Errorf("sensord data verify %s: %v\n%s", dir, err, out)
	}
	return string(out)
}

// waitData polls the data files until cond holds and returns them.
func waitData(t testing.TB, dir, what string, timeout time.Duration, cond func([]record) bool) []record {
	t.Helper()
	var recs []record
	daemontest.Until(t, what, timeout, func() bool {
		recs = readData(t, dir)
		return cond(recs)
	})
	return recs
}

// checkGens fails the test for every child not running in generation 1.
func checkGens(t testing.TB, a *daemontest.Appliance) {
	t.Helper()
	st, err := a.Status()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range st.Children {
		if c.Gen != 1 || c.Restarts != 0 || c.State != "running" {
			t.Errorf("%s: gen %d restarts %d state %s, want gen 1 running, never restarted",
				c.Name, c.Gen, c.Restarts, c.State)
		}
	}
}

// pipeWriteEnds finds, for each of the six pipes, the daemon's
// descriptor of its write end: the pipe is known by the inode of the
// children's descriptors (fd 3 on, in the order of the public
// convention), and of the daemon's two descriptors of that inode the
// write end is the one opened O_WRONLY.
func pipeWriteEnds(t testing.TB, a *daemontest.Appliance) map[string]int {
	t.Helper()
	st, err := a.Status()
	if err != nil {
		t.Fatal(err)
	}
	inode := map[string]string{} // "pipe:[N]" -> pipe name
	for _, c := range st.Children {
		for i, name := range ends[c.Name] {
			target, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%d", c.PID, 3+i))
			if err != nil {
				t.Fatalf("%s fd %d: %v", c.Name, 3+i, err)
			}
			inode[target] = name
		}
	}
	out := map[string]int{}
	dir := fmt.Sprintf("/proc/%d/fd", st.PID)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		n, _ := strconv.Atoi(e.Name())
		target, _ := os.Readlink(filepath.Join(dir, e.Name()))
		name, ok := inode[target]
		if !ok {
			continue
		}
		info, _ := os.ReadFile(fmt.Sprintf("/proc/%d/fdinfo/%d", st.PID, n))
		if flagsOf(string(info))&syscall.O_ACCMODE == syscall.O_WRONLY {
			out[name] = n
		}
	}
	if len(out) != 6 {
		t.Fatalf("found write ends of %d pipes in the daemon, want 6: %v", len(out), out)
	}
	return out
}

// openPipe opens a new non-blocking write end of one of the daemon's
// pipes through /proc. It is a file description of its own, so its
// flags change nothing for the daemon or the children.
func openPipe(t testing.TB, a *daemontest.Appliance, name string) int {
	t.Helper()
	st, _ := a.Status()
	fd := pipeWriteEnds(t, a)[name]
	w, err := syscall.Open(fmt.Sprintf("/proc/%d/fd/%d", st.PID, fd),
		syscall.O_WRONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if err != nil {
		t.Fatalf("open %s through /proc: %v", name, err)
	}
	t.Cleanup(func() { syscall.Close(w) })
	return w
}

// sendCommand writes one command frame into gui-light or gui-motion, as
// the GUI would (a frame is one atomic write, so it never mixes with
// the GUI's own).
func sendCommand(t testing.TB, w int, op ipc.Op, arg int64) {
	t.Helper()
	mono, wall := ipc.Now()
	cmd := &ipc.Command{ID: 0xC4A05, Op: op, Arg: arg}
	f, err := ipc.AppendFrame(nil, ipc.Header{Type: ipc.TypeCommand, Gen: 1, Mono: mono, Wall: wall},
		cmd.AppendPayload(nil))
	if err != nil {
		t.Fatal(err)
	}
	if n, err := syscall.Write(w, f); err != nil || n != len(f) {
		t.Fatalf("write command: %d %v", n, err)
	}
}

func queued(t testing.TB, a *daemontest.Appliance, pipe string) (int, int) {
	t.Helper()
	st, err := a.Status()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range st.Pipes {
		if p.Name == pipe {
			return p.QueuedBytes, p.CapacityBytes
		}
	}
	t.Fatalf("no pipe %s in status", pipe)
	return 0, 0
}

// TestFaultLightUnplugged unplugs the simulated BH1750 at run time with
// the GUI's own command and plugs it back.
func TestFaultLightUnplugged(t *testing.T) {
	a := daemontest.Start(t, bin, daemontest.Options{Config: "[light]\ninterval = \"20ms\"\n"})
	w := openPipe(t, a, "gui-light")
	waitData(t, a.Data, "light samples", 5*time.Second, func(r []record) bool { return maxSeq(r, "light", 1) > 5 })
	sendCommand(t, w, ipc.OpSimFault, int64(board.SimUnplug))
	recs := waitData(t, a.Data, "light offline", 5*time.Second, func(r []record) bool {
		return statusAt(r, "light", "offline") >= 0
	})
	off := recs[statusAt(recs, "light", "offline")]
	if off.Reason == "" {
		t.Errorf("offline status without a reason: %+v", off)
	}
	sendCommand(t, w, ipc.OpSimFault, int64(board.SimReplug))
	// Back: an ok status after the offline one, then new samples.
	waitData(t, a.Data, "light ok and sampling again", 8*time.Second, func(r []record) bool {
		i := statusAt(r, "light", "offline")
		j := statusAfter(r, i, "light", "ok")
		return j > 0 && samplesAfter(r, j, "light") > 0
	})
	checkGens(t, a)
	t.Logf("offline reason: %q", off.Reason)
}

// statusAt is the index of the first status record of src, or -1.
func statusAt(recs []record, src, status string) int {
	return statusAfter(recs, -1, src, status)
}

func statusAfter(recs []record, i int, src, status string) int {
	for j := i + 1; j < len(recs); j++ {
		if recs[j].Src == src && recs[j].Status == status {
			return j
		}
	}
	return -1
}

func samplesAfter(recs []record, i int, src string) int {
	n := 0
	for _, r := range recs[i+1:] {
		if r.Src == src && r.Seq > 0 {
			n++
		}
	}
	return n
}

// TestFaultPIRStuck sticks the simulated PIR high from the start. The
// stuck threshold (30 s simulated) is cut to 1 s by running the motion
// role through a wrapper that adds --stuck-after: the exec override is
// the public way to change a child's command line.
func TestFaultPIRStuck(t *testing.T) {
	motion := script(t, `exec "`+bin+`" "$@" --stuck-after 1s`)
	a := daemontest.Start(t, bin, daemontest.Options{
		Config: "[board]\nsim_faults = \"pir-stuck\"\n[motion]\nexec = \"" + motion + "\"\n"})
	recs := waitData(t, a.Data, "motion offline as stuck", 8*time.Second, func(r []record) bool {
		return statusAt(r, "motion", "offline") >= 0
	})
	off := recs[statusAt(recs, "motion", "offline")]
	if !strings.Contains(off.Reason, "stuck") {
		t.Errorf("offline reason %q does not say stuck", off.Reason)
	}
	var high bool
	for _, r := range recs {
		if r.Src == "motion" && r.Motion != nil {
			high = *r.Motion
		}
	}
	if !high {
		t.Errorf("last motion state false, want true (the output is stuck high)")
	}
	checkGens(t, a)
}

// TestFaultI2CErrors makes 35% of the simulated I2C transfers fail.
// The light role retries each transfer 4 times, so most errors cost
// nothing; now and then 4 fail in a row (about 1.5% of transfers) and
// the sensor is reported offline with the bus error, retried after 1 s
// and back (setting the chip up is 3 transfers, so about 4 % of
// retries fail and the backoff doubles: 1 s, 2 s, 4 s, ...). Samples
// keep coming and nothing restarts.
func TestFaultI2CErrors(t *testing.T) {
	a := daemontest.Start(t, bin, daemontest.Options{
		Config: "[board]\nsim_faults = \"i2c-errors=0.35\"\n[light]\ninterval = \"10ms\"\n"})
	recs := waitData(t, a.Data, "light offline for bus errors, ok again, 20 samples after", 30*time.Second,
		func(r []record) bool {
			i := statusAt(r, "light", "offline")
			j := statusAfter(r, i, "light", "ok")
			return i >= 0 && j > 0 && samplesAfter(r, j, "light") >= 20
		})
	if off := recs[statusAt(recs, "light", "offline")]; !strings.Contains(off.Reason, "bus error") {
		t.Errorf("offline reason %q does not name the bus error", off.Reason)
	}
	checkGens(t, a)
	if code := a.Stop(); code != 0 {
		t.Errorf("exit code %d", code)
	}
	t.Log(verifyData(t, a.Data))
}

// TestFaultDiskFull puts the data directory on a 1 MiB tmpfs nearly
// filled by a ballast file. The logger must say so once, keep the
// samples in its pipe, resume when the ballast is removed, and leave
// no torn line and no unexplained hole.
func TestFaultDiskFull(t *testing.T) {
	data := filepath.Join(daemontest.OpenDir(t), "data")
	if err := os.Mkdir(data, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=1m,mode=0755", "tmpfs", data).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs (needs root): %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", data).Run() })
	ballast := filepath.Join(data, "ballast")
	if err := os.WriteFile(ballast, make([]byte, 1<<20-48<<10), 0o600); err != nil {
		t.Fatal(err)
	}
	a := daemontest.Start(t, bin, daemontest.Options{Data: data, Config: "[light]\ninterval = \"5ms\"\n"})
	const full = "logger: cannot write to data directory"
	a.WaitLog(full, 10*time.Second)
	// The light role goes on sampling: its frames wait in the pipe.
	q0, _ := queued(t, a, "light-logger")
	daemontest.Until(t, "samples queued in light-logger", 5*time.Second, func() bool {
		q, _ := queued(t, a, "light-logger")
		return q >= q0+100*48
	})
	checkGens(t, a)
	if err := os.Remove(ballast); err != nil {
		t.Fatal(err)
	}
	a.WaitLog("logger: writing works again", 5*time.Second)
	daemontest.Until(t, "light-logger drained", 5*time.Second, func() bool {
		q, _ := queued(t, a, "light-logger")
		return q < 4096
	})
	if n := strings.Count(a.Log(), full); n != 1 {
		t.Errorf("disk full said %d times, want once", n)
	}
	checkGens(t, a)
	if code := a.Stop(); code != 0 {
		t.Errorf("exit code %d", code)
	}
	report := verifyData(t, a.Data)
	if !strings.Contains(report, "torn or damaged lines: 0") {
		t.Errorf("verify report:\n%s", report)
	}
	t.Log(report)
}

// frameLight is the size of a light sample frame: 40 bytes of frame
// and an 8-byte lux.
const frameLight = 48

// TestFaultReaderStopped stops the logger until the light-logger pipe
// is full and the light role drops samples; after SIGCONT the data must
// hold a gap record and the sender's drop record with the same exact
// count. To fill 1 MiB within a few seconds the pipe is first padded
// with zero bytes (not a frame: the logger skips them); the last
// 64 KiB are filled by the light role itself.
func TestFaultReaderStopped(t *testing.T) {
	a := daemontest.Start(t, bin, daemontest.Options{Config: "[light]\ninterval = \"1ms\"\n"})
	waitData(t, a.Data, "light samples", 5*time.Second, func(r []record) bool { return maxSeq(r, "light", 1) > 10 })
	logger, light := a.Child("logger"), a.Child("light")
	syscall.Kill(logger.PID, syscall.SIGSTOP)
	defer syscall.Kill(logger.PID, syscall.SIGCONT)
	fillUntilDropping(t, a, light.PID, 50)
	checkGens(t, a)
	syscall.Kill(logger.PID, syscall.SIGCONT)
	recs := waitData(t, a.Data, "gap and drop records", 10*time.Second, func(r []record) bool {
		g, d := gapAndDrop(r, "light")
		return g != nil && d != nil
	})
	g, d := gapAndDrop(recs, "light")
	if g.Gap.Count != d.Drop.Samples || g.Gap.First != d.Drop.First || g.Gap.Last != d.Drop.Last ||
		g.Gap.Count != g.Gap.Last-g.Gap.First+1 || g.Gap.Count == 0 {
		t.Errorf("gap %+v and drop %+v disagree (want the same non-empty range)", *g.Gap, *d.Drop)
	}
	checkGens(t, a)
	if code := a.Stop(); code != 0 {
		t.Errorf("exit code %d", code)
	}
	report := verifyData(t, a.Data)
	if !strings.Contains(report, fmt.Sprintf("1 gaps (%d samples lost, recorded), 0 unexplained holes", g.Gap.Count)) {
		t.Errorf("verify does not report the one gap of %d samples:\n%s", g.Gap.Count, report)
	}
	t.Logf("gap %+v drop %+v\n%s", *g.Gap, *d.Drop, report)
}

// fillUntilDropping fills the light-logger pipe of a stopped logger and
// waits until the light role (pid) has dropped at least n samples on
// it. The first 1 MiB - 64 KiB are zero bytes written through /proc
// (not a frame: the logger skips them), so that this takes a couple of
// seconds rather than twenty at 1 ms a sample.
func fillUntilDropping(t testing.TB, a *daemontest.Appliance, pid, n int) {
	t.Helper()
	w := openPipe(t, a, "light-logger")
	q, capacity := queued(t, a, "light-logger")
	pad := make([]byte, 4096)
	for ; q < capacity-64<<10; q += len(pad) {
		_, err := syscall.Write(w, pad)
		if err == syscall.EAGAIN {
			break // full already: the light role's frames took the rest
		}
		if err != nil {
			t.Fatalf("padding the pipe at %d bytes: %v", q, err)
		}
	}
	// Dropping: light writes n frames to its GUI pipe (wchar grows)
	// while the logger pipe does not change.
	last, mark := -1, int64(0)
	daemontest.Until(t, "light dropping frames on a full pipe", 15*time.Second, func() bool {
		q, _ := queued(t, a, "light-logger")
		wc := wchar(t, pid)
		if q != last {
			last, mark = q, wc
		}
		return wc-mark >= int64(n)*frameLight
	})
}

// TestFaultTailDropsOfKilledSensor: the light role drops samples on the
// full pipe of a stopped logger and is killed before it can send its
// drop report. Its next generation starts at seq 1, so no reader could
// see the loss from the seqs alone; the drop count is in the light
// role's drop ledger, and the next generation reports it under gen 1
// (RELIABILITY.md, bug 2).
func TestFaultTailDropsOfKilledSensor(t *testing.T) {
	a := daemontest.Start(t, bin, daemontest.Options{Config: "[light]\ninterval = \"1ms\"\n"})
	waitData(t, a.Data, "light samples", 5*time.Second, func(r []record) bool { return maxSeq(r, "light", 1) > 10 })
	logger, light := a.Child("logger"), a.Child("light")
	syscall.Kill(logger.PID, syscall.SIGSTOP)
	defer syscall.Kill(logger.PID, syscall.SIGCONT)
	fillUntilDropping(t, a, light.PID, 50)
	syscall.Kill(light.PID, syscall.SIGKILL)
	a.WaitRunning("light", 2)
	syscall.Kill(logger.PID, syscall.SIGCONT)
	recs := waitData(t, a.Data, "light gen 2 samples", 10*time.Second, func(r []record) bool {
		return maxSeq(r, "light", 2) > 0
	})
	last := maxSeq(recs, "light", 1)
	for _, r := range recs {
		if r.Src != "light" || r.Gen != 1 || r.Drop == nil {
			continue
		}
		// The logger was stopped, so the pipe never drained: every
		// sample after the last one in the data was dropped, in one
		// run. fillUntilDropping counts about 50 from outside, give or
		// take a frame in flight.
		d := r.Drop
		if d.First != last+1 || d.Samples < 25 || d.Last != d.First+d.Samples-1 {
			t.Errorf("gen 1 drop record %+v; want one run of about 50 samples from seq %d", *d, last+1)
		}
		report := verifyData(t, a.Data)
		if want := fmt.Sprintf("(%d samples lost at the end of a generation)", d.Samples); !strings.Contains(report, want) {
			t.Errorf("verify does not count gen 1's tail loss, %s:\n%s", want, report)
		}
		return
	}
	t.Errorf("light gen 1 dropped >= 50 samples (last in the data: seq %d) and the data does not say so", last)
}

// wchar is the bytes process pid has written so far (/proc/PID/io).
func wchar(t testing.TB, pid int) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "wchar: "); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	t.Fatalf("no wchar in /proc/%d/io", pid)
	return 0
}

// gapAndDrop returns the first gap and drop records of src.
func gapAndDrop(recs []record, src string) (gap, drop *record) {
	for i := range recs {
		r := &recs[i]
		if r.Src == src && r.Gap != nil && gap == nil {
			gap = r
		}
		if r.Src == src && r.Drop != nil && drop == nil {
			drop = r
		}
	}
	return gap, drop
}

// TestFaultGarbageInEveryPipe writes random bytes into all six pipes,
// through new write ends opened on the daemon's descriptors. Every
// reader must skip them: no child restarts, every pipe drains, and
// samples keep coming.
func TestFaultGarbageInEveryPipe(t *testing.T) {
	a := daemontest.Start(t, bin, daemontest.Options{Config: "[light]\ninterval = \"10ms\"\n"})
	before := maxSeq(waitData(t, a.Data, "light samples", 5*time.Second, func(r []record) bool {
		return maxSeq(r, "light", 1) > 10
	}), "light", 1)
	seed := time.Now().UnixNano()
	t.Logf("garbage seed %d", seed)
	rng := rand.New(rand.NewPCG(uint64(seed), 0))
	sent := 0
	for name := range pipeWriteEnds(t, a) {
		w := openPipe(t, a, name)
		for range 4 {
			b := make([]byte, 2048+rng.IntN(4096-2048+1))
			for i := range b {
				b[i] = byte(rng.Uint32())
			}
			if n, err := syscall.Write(w, b); err != nil || n != len(b) {
				t.Fatalf("%s: write %d bytes: %d %v", name, len(b), n, err)
			}
			sent += len(b)
		}
	}
	daemontest.Until(t, "every pipe drained", 10*time.Second, func() bool {
		st, err := a.Status()
		if err != nil {
			return false
		}
		for _, p := range st.Pipes {
			if p.QueuedBytes >= 4096 {
				return false
			}
		}
		return true
	})
	waitData(t, a.Data, "new light samples after the garbage", 5*time.Second, func(r []record) bool {
		return maxSeq(r, "light", 1) > before+50
	})
	checkGens(t, a)
	if !strings.Contains(a.Log(), "logger: skipped bytes that were not valid frames") {
		t.Errorf("the logger did not say it skipped garbage")
	}
	if code := a.Stop(); code != 0 {
		t.Errorf("exit code %d", code)
	}
	t.Logf("%d bytes of garbage in 6 pipes\n%s", sent, verifyData(t, a.Data))
}

// TestFaultCrashLoopAndMissingProgramBounded runs motion as a program
// that exits at once and light as one that does not exist. Both are
// retried for ever, no faster than the backoff allows (0, 50 ms,
// 100 ms, ... 5 s), the daemon uses little CPU meanwhile, and the
// logger and GUI are not disturbed. TestCrashLoopBacksOffOthersUndisturbed
// and TestMissingProgramRetriedDaemonStaysUp in e2e_test.go check the
// delays and the log line; this one bounds the number of starts.
func TestFaultCrashLoopAndMissingProgramBounded(t *testing.T) {
	a := daemontest.Spawn(t, bin, daemontest.Options{
		Config: "[motion]\nexec = \"/bin/false\"\n[light]\nexec = \"/nonexistent/light\"\n"})
	t0 := time.Now()
	a.WaitFor("motion started 8 times", 15*time.Second, func(st control.Status) bool {
		return childOf(st, "motion").Gen >= 8
	})
	elapsed := time.Since(t0)
	st, _ := a.Status()
	cpu := cpuTime(t, st.PID)
	allowed := maxStarts(elapsed)
	motion := strings.Count(a.Log(), `msg="child started" child=motion `)
	light := strings.Count(a.Log(), `msg="child not started" child=light`)
	if motion > allowed || light > allowed {
		t.Errorf("in %s: motion started %d times, light tried %d times; backoff allows %d",
			elapsed, motion, light, allowed)
	}
	if light < 4 {
		t.Errorf("light tried %d times in %s, want it retried", light, elapsed)
	}
	for _, name := range []string{"logger", "gui"} {
		if c := childOf(st, name); c.Gen != 1 || c.State != "running" {
			t.Errorf("%s disturbed: gen %d state %s", name, c.Gen, c.State)
		}
	}
	// Spinning would cost about the whole elapsed time; a quarter is
	// far above what restarts cost and below what a loop would.
	if cpu > elapsed/4 {
		t.Errorf("daemon used %s of CPU in %s", cpu, elapsed)
	}
	t.Logf("%s: motion %d starts, light %d tries (bound %d), daemon CPU %s", elapsed, motion, light, allowed, cpu)
}

func childOf(st control.Status, name string) control.ChildStatus {
	for _, c := range st.Children {
		if c.Name == name {
			return c
		}
	}
	return control.ChildStatus{}
}

// maxStarts is the most starts a crash-looping child can have within d
// under the backoff of the README ("How it works"): the first start, an immediate
// restart, then delays of 50 ms doubling up to 5 s.
func maxStarts(d time.Duration) int {
	n, at, delay := 2, time.Duration(0), 50*time.Millisecond
	for at+delay <= d {
		at += delay
		n++
		delay = min(2*delay, 5*time.Second)
	}
	return n
}

// cpuTime is the user and system time of pid (/proc/PID/stat).
func cpuTime(t testing.TB, pid int) time.Duration {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	i := strings.LastIndexByte(string(b), ')')
	f := strings.Fields(string(b)[i+2:])
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / 100 // USER_HZ
}

// TestFaultBadConfigNamesFileLineKey: a bad value or an unknown key is
// refused at start, naming file, line and key, with a non-zero exit
// (TestBadInputRefusedAtStart checks more inputs, by key name only).
func TestFaultBadConfigNamesFileLineKey(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ body, want string }{
		{"[light]\ninterval = \"soon\"\n", "bad.toml:2: light.interval"},
		{"[board]\nkind = \"sim\"\n\n[light]\ncolour = 3\n", "bad.toml:5: light.colour"},
		{"[supervisor]\npoll = \"1h\"\n", "bad.toml:2: supervisor.poll"},
	} {
		p := filepath.Join(dir, "bad.toml")
		os.WriteFile(p, []byte(tc.body), 0o644)
		cmd := exec.Command(bin, "run", "--sim", "--tty", "none", "--config", p,
			"--data-dir", filepath.Join(dir, "data"), "--runtime-dir", filepath.Join(dir, "run"))
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() == 0 {
			t.Errorf("%q: %v, want a non-zero exit", tc.body, err)
		}
		if !strings.Contains(string(out), tc.want) {
			t.Errorf("%q: output %q does not name %q", tc.body, out, tc.want)
		}
	}
}

// TestFaultLoggerDownAtShutdown: the logger cannot run (its program
// fails at once), so samples pile up in its pipes, and the appliance is
// stopped. Those samples are lost with the daemon's pipes; the daemon
// must say so, with the count, rather than exit as if all was well.
func TestFaultLoggerDownAtShutdown(t *testing.T) {
	a := daemontest.Spawn(t, bin, daemontest.Options{Config: "[logger]\nexec = \"/bin/false\"\n[light]\ninterval = \"5ms\"\n"})
	a.WaitLog(`msg="child died" child=logger`, 10*time.Second)
	daemontest.Until(t, "samples queued for the missing logger", 10*time.Second, func() bool {
		q, _ := queued(t, a, "light-logger")
		return q >= 10*frameLight
	})
	if code := a.Stop(); code != 0 {
		t.Errorf("exit code %d", code)
	}
	l := lineWith(a.Log(), `msg="samples not written: the logger did not drain its pipe" pipe=light-logger bytes=`)
	if !strings.Contains(l, `logger_last_exit="exit 1"`) {
		t.Errorf("no error naming the light-logger pipe, the bytes lost and why; log line %q", l)
	}
}

// TestFaultStoppedLoggerAtShutdown stops the logger (SIGSTOP, as a
// debugger or an admin's ^Z would) and then the appliance. A stopped
// process does not act on SIGTERM until it is continued, so unless the
// daemon follows SIGTERM with SIGCONT (as runit and s6 do) the logger
// sits out the grace period, is killed, and the samples waiting in its
// pipes are lost with the daemon.
func TestFaultStoppedLoggerAtShutdown(t *testing.T) {
	a := daemontest.Start(t, bin, daemontest.Options{Config: "[light]\ninterval = \"1ms\"\n"})
	waitData(t, a.Data, "light samples", 5*time.Second, func(r []record) bool { return maxSeq(r, "light", 1) > 10 })
	logger := a.Child("logger")
	syscall.Kill(logger.PID, syscall.SIGSTOP)
	daemontest.Until(t, "samples queued for the stopped logger", 5*time.Second, func() bool {
		q, _ := queued(t, a, "light-logger")
		return q >= 200*frameLight
	})
	if code := a.Stop(); code != 0 {
		t.Errorf("exit code %d", code)
	}
	l := lineWith(a.Log(), `msg="child stopped" child=logger`)
	if !strings.Contains(l, "exit_code=0") {
		t.Errorf("stopped logger not drained: %q", l)
	}
	if !strings.Contains(a.Log(), "logger: stopped") {
		t.Errorf("the logger never reached its drain-and-exit path")
	}
	if strings.Contains(a.Log(), "samples not written") {
		t.Errorf("the daemon reports samples left in the pipes of a logger that drained them")
	}
}
