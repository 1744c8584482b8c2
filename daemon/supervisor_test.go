package daemon

import (
	"context"
	"log/slog"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"sensord/config"
)

// fakeProcs is procs with no process: spawn hands out pids, a test
// ends one with exit, and reap returns what exit left.
type fakeProcs struct {
	next    int
	exits   map[int]syscall.WaitStatus
	signals []string // "light SIGTERM", in order
	names   map[int]string
	fail    bool // the next spawn fails
	// execErrs: pids that die having never exec'd, and why
	execErrs map[int]error
	order    *[]string // if set, "spawn NAME" is appended at each spawn
}

func (f *fakeProcs) spawn(sp spawnSpec) (int, error) {
	if f.fail {
		f.fail = false
		return 0, syscall.ENOENT
	}
	f.next++
	f.names[f.next] = sp.argv[1]
	if f.order != nil {
		*f.order = append(*f.order, "spawn "+sp.argv[1])
	}
	return f.next, nil
}

func (f *fakeProcs) reap(pid int) (syscall.WaitStatus, *syscall.Rusage, bool) {
	ws, ok := f.exits[pid]
	if ok {
		delete(f.exits, pid)
	}
	return ws, &syscall.Rusage{}, ok
}

func (f *fakeProcs) kill(pid int, sig syscall.Signal) error {
	if pid < 0 {
		pid = -pid
	}
	f.signals = append(f.signals, f.names[pid]+" "+sig.String())
	if sig == syscall.SIGKILL || sig == syscall.SIGTERM {
		f.exits[pid] = syscall.WaitStatus(sig) // killed by sig
	}
	return nil
}

func (f *fakeProcs) track(int) error { return nil }
func (f *fakeProcs) forget(int)      {}
func (f *fakeProcs) execErr(pid int) error {
	err := f.execErrs[pid]
	delete(f.execErrs, pid)
	return err
}

// quiet is a notifier that records nothing.
type quiet struct{ sent []string }

func (q *quiet) send(s string)                           { q.sent = append(q.sent, s) }
func (q *quiet) watchdogInterval() (time.Duration, bool) { return 0, false }

// machine is a supervisor on fake processes and a fake clock: the loop's
// steps are called by the test, as the loop would after each wake-up.
type machine struct {
	*supervisor
	t   *testing.T
	p   *fakeProcs
	clk *clockwork.FakeClock
	n   *quiet
}

func newMachine(t *testing.T, edit func(*config.Config)) *machine {
	t.Helper()
	cfg := config.Default()
	cfg.Logger.Dir = t.TempDir()
	if edit != nil {
		edit(&cfg)
	}
	gens, err := loadGenerations(filepath.Join(cfg.Logger.Dir, "generations"))
	if err != nil {
		t.Fatal(err)
	}
	clk := clockwork.NewFakeClockAt(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	p := &fakeProcs{exits: map[int]syscall.WaitStatus{}, names: map[int]string{}}
	s := newSupervisor(cfg, runEnv{self: "/usr/bin/sensord"}, gens, clk, slog.New(slog.DiscardHandler))
	s.procs, s.pipes, s.term = p, map[string]*pipe{}, &terminal{fd: -1, mode: ttyNone}
	for _, t := range pipeTable {
		s.pipes[t.writer+"-"+t.reader] = &pipe{name: t.writer + "-" + t.reader, r: -1, w: -1}
	}
	m := &machine{supervisor: s, t: t, p: p, clk: clk, n: &quiet{}}
	s.startAll()
	return m
}

// step is one turn of the loop after a wake-up at the clock's time.
func (m *machine) step() {
	m.reapAll()
	m.advance(m.n)
	m.announce(m.n)
}

// die ends name's process with signal sig after it ran d, and steps.
func (m *machine) die(name string, d time.Duration, sig syscall.Signal) {
	m.clk.Advance(d)
	m.p.exits[m.children[name].pid] = syscall.WaitStatus(sig)
	m.step()
}

func (m *machine) want(name, state string, gen uint32) *child {
	m.t.Helper()
	c := m.children[name]
	if c.state != state || c.gen != gen {
		m.t.Fatalf("%s: state %s gen %d; want %s gen %d", name, c.state, c.gen, state, gen)
	}
	return c
}

// TestBackoffSteps: the first quick death restarts at once, the next
// wait 50 ms doubling to 5 s, a start that fails to exec backs off too,
// and 10 s of running forgets the failures.
func TestBackoffSteps(t *testing.T) {
	m := newMachine(t, nil)
	m.die("light", 100*time.Millisecond, syscall.SIGSEGV)
	m.want("light", stateRunning, 2)
	var delays []time.Duration
	for range 8 {
		m.die("light", 100*time.Millisecond, syscall.SIGSEGV)
		gen := m.children["light"].gen
		c := m.want("light", stateBackoff, gen)
		d := c.next.Sub(m.clk.Now())
		delays = append(delays, d)
		m.clk.Advance(d - time.Millisecond)
		m.step()
		m.want("light", stateBackoff, gen) // not a moment early
		m.clk.Advance(time.Millisecond)
		m.step()
		m.want("light", stateRunning, gen+1)
	}
	want := []time.Duration{50, 100, 200, 400, 800, 1600, 3200, 5000}
	for i := range want {
		want[i] *= time.Millisecond
	}
	if !slices.Equal(delays, want) {
		t.Errorf("backoff %v; want %v", delays, want)
	}
	m.die("light", stableAfter, syscall.SIGSEGV) // ran long enough: forgotten
	m.want("light", stateRunning, 11)
	m.p.fail = true
	m.die("light", 100*time.Millisecond, syscall.SIGKILL)
	if c := m.children["light"]; c.state != stateBackoff || c.pid != 0 {
		t.Errorf("a failed exec: state %s pid %d; want backoff", c.state, c.pid)
	}
}

// TestExecFailedAtDeath: a spawn that returned before the exec (the
// clone path) and whose child then could not exec is a start that
// failed, not a death: backoff as for a failed spawn, no exit status
// recorded, and a stop in the meantime just stops it.
func TestExecFailedAtDeath(t *testing.T) {
	m := newMachine(t, nil)
	m.p.execErrs = map[int]error{m.children["light"].pid: syscall.ENOENT}
	m.die("light", time.Millisecond, syscall.Signal(0))
	c := m.children["light"]
	if c.state != stateBackoff || c.pid != 0 || c.fails != 1 || c.lastExit != nil {
		t.Fatalf("after an exec failure: state %s pid %d fails %d last exit %v; want backoff, no pid, one failure, no exit",
			c.state, c.pid, c.fails, c.lastExit)
	}
	gen := c.gen
	m.clk.Advance(c.next.Sub(m.clk.Now()))
	m.step()
	m.want("light", stateRunning, gen+1)

	m.p.execErrs = map[int]error{c.pid: syscall.ENOENT}
	m.beginStop(m.n)
	m.step()
	if c.state != stateStopped {
		t.Errorf("stopping, an exec failure: state %s; want stopped", c.state)
	}
}

// TestStopOrder: SIGTERM goes to the sensors first, the logger only once
// they are gone (to drain its pipes), the GUI last; a second stop kills
// everything at once.
func TestStopOrder(t *testing.T) {
	m := newMachine(t, nil)
	m.beginStop(m.n)
	m.step()
	m.step()
	m.step()
	var terms []string
	for _, s := range m.p.signals {
		if name, sig, _ := cut(s); sig == "terminated" {
			terms = append(terms, name)
		}
	}
	if !slices.Equal(terms, []string{"motion", "light", "logger", "gui"}) {
		t.Errorf("SIGTERM order %v; want the sensors, then the logger, then the gui", terms)
	}
	if !m.finished() {
		t.Error("not finished after every child stopped")
	}

	m = newMachine(t, nil)
	m.beginStop(m.n)
	m.beginStop(m.n)
	if !m.killed {
		t.Error("a second stop did not kill everything")
	}
}

func cut(s string) (string, string, bool) {
	for i := range s {
		if s[i] == ' ' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// TestRestartDuringBackoff: a restart request for a child waiting out
// its backoff starts it now, with the failures forgotten.
func TestRestartDuringBackoff(t *testing.T) {
	m := newMachine(t, nil)
	m.die("light", 10*time.Millisecond, syscall.SIGSEGV)
	m.die("light", 10*time.Millisecond, syscall.SIGSEGV)
	c := m.want("light", stateBackoff, 2)
	m.restart(c)
	m.want("light", stateRunning, 3)
	if c.fails != 0 {
		t.Errorf("fails %d after a restart request; want 0", c.fails)
	}
}

// TestApplyRestartsOnlyChanged: a new light.interval restarts light
// alone.
func TestApplyRestartsOnlyChanged(t *testing.T) {
	m := newMachine(t, nil)
	cfg := m.cfg
	cfg.Light.Interval = config.Duration(2 * time.Second)
	m.apply(cfg)
	m.step()
	for _, name := range childNames {
		want := uint32(1)
		if name == "light" {
			want = 2
		}
		m.want(name, stateRunning, want)
	}
}

// TestWatchdogTimeout: a child that stops pinging is sent SIGABRT and
// SIGCONT when its watchdog runs out, SIGKILL after the grace period,
// and is restarted with its death marked as the watchdog's; pings keep
// it alive, and READY=1 makes the daemon ready once all are.
func TestWatchdogTimeout(t *testing.T) {
	m := newMachine(t, func(c *config.Config) { c.Light.Watchdog = config.Duration(time.Second) })
	for _, c := range m.children {
		m.noticed(c, map[string]string{"READY": "1"})
	}
	m.step()
	if !slices.Contains(m.n.sent, "READY=1\nSTATUS="+m.summary()) {
		t.Errorf("no READY=1 to the service manager once all were ready: %q", m.n.sent)
	}
	light := m.children["light"]
	for range 3 { // pings every 600 ms keep it alive
		m.clk.Advance(600 * time.Millisecond)
		m.noticed(light, map[string]string{"WATCHDOG": "1"})
		m.step()
	}
	if len(m.p.signals) != 0 {
		t.Fatalf("signals while it pinged: %v", m.p.signals)
	}
	m.clk.Advance(time.Second)
	m.step()
	if !slices.Equal(m.p.signals, []string{"light aborted", "light continued"}) {
		t.Fatalf("signals at the timeout %v; want SIGABRT then SIGCONT", m.p.signals)
	}
	if d := m.untilNext(); d != m.cfg.Supervisor.Grace.D() {
		t.Errorf("next deadline in %v; want the grace period", d)
	}
	m.clk.Advance(m.cfg.Supervisor.Grace.D())
	m.step() // SIGKILL, reaped at the next step
	m.step()
	m.want("light", stateRunning, 2)
	if e := light.lastExit; e == nil || !e.Watchdog || e.reason() != "watchdog: SIGKILL" {
		t.Errorf("last exit %+v (%s); want a watchdog death", e, e.reason())
	}
}

// orderLog is a slog handler that appends "log MSG" to order.
type orderLog struct{ order *[]string }

func (h orderLog) Enabled(context.Context, slog.Level) bool { return true }
func (h orderLog) Handle(_ context.Context, r slog.Record) error {
	*h.order = append(*h.order, "log "+r.Message)
	return nil
}
func (h orderLog) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h orderLog) WithGroup(string) slog.Handler      { return h }

// TestDeathLoggedAfterRespawn: the successor is spawned before the
// death is written to the log (a slow stderr must not delay a restart),
// and the log still says "died" before "started"; so it does for a
// restart on request.
func TestDeathLoggedAfterRespawn(t *testing.T) {
	m := newMachine(t, nil)
	var order []string
	m.p.order = &order
	m.log = slog.New(orderLog{&order})
	m.die("light", 2*time.Second, syscall.SIGKILL) // within every watchdog
	m.want("light", stateRunning, 2)
	m.restart(m.children["light"])
	m.step()
	m.want("light", stateRunning, 3)
	want := []string{"spawn light", "log child died", "log child started",
		"spawn light", "log child exited for restart", "log child started"}
	if !slices.Equal(order, want) {
		t.Errorf("order %q; want %q", order, want)
	}
}
