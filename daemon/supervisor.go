package daemon

import (
	"context"
	"log/slog"
	"syscall"
	"time"

	"github.com/jonboulle/clockwork"

	"sensord/config"
	"sensord/ipc"
)

// Child states, as in status JSON.
const (
	stateRunning  = "running"
	stateBackoff  = "backoff"
	stateStopping = "stopping"
	stateStopped  = "stopped"
)

// child is the bookkeeping for one role. Only the loop goroutine
// touches it.
type child struct {
	name     string
	set      settings
	state    string
	pid      int
	gen      uint32    // generation of the current or last process
	restarts int       // starts after the first
	started  time.Time // zero until the first start
	// startedMono is CLOCK_MONOTONIC when exec succeeded, for measuring
	// restart latency from outside the daemon.
	startedMono int64
	fails       int       // quick deaths in a row
	next        time.Time // backoff: when to start again
	killAt      time.Time // stopping: when SIGTERM turns into SIGKILL
	wanted      bool      // false once shutdown has reached this child
	restartNow  bool      // stopping to be restarted (reload, restart command)
	lastExit    *exitInfo
	live        liveness // readiness and watchdog of the current process
}

// runEnv is what the children are started with besides the config.
type runEnv struct {
	self    string   // the daemon's executable
	wrapper []string // exec wrapper and its arguments, or nil
	board   string   // resolved board kind: "pi" or "sim"
	model   string   // board model for status and the dashboard
	seed    int64
	guiMode string // ttyMode of the GUI
	socket  string // control socket path
	coreDir string // children's working directory
	env     []string
	cred    map[string]*syscall.Credential // per role; nil entries: no change
	ledgers map[string]string              // drop ledger path per sensor role
}

// supervisor owns the children, the pipes and the GUI's terminal. Its
// state is changed only by the loop goroutine (loop.go).
type supervisor struct {
	cfg      config.Config
	env      runEnv
	pipes    map[string]*pipe
	children map[string]*child
	names    []string // the children in start order (activeChildren)
	term     *terminal
	null     int // /dev/null, stdin/stdout of the children
	errFD    int // the children's stderr
	clock    clockwork.Clock
	log      *slog.Logger
	started  time.Time
	core     string // RLIMIT_CORE as obtained, for status
	gens     *generations
	stopping int  // -1 running; else index into stopOrder being stopped
	killed   bool // a second stop request: SIGKILL everything now
	ready    bool // every child has been ready once: READY=1 was sent
	changed  bool // the status changed since subscribers last got it
	wait     *waiter
	procs    procs
	subs     []subscriber
}

// procs is how the supervisor acts on processes. The real one (osProcs)
// forks and execs, reaps with wait4, signals with kill(2) and watches a
// death through the wait point's pidfds; tests pass a fake and drive the
// loop's steps (start, reap, advance) on a fake clock with no process.
type procs interface {
	spawn(spawnSpec) (pid int, err error)
	reap(pid int) (syscall.WaitStatus, *syscall.Rusage, bool)
	kill(pid int, sig syscall.Signal) error
	track(pid int) error // wake the loop when pid dies
	forget(pid int)      // pid was reaped
	// execErr says why pid, reaped, never exec'd (a spawn that returned
	// before the exec); nil if it did.
	execErr(pid int) error
}

// osProcs is procs on the real system.
type osProcs struct {
	w  *waiter
	cs *cloneSpawner
}

func (p osProcs) spawn(sp spawnSpec) (int, error) { return spawn(p.cs, sp) }
func (p osProcs) execErr(pid int) error           { return p.cs.execErr(pid) }
func (osProcs) reap(pid int) (syscall.WaitStatus, *syscall.Rusage, bool) {
	return reap(pid)
}
func (osProcs) kill(pid int, sig syscall.Signal) error { return syscall.Kill(pid, sig) }
func (p osProcs) track(pid int) error                  { return p.w.track(pid) }
func (p osProcs) forget(pid int)                       { p.w.forget(pid) }

func newSupervisor(cfg config.Config, env runEnv, gens *generations, clock clockwork.Clock, log *slog.Logger) *supervisor {
	s := &supervisor{cfg: cfg, env: env, gens: gens, clock: clock, log: log, started: clock.Now(),
		children: make(map[string]*child), stopping: -1, null: -1, errFD: 2, names: activeChildren(cfg)}
	for _, name := range s.names {
		s.children[name] = &child{name: name, state: stateStopped, wanted: true,
			gen: gens.start(name), set: roleSettings(name, cfg, env)}
	}
	return s
}

// spec builds the spawn spec of c's next process, generation gen.
func (s *supervisor) spec(c *child, gen uint32) spawnSpec {
	a := argv(c.name, gen, c.set, s.env.self)
	path := a[0]
	switch {
	case len(s.env.wrapper) > 0:
		a = append(append([]string{}, s.env.wrapper...), a...)
		path = a[0]
	case c.set.exec == "":
		// The daemon's own binary through /proc/self/exe: the very file
		// the daemon runs, even after an upgrade replaced it on disk, and
		// reachable by a child whose user cannot search the folders
		// above it (go run builds in a private temporary folder).
		path = "/proc/self/exe"
	}
	self := len(s.env.wrapper) == 0 && c.set.exec == ""
	env := append(s.env.env[:len(s.env.env):len(s.env.env)],
		notifyEnv(s.cfg.Supervisor.RuntimeDir, s.cfg.Watchdog(c.name).Microseconds())...)
	sp := spawnSpec{path: path, argv: a, env: env, dir: s.env.coreDir,
		stdio: stdio{in: s.null, out: s.null, err: s.errFD},
		cred:  s.env.cred[c.name], deathSig: syscall.SIGKILL, self: self}
	for _, e := range roleEnds[c.name] {
		p := s.pipes[e.pipe]
		fd := p.r
		if e.write {
			fd = p.w
		}
		sp.ends = append(sp.ends, fd)
	}
	if c.name == "gui" {
		sp.deathSig = syscall.SIGTERM
		if s.term.mode != ttyNone {
			sp.stdio = stdio{in: s.term.fd, out: s.term.fd, err: s.errFD, tty: s.term.mode}
		}
	}
	return sp
}

// logLine is a log record held back until after a spawn (startAfter).
type logLine struct {
	level slog.Level
	msg   string
	attrs []any
}

func (s *supervisor) emit(l logLine) {
	if l.msg != "" {
		s.log.Log(context.Background(), l.level, l.msg, l.attrs...)
	}
}

// start spawns c now. On failure to exec it schedules a retry with
// backoff, so a missing program never stops the daemon.
func (s *supervisor) start(c *child) { s.startAfter(c, logLine{}) }

// startAfter is start that logs first (the death that makes this
// start) once the successor is spawned: the restart does not wait for
// the log's write, which goes to whatever stderr is (journald, a full
// pipe), and the log still reads "died", then "started".
func (s *supervisor) startAfter(c *child, first logLine) {
	gen := c.gen + 1
	reserveErr := s.gens.reserve(c.name, gen)
	pid, err := s.procs.spawn(s.spec(c, gen))
	now := s.clock.Now()
	s.emit(first)
	if reserveErr != nil {
		// Generations stay unique within this run; warn and go on.
		s.log.Warn("cannot record generations; after a daemon restart they may repeat", "err", reserveErr)
	}
	if err != nil {
		s.notStarted(c, err, now)
		return
	}
	if !c.started.IsZero() {
		c.restarts++
	}
	c.gen, c.pid, c.state, c.started = gen, pid, stateRunning, now
	c.startedMono, _ = ipc.Now()
	c.live.started(now, s.cfg.Watchdog(c.name), c.set.exec == "")
	s.changed = true
	if err := s.procs.track(pid); err != nil {
		s.log.Warn("cannot watch the child through a pidfd; the poll sweep will find its death", "child", c.name, "err", err)
	}
	s.log.Info("child started", "child", c.name, "pid", pid, "gen", gen)
}

// notStarted schedules a retry of c, whose program could not be
// started, with backoff, so a missing program never stops the daemon.
func (s *supervisor) notStarted(c *child, err error, now time.Time) {
	if c.name == "gui" {
		s.term.restore() // the failed child may have taken the terminal
	}
	c.fails++
	delay := max(restartDelay(c.fails), backoffFirst)
	c.state, c.next, c.pid = stateBackoff, now.Add(delay), 0
	s.log.Error("child not started", "child", c.name, "err", err, "retry_in", delay)
}

// exited records the death of c's process and decides what comes next.
func (s *supervisor) exited(c *child, ws syscall.WaitStatus, ru *syscall.Rusage) {
	now := s.clock.Now()
	ran := now.Sub(c.started)
	if err := s.procs.execErr(c.pid); err != nil {
		s.procs.forget(c.pid)
		c.pid, s.changed = 0, true
		if !c.wanted {
			c.state = stateStopped
			return
		}
		s.notStarted(c, err, now)
		return
	}
	e := describeExit(ws, ru, now, ran)
	e.Watchdog = c.live.aborted
	pid := c.pid
	c.pid, c.lastExit, s.changed = 0, e, true
	s.procs.forget(pid)
	if c.name == "gui" {
		s.term.restore()
	}
	attrs := []any{"child", c.name, "pid", pid, "gen", c.gen, "ran", ran.Round(time.Millisecond)}
	if e.Code != nil {
		attrs = append(attrs, "exit_code", *e.Code)
	} else {
		attrs = append(attrs, "signal", e.Signal)
	}
	attrs = append(attrs, "core_dumped", e.CoreDumped, "max_rss_kib", e.MaxRSSKiB)
	if e.Watchdog {
		attrs = append(attrs, "reason", "watchdog")
	}
	switch {
	case !c.wanted:
		c.state = stateStopped
		s.log.Info("child stopped", attrs...)
		return
	case c.restartNow:
		c.restartNow, c.fails = false, 0
		s.startAfter(c, logLine{slog.LevelInfo, "child exited for restart", attrs})
		return
	}
	delay := s.nextDelay(c, ran)
	died := logLine{slog.LevelWarn, "child died", append(attrs, "restart_in", delay)}
	if delay == 0 {
		s.startAfter(c, died)
		return
	}
	s.emit(died)
	c.state, c.next = stateBackoff, now.Add(delay)
}

// nextDelay applies the restart policy to a death after ran.
func (s *supervisor) nextDelay(c *child, ran time.Duration) time.Duration {
	switch {
	case ran >= stableAfter:
		c.fails = 0
	case ran < quickDeath:
		c.fails++
		return restartDelay(c.fails)
	}
	return 0
}

// signal sends sig to c's process; SIGKILL goes to its whole process
// group, so nothing it started lingers with a pipe end.
func (s *supervisor) signal(c *child, sig syscall.Signal) {
	if c.pid <= 0 {
		return
	}
	target := c.pid
	if sig == syscall.SIGKILL {
		target = -c.pid
	}
	if err := s.procs.kill(target, sig); err != nil && err != syscall.ESRCH {
		s.log.Error("signal child", "child", c.name, "pid", c.pid, "signal", sig.String(), "err", err)
	}
}

// stop asks c to end: SIGTERM now, SIGKILL after the grace period.
func (s *supervisor) stop(c *child) {
	s.changed = true
	switch c.state {
	case stateBackoff:
		c.state = stateStopped
	case stateRunning:
		// SIGCONT too, as runsv does: a stopped child cannot act on
		// SIGTERM, and a stopped logger must still drain its pipes.
		s.signal(c, syscall.SIGTERM)
		s.signal(c, syscall.SIGCONT)
		c.state, c.killAt = stateStopping, s.clock.Now().Add(s.cfg.Supervisor.Grace.D())
	}
}

// restart ends c's process and starts a new one at once, as for a
// reload or `sensord restart NAME`. A child in backoff starts now.
func (s *supervisor) restart(c *child) {
	switch c.state {
	case stateRunning:
		c.restartNow = true
		s.stop(c)
	case stateBackoff, stateStopped:
		c.fails = 0
		s.start(c)
	}
}
