package daemon_test

// TestChaos: the appliance under random signals to random children,
// watched for zombies, descriptor and memory growth, lost samples and a
// dead dashboard. RELIABILITY.md has the results of a long run.

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"sensord/control"
	"sensord/daemon/daemontest"
	"sensord/ipc/ipctest"
)

// soakSettings are read from the environment: SENSORD_SOAK (a
// duration, default 30s), SENSORD_SOAK_RATE (signals per second,
// default 5), SENSORD_SOAK_SEED (default: from the clock).
type soakSettings struct {
	dur  time.Duration
	rate float64
	seed uint64
}

func readSoakSettings(t *testing.T) soakSettings {
	s := soakSettings{dur: 30 * time.Second, rate: 5, seed: uint64(time.Now().UnixNano())}
	var err error
	if v := os.Getenv("SENSORD_SOAK"); v != "" {
		if s.dur, err = time.ParseDuration(v); err != nil {
			t.Fatalf("SENSORD_SOAK=%q: want a duration such as 10m", v)
		}
	}
	if v := os.Getenv("SENSORD_SOAK_RATE"); v != "" {
		if s.rate, err = strconv.ParseFloat(v, 64); err != nil || s.rate <= 0 {
			t.Fatalf("SENSORD_SOAK_RATE=%q: want signals per second, such as 5", v)
		}
	}
	if v := os.Getenv("SENSORD_SOAK_SEED"); v != "" {
		if s.seed, err = strconv.ParseUint(v, 10, 64); err != nil {
			t.Fatalf("SENSORD_SOAK_SEED=%q: want a number", v)
		}
	}
	return s
}

// soakApp is the appliance under test: run in a tmux pane of 80x24 so
// that the dashboard draws on a real terminal, or without a screen
// when tmux is missing.
type soakApp struct {
	t      *testing.T
	data   string
	socket string
	log    func() string
	stop   func() int    // SIGTERM; the exit code
	screen func() string // the pane; nil without tmux
	pid    int           // the daemon
}

func (a *soakApp) status() (control.Status, error) {
	var st control.Status
	err := (control.Client{Path: a.socket}).Do(context.Background(), control.Request{Cmd: "status"}, &st)
	return st, err
}

// waitAllRunning waits until the four children run.
func (a *soakApp) waitAllRunning(timeout time.Duration) control.Status {
	a.t.Helper()
	var st control.Status
	daemontest.Until(a.t, "all four children running", timeout, func() bool {
		var err error
		st, err = a.status()
		if err != nil || len(st.Children) != 4 {
			return false
		}
		for _, c := range st.Children {
			if c.State != "running" {
				return false
			}
		}
		return true
	})
	return st
}

const soakConfig = "[light]\ninterval = \"1ms\"\n"

func startSoakApp(t *testing.T) *soakApp {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Logf("tmux is not installed: the dashboard is not checked (apt-get install tmux)")
		a := daemontest.Start(t, bin, daemontest.Options{Config: soakConfig})
		st, _ := a.Status()
		return &soakApp{t: t, data: a.Data, socket: a.Socket(), log: a.Log, stop: a.Stop, pid: st.PID}
	}
	// A short directory: the control socket's path has a length limit.
	dir, err := os.MkdirTemp("", "chaos")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755)
	t.Cleanup(func() { os.RemoveAll(dir) })
	a := &soakApp{t: t, data: filepath.Join(dir, "data"), socket: filepath.Join(dir, "run", control.SocketName)}
	cfg, logf := filepath.Join(dir, "sensord.toml"), filepath.Join(dir, "daemon.log")
	os.WriteFile(cfg, []byte(soakConfig), 0o644)
	tmux := func(args ...string) string {
		out, err := exec.Command("tmux", append([]string{"-f", "/dev/null", "-S", filepath.Join(dir, "tmux.sock")}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	pane := fmt.Sprintf("%s run --sim --config %s --data-dir %s --runtime-dir %s 2>%s; echo SENSORD-EXITED $?; sleep 3600",
		bin, cfg, a.data, filepath.Dir(a.socket), logf)
	tmux("new-session", "-d", "-s", "chaos", "-x", "80", "-y", "24", pane)
	a.log = func() string { b, _ := os.ReadFile(logf); return string(b) }
	a.screen = func() string { return tmux("capture-pane", "-p", "-J", "-t", "chaos") }
	t.Cleanup(func() {
		if a.pid > 0 && !daemontest.Gone(a.pid) {
			syscall.Kill(a.pid, syscall.SIGKILL)
		}
		exec.Command("tmux", "-S", filepath.Join(dir, "tmux.sock"), "kill-server").Run()
		if t.Failed() {
			t.Logf("daemon log, last 100 lines:\n%s", lastLines(a.log(), 100))
		}
	})
	st := a.waitAllRunning(20 * time.Second)
	a.pid = st.PID
	a.stop = func() int {
		syscall.Kill(a.pid, syscall.SIGTERM)
		var code int
		daemontest.Until(t, "daemon exit shown in the pane", 20*time.Second, func() bool {
			m := regexp.MustCompile(`SENSORD-EXITED (\d+)`).FindStringSubmatch(a.screen())
			if m != nil {
				code, _ = strconv.Atoi(m[1])
			}
			return m != nil
		})
		return code
	}
	return a
}

// soakSample is one look at the daemon.
type soakSample struct {
	fds    int
	rssKiB int
	zombie map[int]bool // children of the daemon in state Z
}

func sampleDaemon(t *testing.T, pid int) soakSample {
	entries, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatalf("daemon gone: %v", err)
	}
	s := soakSample{fds: len(entries), zombie: zombies(pid)}
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			s.rssKiB, _ = strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
		}
	}
	return s
}

// zombies lists the processes in state Z whose parent is ppid.
func zombies(ppid int) map[int]bool {
	out := map[int]bool{}
	procs, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		i := bytes.LastIndexByte(b, ')')
		f := strings.Fields(string(b[i+1:]))
		if len(f) > 1 && f[0] == "Z" && f[1] == strconv.Itoa(ppid) {
			pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(p)))
			out[pid] = true
		}
	}
	return out
}

// chaosSignals are the signals sent, STOP being followed by CONT.
var chaosSignals = []syscall.Signal{syscall.SIGKILL, syscall.SIGSEGV, syscall.SIGABRT, syscall.SIGTERM, syscall.SIGSTOP}

// chaos is the state of one soak: what was sent and what was seen.
type chaos struct {
	t         *testing.T
	a         *soakApp
	rng       *rand.Rand
	startList string                            // the daemon's descriptors at the start, for a failure
	sent      map[string]map[syscall.Signal]int // child -> signal -> count
	stopped   map[int]time.Time                 // pid -> when to SIGCONT
	skipped   int                               // no running child to hit
	raced     int                               // the child died before the signal
	looks     int                               // status samples taken
	up        map[string]int                    // samples in which a child ran
	start     soakSample
	maxFDs    int
	maxRSS    int
	zombies   int // zombies seen in one sample (reaped by the next)
	lingered  []int
	prevZ     map[int]bool
}

// hit sends a random signal to a random running child.
func (c *chaos) hit() {
	st, err := c.a.status()
	if err != nil {
		c.t.Fatalf("status during the soak: %v", err)
	}
	var running []control.ChildStatus
	for _, ch := range st.Children {
		if ch.State == "running" && ch.PID > 0 {
			if _, stopped := c.stopped[ch.PID]; !stopped {
				running = append(running, ch)
			}
		}
	}
	if len(running) == 0 {
		c.skipped++
		return
	}
	ch := running[c.rng.IntN(len(running))]
	sig := chaosSignals[c.rng.IntN(len(chaosSignals))]
	if syscall.Kill(ch.PID, sig) != nil {
		c.raced++
		return
	}
	c.sent[ch.Name][sig]++
	if sig == syscall.SIGSTOP {
		c.stopped[ch.PID] = time.Now().Add(time.Duration(20+c.rng.IntN(480)) * time.Millisecond)
	}
}

// resume sends SIGCONT to the children whose pause is over (all with
// force).
func (c *chaos) resume(force bool) {
	for pid, at := range c.stopped {
		if force || time.Now().After(at) {
			syscall.Kill(pid, syscall.SIGCONT)
			delete(c.stopped, pid)
		}
	}
}

// watch takes one sample of the daemon. A zombie child seen in two
// samples a second apart was not reaped: that is a failure.
func (c *chaos) watch() {
	s := sampleDaemon(c.t, c.a.pid)
	c.maxFDs, c.maxRSS = max(c.maxFDs, s.fds), max(c.maxRSS, s.rssKiB)
	for pid := range s.zombie {
		if c.prevZ[pid] {
			c.lingered = append(c.lingered, pid)
		} else {
			c.zombies++
		}
	}
	c.prevZ = s.zombie
	if st, err := c.a.status(); err == nil {
		c.looks++
		for _, ch := range st.Children {
			if ch.State == "running" {
				c.up[ch.Name]++
			}
		}
	}
}

func (c *chaos) run(d time.Duration, rate float64) {
	end := time.Now().Add(d)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	next := time.NewTimer(c.interval(rate))
	defer next.Stop()
	cont := time.NewTicker(10 * time.Millisecond)
	defer cont.Stop()
	for time.Now().Before(end) {
		select {
		case <-next.C:
			c.hit()
			next.Reset(c.interval(rate))
		case <-cont.C:
			c.resume(false)
		case <-tick.C:
			c.watch()
		}
	}
	c.resume(true)
}

// interval draws the time to the next signal: exponential, so signals
// come at random instants at the given mean rate.
func (c *chaos) interval(rate float64) time.Duration {
	return time.Duration(c.rng.ExpFloat64() / rate * float64(time.Second))
}

func TestChaos(t *testing.T) {
	if testing.Short() {
		t.Skip("chaos soak; not with -short")
	}
	set := readSoakSettings(t)
	t.Logf("soak %s at %.1f signals/s, SENSORD_SOAK_SEED=%d", set.dur, set.rate, set.seed)
	a := startSoakApp(t)
	c := &chaos{t: t, a: a, rng: rand.New(rand.NewPCG(set.seed, 0)), stopped: map[int]time.Time{},
		sent: map[string]map[syscall.Signal]int{}, up: map[string]int{}}
	for _, n := range []string{"gui", "motion", "light", "logger"} {
		c.sent[n] = map[syscall.Signal]int{}
	}
	// The GUI follows the status on one connection that stays open
	// (subscribe): count from when it is there, as it is at the end.
	if !ipctest.Poll(10*time.Second, func() bool { return strings.Count(fdList(a.pid), "socket:") >= 3 }) {
		t.Fatalf("the GUI never subscribed to the daemon's status:\n%s", fdList(a.pid))
	}
	c.start = steadyFDs(t, a.pid)
	c.startList = fdList(a.pid)
	c.maxFDs, c.maxRSS = c.start.fds, c.start.rssKiB
	began := time.Now()
	c.run(set.dur, set.rate)
	r := c.finish(time.Since(began))
	t.Log(r.table())
}

// steadyFDs samples the daemon a few times and keeps the most frequent
// descriptor count: a control connection (the GUI's pipe-fill poll) or
// a restarting child's pidfd may come and go meanwhile.
func steadyFDs(t *testing.T, pid int) soakSample {
	s := sampleDaemon(t, pid)
	seen := map[int]int{}
	for range 10 {
		seen[sampleDaemon(t, pid).fds]++
		time.Sleep(20 * time.Millisecond)
	}
	for n, k := range seen {
		if k > seen[s.fds] {
			s.fds = n
		}
	}
	return s
}

// soakResult is what the summary table prints.
type soakResult struct {
	c        *chaos
	elapsed  time.Duration
	final    control.Status
	died     map[string]int
	cores    int // deaths with core_dumped=true
	coreDir  string
	coreList []string
	endFDs   int
	endRSS   int
	verify   string
	gaps     map[string][2]uint64 // src -> records, samples
	samples  map[string]int
	screen   string
}

func (c *chaos) finish(elapsed time.Duration) *soakResult {
	t, a := c.t, c.a
	r := &soakResult{c: c, elapsed: elapsed, died: map[string]int{}, gaps: map[string][2]uint64{},
		samples: map[string]int{}}
	// Every death restarted: all four run again (a crash-looped child
	// may wait out a backoff of up to 5 s), as often as they died.
	r.final = a.waitAllRunning(15 * time.Second)
	log := a.log()
	for _, ch := range r.final.Children {
		r.died[ch.Name] = strings.Count(log, `msg="child died" child=`+ch.Name+" ")
		if ch.Restarts != r.died[ch.Name] || int(ch.Gen) != ch.Restarts+1 {
			t.Errorf("%s: %d deaths logged, restarts %d, gen %d", ch.Name, r.died[ch.Name], ch.Restarts, ch.Gen)
		}
	}
	r.cores = strings.Count(log, "core_dumped=true")
	if len(c.lingered) > 0 {
		t.Errorf("zombie children of the daemon not reaped within a second: %v", c.lingered)
	}
	c.checkFlat(r)
	r.checkScreen(t, a)
	if code := a.stop(); code != 0 {
		t.Errorf("daemon exit code %d after SIGTERM", code)
	}
	r.readCores(a.data)
	r.checkData(t, a.data)
	return r
}

// checkFlat checks the daemon's descriptors and memory after the soak.
func (c *chaos) checkFlat(r *soakResult) {
	var s soakSample
	if !ipctest.Poll(5*time.Second, func() bool {
		s = sampleDaemon(c.t, c.a.pid)
		return s.fds == c.start.fds
	}) {
		c.t.Fatalf("daemon has %d descriptors after the soak, %d at the start; at the start:\n%s\nat the end:\n%s", s.fds, c.start.fds, c.startList, fdList(c.a.pid))
	}
	r.endFDs, r.endRSS = s.fds, s.rssKiB
	if limit := 2*c.start.rssKiB + 4096; s.rssKiB > limit {
		c.t.Errorf("daemon RSS %d KiB after the soak, %d at the start: over %d", s.rssKiB, c.start.rssKiB, limit)
	}
}

var procRow = regexp.MustCompile(`(?m)^ (gui|motion|light|logger) +\d+ +running`)

// checkScreen waits for the dashboard to show lux and four running
// processes after the soak.
func (r *soakResult) checkScreen(t *testing.T, a *soakApp) {
	if a.screen == nil {
		r.screen = "(not checked: no tmux)"
		return
	}
	daemontest.Until(t, "the dashboard drawing lux and four running processes", 10*time.Second, func() bool {
		r.screen = a.screen()
		return strings.Contains(r.screen, " lx") && len(procRow.FindAllString(r.screen, -1)) == 4
	})
}

func (r *soakResult) readCores(data string) {
	pattern, _ := os.ReadFile("/proc/sys/kernel/core_pattern")
	r.coreDir = strings.TrimSpace(string(pattern))
	if !strings.HasPrefix(r.coreDir, "|") && !strings.HasPrefix(r.coreDir, "/") {
		r.coreDir = filepath.Join(data, "cores", r.coreDir)
	}
	entries, _ := os.ReadDir(filepath.Join(data, "cores"))
	for _, e := range entries {
		if info, err := e.Info(); err == nil {
			r.coreList = append(r.coreList, fmt.Sprintf("%s (%d KiB)", e.Name(), info.Size()>>10))
		}
	}
}

// checkData runs `sensord data verify` (it fails on torn lines and on
// holes no gap record explains) and counts samples and gaps.
func (r *soakResult) checkData(t *testing.T, data string) {
	r.verify = verifyData(t, data)
	for _, rec := range readData(t, data) {
		if rec.Seq > 0 {
			r.samples[rec.Src]++
		}
		if rec.Gap != nil {
			g := r.gaps[rec.Src]
			r.gaps[rec.Src] = [2]uint64{g[0] + 1, g[1] + rec.Gap.Count}
		}
	}
	if r.samples["light"] == 0 {
		t.Errorf("no light sample in the data")
	}
}

func (r *soakResult) table() string {
	var b strings.Builder
	c := r.c
	fmt.Fprintf(&b, "\nchaos soak: %s; signals not sent: %d with no child running (all in backoff or stopped), "+
		"%d to a child that had just died\n", r.elapsed.Round(time.Second), c.skipped, c.raced)
	fmt.Fprintf(&b, "%-7s %6s %6s %6s %6s %6s %6s %8s %4s %8s\n", "child", "KILL", "SEGV", "ABRT", "TERM", "STOP",
		"died", "restarts", "gen", "running")
	for _, ch := range r.final.Children {
		s := c.sent[ch.Name]
		fmt.Fprintf(&b, "%-7s %6d %6d %6d %6d %6d %6d %8d %4d %7.0f%%\n", ch.Name, s[syscall.SIGKILL], s[syscall.SIGSEGV],
			s[syscall.SIGABRT], s[syscall.SIGTERM], s[syscall.SIGSTOP], r.died[ch.Name], ch.Restarts, ch.Gen,
			100*float64(c.up[ch.Name])/float64(max(c.looks, 1)))
	}
	fmt.Fprintf(&b, "daemon descriptors: start %d, max %d, end %d\n", c.start.fds, c.maxFDs, r.endFDs)
	fmt.Fprintf(&b, "daemon RSS KiB:     start %d, max %d, end %d\n", c.start.rssKiB, c.maxRSS, r.endRSS)
	fmt.Fprintf(&b, "zombies: %d seen once (reaped within 1 s), %d lingering\n", c.zombies, len(c.lingered))
	srcs := make([]string, 0, len(r.samples))
	for s := range r.samples {
		srcs = append(srcs, s)
	}
	sort.Strings(srcs)
	for _, s := range srcs {
		fmt.Fprintf(&b, "data %-6s: %d samples, %d gap records (%d samples lost, recorded)\n", s, r.samples[s], r.gaps[s][0], r.gaps[s][1])
	}
	fmt.Fprintf(&b, "cores: %d deaths with core_dumped=true; core_pattern -> %s; files now: %v\n", r.cores, r.coreDir, r.coreList)
	fmt.Fprintf(&b, "sensord data verify:\n%s", r.verify)
	fmt.Fprintf(&b, "dashboard after the soak:\n%s", r.screen)
	return b.String()
}

func lastLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// fdList is what each of pid's descriptors is, one per line.
func fdList(pid int) string {
	dir := fmt.Sprintf("/proc/%d/fd", pid)
	ents, _ := os.ReadDir(dir)
	var b strings.Builder
	for _, e := range ents {
		l, _ := os.Readlink(filepath.Join(dir, e.Name()))
		fmt.Fprintf(&b, "%s -> %s\n", e.Name(), l)
	}
	return b.String()
}
