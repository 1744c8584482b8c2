package daemon_test

// Benchmarks of the daemon (README "Numbers", BENCHMARKS.md): restart latency,
// recovery and idle cost, measured on the real binary under --sim.
//
//	go test ./daemon -run '^$' -bench . -benchtime 1x
//
// Each benchmark does its own fixed number of kills (a benchmark loop
// that repeats until a time budget is spent makes no sense for
// percentiles of events paced by the restart policy) and reports its
// figures with b.ReportMetric; ns/op is meaningless here. Counts can be
// changed with SENSORD_BENCH_KILLS (restart latency, default 200) and
// SENSORD_BENCH_RECOVERY_KILLS (recovery, default 100). Results are in
// BENCHMARKS.md.

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"sensord/control"
	"sensord/daemon/daemontest"
)

// benchSeed makes the kill instants the same in every run.
const benchSeed = 20261121

// upBeforeKill keeps every kill of a child at least this long after its
// start: the policy counts a death within 1 s of the start as a quick
// death and backs off from the second one, which would measure the
// backoff, not the restart path.
const upBeforeKill = 1050 * time.Millisecond

// benchRoles are rotated over by BenchmarkRestartLatency.
var benchRoles = []string{"logger", "gui", "motion", "light"}

// BenchmarkRestartLatency kills children with SIGKILL at random moments
// and measures kill → successor exec'd, from the daemon's own
// started_mono_ns (taken once ForkExec returned, that is once exec
// succeeded) minus CLOCK_MONOTONIC just before kill(2).
//
// It rotates over the four real children rather than putting a trivial
// program in one role: every kill then goes through the very spawn path
// of the appliance (same argv, pipes, credentials, process group), each
// child has been up more than a second when it is killed so that no
// backoff is involved, and 200 kills take about a minute instead of
// more than three with one child. After the uptime wait a seeded
// random delay of 0-100 ms places each kill at a random phase of the
// 50 ms poll tick.
//
// The successor is not watched through the control socket: a status
// request wakes the loop, which reaps at once, and would hide the poll
// period. The benchmark waits for the killed pid to disappear from /proc
// (reaped; the loop respawns in the same pass) and only then asks.
func BenchmarkRestartLatency(b *testing.B) {
	for _, tc := range []struct{ name, config string }{
		{"sigchld", ""},
		{"poll-only", "[supervisor]\nsigchld = false\n"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			a := daemontest.Start(b, bin, daemontest.Options{Config: tc.config})
			lat := restartLatencies(b, a, envInt(b, "SENSORD_BENCH_KILLS", 200))
			reportPercentiles(b, lat, "")
		})
	}
}

func restartLatencies(b *testing.B, a *daemontest.Appliance, kills int) []float64 {
	rng := rand.New(rand.NewPCG(benchSeed, 1))
	st, err := a.Status()
	if err != nil {
		b.Fatal(err)
	}
	lat := make([]float64, 0, kills)
	for i := range kills {
		victim := benchChild(b, st, benchRoles[i%len(benchRoles)])
		killAt := waitUpThenJitter(victim, rng)
		if err := syscall.Kill(victim.PID, syscall.SIGKILL); err != nil {
			b.Fatal(err)
		}
		st = afterReap(b, a, victim)
		next := benchChild(b, st, victim.Name)
		lat = append(lat, float64(next.StartedMonoNS-killAt)/1e6)
	}
	return lat
}

// waitUpThenJitter waits until c has run upBeforeKill, then 0-100 ms
// more, and returns CLOCK_MONOTONIC at the end: the kill time.
func waitUpThenJitter(c control.ChildStatus, rng *rand.Rand) int64 {
	due := c.StartedMonoNS + upBeforeKill.Nanoseconds()
	if d := due - monoNS(); d > 0 {
		time.Sleep(time.Duration(d))
	}
	time.Sleep(time.Duration(rng.Int64N(int64(100 * time.Millisecond))))
	return monoNS()
}

// afterReap waits until the daemon has reaped c's process, then returns
// the status, which by then shows the successor (the loop reaps and
// respawns in one pass before it answers a request).
func afterReap(b *testing.B, a *daemontest.Appliance, c control.ChildStatus) control.Status {
	b.Helper()
	proc := "/proc/" + strconv.Itoa(c.PID)
	daemontest.Until(b, fmt.Sprintf("%s (pid %d) reaped after SIGKILL", c.Name, c.PID), 5*time.Second, func() bool {
		_, err := os.Stat(proc)
		return os.IsNotExist(err)
	})
	st, err := a.Status()
	if err != nil {
		b.Fatal(err)
	}
	next := benchChild(b, st, c.Name)
	if next.State != "running" || next.Gen != c.Gen+1 {
		b.Fatalf("%s after kill of gen %d: state %s gen %d; want running gen %d (backoff means a kill came within 1 s of a start)",
			c.Name, c.Gen, next.State, next.Gen, c.Gen+1)
	}
	return st
}

// BenchmarkRecovery kills the light sensor (10 ms interval) and
// measures kill → first frame of the new generation read by a reader.
// The dashboard role is played by scripts/bench/genstamp, which stamps
// with CLOCK_MONOTONIC the first frame (and the first sample) of each
// light generation it reads from the light-gui pipe. The first frame is
// the new sensor's status; the first sample follows one BH1750
// conversion later (the simulated chip keeps the real one's 180 ms).
// The logger's records give a second view of the sample: first record
// of the new generation, its `t` minus the kill's wall time.
func BenchmarkRecovery(b *testing.B) {
	dir := daemontest.OpenDir(b)
	stamp := filepath.Join(dir, "genstamp")
	buildTool(b, "./scripts/bench/genstamp", stamp)
	if err := os.WriteFile(stamp+".log", nil, 0o666); err != nil {
		b.Fatal(err)
	}
	os.Chmod(stamp+".log", 0o666) // the child runs as an unprivileged user under root
	a := daemontest.Start(b, bin, daemontest.Options{
		Config: fmt.Sprintf("[light]\ninterval = \"10ms\"\n[gui]\nexec = %q\n", stamp)})
	rng := rand.New(rand.NewPCG(benchSeed, 2))
	kills := envInt(b, "SENSORD_BENCH_RECOVERY_KILLS", 100)
	killMono := map[uint32]int64{} // new gen -> kill time
	killWall := map[uint32]time.Time{}
	var execMS []float64
	for range kills {
		c := a.WaitRunning("light", 1)
		waitStamp(b, stamp+".log", "frame", c.Gen) // the old generation is up and sending
		killMono[c.Gen+1] = waitUpThenJitter(c, rng)
		killWall[c.Gen+1] = time.Now()
		if err := syscall.Kill(c.PID, syscall.SIGKILL); err != nil {
			b.Fatal(err)
		}
		next := benchChild(b, afterReap(b, a, c), "light")
		execMS = append(execMS, float64(next.StartedMonoNS-killMono[next.Gen])/1e6)
	}
	last := a.Child("light").Gen
	frames := waitStamp(b, stamp+".log", "frame", last)
	samples := waitStamp(b, stamp+".log", "sample", last)
	reportPercentiles(b, sinceKill(frames, killMono), "")
	reportPercentiles(b, sinceKill(samples, killMono), "sample-")
	reportPercentiles(b, execMS, "exec-")
	reportPercentiles(b, loggerRecovery(b, a, last, killWall), "logger-t-")
}

// waitStamp waits until genstamp's log has a line of kind for gen and
// returns the receive time of each generation's line of that kind.
func waitStamp(b *testing.B, path, kind string, gen uint32) map[uint32]int64 {
	b.Helper()
	var got map[uint32]int64
	daemontest.Until(b, fmt.Sprintf("genstamp %s of light gen %d", kind, gen), 10*time.Second, func() bool {
		got = readStamps(b, path, kind)
		_, ok := got[gen]
		return ok
	})
	return got
}

func readStamps(b *testing.B, path, kind string) map[uint32]int64 {
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	out := map[uint32]int64{}
	for _, l := range strings.Split(string(data), "\n") {
		var k string
		var gen uint32
		var typ int
		var recv, sent int64
		if n, _ := fmt.Sscan(l, &k, &gen, &typ, &recv, &sent); n == 5 && k == kind {
			out[gen] = recv
		}
	}
	return out
}

func sinceKill(recv, kill map[uint32]int64) []float64 {
	var out []float64
	for gen, k := range kill {
		if r, ok := recv[gen]; ok {
			out = append(out, float64(r-k)/1e6)
		}
	}
	return out
}

// loggerRecovery reads the logger's files and returns, for each killed
// generation, the first sample record of the next one: its `t` (when
// the sensor took it) minus the kill's wall time.
func loggerRecovery(b *testing.B, a *daemontest.Appliance, last uint32, kill map[uint32]time.Time) []float64 {
	b.Helper()
	first := map[uint32]time.Time{}
	daemontest.Until(b, "logger wrote light gen "+strconv.Itoa(int(last)), 10*time.Second, func() bool {
		first = firstLightRecords(b, a.Data)
		_, ok := first[last]
		return ok
	})
	var out []float64
	for gen, k := range kill {
		if t, ok := first[gen]; ok {
			out = append(out, float64(t.Sub(k))/1e6)
		}
	}
	return out
}

func firstLightRecords(b *testing.B, dir string) map[uint32]time.Time {
	files, _ := filepath.Glob(filepath.Join(dir, "sensord-*.jsonl"))
	first := map[uint32]time.Time{}
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			b.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			var r struct {
				Src string    `json:"src"`
				Gen uint32    `json:"gen"`
				Seq uint64    `json:"seq"` // samples only
				T   time.Time `json:"t"`
			}
			if json.Unmarshal(sc.Bytes(), &r) != nil || r.Src != "light" || r.Seq == 0 {
				continue
			}
			if t, ok := first[r.Gen]; !ok || r.T.Before(t) {
				first[r.Gen] = r.T
			}
		}
		f.Close()
	}
	return first
}

// BenchmarkDaemonIdle measures the appliance at rest for 10 s: the
// daemon's CPU and wake-ups (context switches of all its threads), the
// RSS of every process, the CPU of each child, and the binary's size.
// Nothing talks to the daemon during the window.
func BenchmarkDaemonIdle(b *testing.B) {
	a := daemontest.Start(b, bin, daemontest.Options{})
	st, err := a.Status()
	if err != nil {
		b.Fatal(err)
	}
	time.Sleep(2 * time.Second) // let the children's start-up work pass
	window := 10 * time.Second
	before := sampleProc(b, st.PID)
	kids := map[string]procSample{}
	for _, c := range st.Children {
		kids[c.Name] = sampleProc(b, c.PID)
	}
	t0 := time.Now()
	time.Sleep(window)
	secs := time.Since(t0).Seconds()
	after := sampleProc(b, st.PID)
	b.ReportMetric(100*(after.cpu-before.cpu).Seconds()/secs, "daemon-cpu-%")
	b.ReportMetric(float64(after.ctxt-before.ctxt)/secs, "daemon-wakeups/s")
	b.ReportMetric(float64(after.rssKiB), "daemon-rss-KiB")
	for _, c := range st.Children {
		k := sampleProc(b, c.PID)
		b.ReportMetric(float64(k.rssKiB), c.Name+"-rss-KiB")
		b.ReportMetric(100*(k.cpu-kids[c.Name].cpu).Seconds()/secs, c.Name+"-cpu-%")
	}
	fi, err := os.Stat(bin)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(fi.Size())/(1<<20), "binary-MiB")
}

// procSample is one reading of a process's counters.
type procSample struct {
	cpu    time.Duration // utime + stime
	ctxt   int64         // voluntary + nonvoluntary switches, all threads
	rssKiB int64
}

// clockTicks is USER_HZ, 100 on every Linux architecture Go supports.
const clockTicks = 100

func sampleProc(b *testing.B, pid int) procSample {
	b.Helper()
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Fatal(err)
	}
	f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+2:]))
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	s := procSample{cpu: time.Duration(ut+st) * time.Second / clockTicks}
	s.rssKiB = statusField(b, fmt.Sprintf("/proc/%d/status", pid), "VmRSS:")
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/status", pid))
	for _, t := range tasks {
		s.ctxt += statusField(b, t, "voluntary_ctxt_switches:") +
			statusField(b, t, "nonvoluntary_ctxt_switches:")
	}
	return s
}

// statusField returns the number after key in a /proc status file, or 0
// when the file is gone (a thread that ended).
func statusField(b *testing.B, path, key string) int64 {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, key); ok {
			n, _ := strconv.ParseInt(strings.Fields(v)[0], 10, 64)
			return n
		}
	}
	b.Fatalf("%s has no %s", path, key)
	return 0
}

// reportPercentiles reports p50, p99 and max of ms as prefix+"p50-ms"...
func reportPercentiles(b *testing.B, ms []float64, prefix string) {
	b.Helper()
	if len(ms) == 0 {
		b.Fatalf("no %s samples", prefix)
	}
	slices.Sort(ms)
	b.ReportMetric(percentile(ms, 50), prefix+"p50-ms")
	b.ReportMetric(percentile(ms, 99), prefix+"p99-ms")
	b.ReportMetric(ms[len(ms)-1], prefix+"max-ms")
	b.ReportMetric(float64(len(ms)), prefix+"n")
}

// percentile is the nearest-rank percentile of sorted values.
func percentile(sorted []float64, p float64) float64 {
	i := int(float64(len(sorted))*p/100+0.999999) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func benchChild(b *testing.B, st control.Status, name string) control.ChildStatus {
	b.Helper()
	for _, c := range st.Children {
		if c.Name == name {
			return c
		}
	}
	b.Fatalf("no child %q in status", name)
	return control.ChildStatus{}
}

func envInt(b *testing.B, key string, def int) int {
	v := os.Getenv(key)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		b.Fatalf("%s=%q: want a positive number", key, v)
	}
	return n
}

// buildTool builds the package pkg of this module into out.
func buildTool(b *testing.B, pkg, out string) {
	b.Helper()
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Dir = ".."
	if msg, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("go build %s: %v\n%s", pkg, err, msg)
	}
}

func monoNS() int64 {
	var ts unix.Timespec
	_ = unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	return ts.Nano()
}
