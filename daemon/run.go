package daemon

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/jonboulle/clockwork"
	"golang.org/x/sys/unix"

	"sensord/board"
	"sensord/config"
	"sensord/control"
	"sensord/ipc"
	"sensord/version"
)

// run is the daemon: set up in the order of ARCHITECTURE.md (core
// limit, pipes, terminal), then the loop, then clean up. It returns nil
// after an orderly stop.
func run(ctx context.Context, cfg config.Config, o options) (err error) {
	closeInherited()
	logPath := o.logFile
	if logPath == "" && cfg.GUI.TTY == "" && sameTerminal(0, 2) {
		// The dashboard will own this terminal: logs go to a file.
		logPath = filepath.Join(cfg.Supervisor.RuntimeDir, "sensord.log")
		if err := makeDir(cfg.Supervisor.RuntimeDir, runtimeDirMode(), -1, -1); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "sensord: dashboard on this terminal; logs in %s\n", logPath)
		defer fmt.Fprintf(os.Stderr, "sensord: stopped; logs in %s\n", logPath)
	}
	logW, logFD, err := openLog(logPath)
	if err != nil {
		return err
	}
	log := newLogger(logW)
	defer func() {
		if err != nil && logPath != "" { // stderr may be /dev/null (--background)
			log.Error("sensord cannot start", "err", err)
		}
	}()
	env, uid, err := prepare(cfg, log)
	if err != nil {
		return err
	}
	core := raiseCoreLimit(log)
	pipes, err := makePipes()
	if err != nil {
		return err
	}
	defer closePipes(pipes)
	for _, t := range pipeTable {
		p := pipes[t.writer+"-"+t.reader]
		log.Info("pipe ready", "pipe", p.name, "capacity_bytes", p.capacity)
	}
	term, why, err := openTerminal(cfg.GUI.TTY)
	if err != nil {
		return err
	}
	defer term.close()
	if why != "" {
		log.Info("dashboard off", "reason", why)
	}
	env.guiMode = term.mode.String()
	ctl, err := listenControl(env.socket, uid, cfg.Supervisor.Group, log)
	if err != nil {
		return err
	}
	defer ctl.close()
	null, err := devNull()
	if err != nil {
		return err
	}
	defer unix.Close(null)
	gens, err := loadGenerations(filepath.Join(cfg.Logger.Dir, "generations"))
	if err != nil {
		return err
	}
	w, err := newWaiter(cfg.Supervisor.Poll.D(), cfg.Supervisor.SIGCHLD)
	if err != nil {
		return err
	}
	defer w.close()
	ns, err := listenNotify(filepath.Join(cfg.Supervisor.RuntimeDir, NotifyName), uid)
	if err != nil {
		return err
	}
	defer ns.close()
	s := newSupervisor(cfg, env, gens, clockwork.NewRealClock(), log)
	s.pipes, s.term, s.null, s.core, s.wait, s.procs = pipes, term, null, core, w, osProcs{w, newCloneSpawner(log)}
	if err := w.watch(ns.fd, func() { s.notices(ns) }); err != nil {
		return err
	}
	w.takePings(ns.fd, s.pingedAgo)
	if logFD >= 0 {
		s.errFD = logFD
	}
	return s.serve(ctx, ctl, o, log)
}

// wakeOnDeath says what wakes the loop when a child dies, for the log.
func (s *supervisor) wakeOnDeath() string {
	switch {
	case !s.cfg.Supervisor.SIGCHLD:
		return "nothing (poll only)"
	case s.wait.noPidfd:
		return "SIGCHLD"
	}
	return "pidfd"
}

// serve runs the loop with signals, the control socket and readiness.
func (s *supervisor) serve(ctx context.Context, ctl *controlServer, o options, log *slog.Logger) error {
	sigs := installSignals(s.wait, s.cfg.Supervisor.SIGCHLD && s.wait.noPidfd)
	done := make(chan struct{})
	defer close(done)
	ctl.wake = s.wait.wake
	go ctl.serve(done)
	n, cleanup, err := backgroundNotifier(systemd{log: log}, o, log)
	if err != nil {
		return err
	}
	defer cleanup()
	log.Info("sensord started", "version", version.String(), "pid", os.Getpid(), "board", s.env.board,
		"wake_on_death", s.wakeOnDeath(),
		"model", s.env.model, "seed", s.env.seed, "socket", s.env.socket, "data", s.cfg.Logger.Dir)
	s.loop(ctx, events{sigs: sigs, ctl: ctl.ctl, notify: n,
		reload: func() { s.reload(o) }})
	log.Info("sensord stopped")
	return nil
}

// prepare resolves the board, the children's user, the directories and
// everything else the children are started with.
func prepare(cfg config.Config, log *slog.Logger) (runEnv, int, error) {
	var env runEnv
	var err error
	if env.self, err = os.Executable(); err != nil {
		return env, 0, fmt.Errorf("daemon: cannot find own executable: %w", err)
	}
	if env.wrapper, err = resolveWrapper(cfg.Supervisor.ExecWrapper); err != nil {
		return env, 0, err
	}
	env.board, env.model = board.Resolve(cfg.Board.Kind)
	env.seed = seedFor(cfg)
	env.env = childEnv()
	env.socket = control.SocketPath(cfg.Supervisor.RuntimeDir)
	env.coreDir = filepath.Join(cfg.Logger.Dir, "cores")
	var uid, gid int
	env.cred, uid, gid, err = credentials(cfg.Supervisor.User, cfg.Supervisor.User != config.Default().Supervisor.User, log)
	if err != nil {
		return env, 0, err
	}
	if err := makeDir(cfg.Supervisor.RuntimeDir, runtimeDirMode(), -1, -1); err != nil {
		return env, 0, err
	}
	if err := makeDataDir(cfg.Logger.Dir, gid); err != nil {
		return env, 0, err
	}
	if err := makeDir(env.coreDir, 0o750, uid, gid); err != nil {
		return env, 0, err
	}
	env.ledgers = makeLedgers(cfg.Supervisor.RuntimeDir, env.cred, log)
	if err := checkChildren(cfg, env); err != nil {
		return env, 0, err
	}
	if cfg.Uplink.Broker != "" {
		makeUplinkFile(cfg.Supervisor.RuntimeDir, env.cred[uplinkName], log)
	}
	return env, uid, nil
}

// makeLedgers makes each sensor's drop ledger (ipc.Ledger) in the
// runtime directory, shared with the sensor's group, and returns their
// paths by role. Without one a sensor still runs; only drops in the
// instant before it dies could then go unreported.
func makeLedgers(dir string, cred map[string]*syscall.Credential, log *slog.Logger) map[string]string {
	paths := make(map[string]string)
	for _, role := range []string{"motion", "light"} {
		path := filepath.Join(dir, role+".drops")
		if err := ipc.CreateLedger(path, credGID(cred[role])); err != nil {
			log.Warn("no drop ledger; drops just before a crash may go unreported", "child", role, "err", err)
			continue
		}
		paths[role] = path
	}
	return paths
}

// credGID is the primary group of cred, or -1 (unchanged) without one.
func credGID(cred *syscall.Credential) int {
	if cred == nil {
		return -1
	}
	return int(cred.Gid)
}

// openLog opens path for appending logs; "" means stderr (fd -1).
func openLog(path string) (io.Writer, int, error) {
	if path == "" {
		return os.Stderr, -1, nil
	}
	fd, err := unix.Open(path, unix.O_WRONLY|unix.O_APPEND|unix.O_CREAT|unix.O_CLOEXEC, 0o640)
	if err != nil {
		return nil, -1, fmt.Errorf("daemon: log file %s: %w", path, err)
	}
	return os.NewFile(uintptr(fd), path), fd, nil
}

// reload re-reads the configuration on SIGHUP and restarts only the
// children whose settings changed. A bad file keeps the old settings.
func (s *supervisor) reload(o options) {
	cfg, err := loadConfig(o)
	if err != nil {
		s.log.Error("reload failed; keeping the running configuration", "err", err)
		return
	}
	s.apply(cfg)
}

// apply makes cfg the running configuration and restarts the children
// whose settings it changes.
func (s *supervisor) apply(cfg config.Config) {
	if cfg.Supervisor.RuntimeDir != s.cfg.Supervisor.RuntimeDir || cfg.Board.Kind != s.cfg.Board.Kind ||
		cfg.Supervisor.User != s.cfg.Supervisor.User || cfg.GUI.TTY != s.cfg.GUI.TTY {
		s.log.Warn("runtime_dir, board.kind, supervisor.user and gui.tty change only when the daemon restarts")
		cfg.Supervisor.RuntimeDir, cfg.Board.Kind = s.cfg.Supervisor.RuntimeDir, s.cfg.Board.Kind
		cfg.Supervisor.User, cfg.GUI.TTY = s.cfg.Supervisor.User, s.cfg.GUI.TTY
	}
	if cfg.Logger.Dir != s.cfg.Logger.Dir {
		if err := makeDataDir(cfg.Logger.Dir, credGID(s.env.cred["logger"])); err != nil {
			s.log.Error("reload failed; keeping the running configuration", "err", err)
			return
		}
	}
	wrapper, err := resolveWrapper(cfg.Supervisor.ExecWrapper)
	if err != nil {
		s.log.Error("reload failed; keeping the running configuration", "err", err)
		return
	}
	old := s.cfg
	s.cfg, s.env.wrapper = cfg, wrapper
	changed := 0
	if len(activeChildren(cfg)) != len(s.names) {
		s.log.Warn("uplink.broker was set or cleared; restart sensord to start or stop the uplink")
	}
	for _, name := range s.names {
		if !config.Diff(old, cfg, name) {
			continue
		}
		c := s.children[name]
		c.set = roleSettings(name, cfg, s.env)
		changed++
		s.log.Info("settings changed; restarting", "child", name)
		s.restart(c)
	}
	s.log.Info("configuration reloaded", "changed", strings.Join(config.Changed(old, cfg), ","), "restarted", changed)
}

// runtimeDirMode lets the children (another user, when root) reach the
// control socket in the runtime directory; otherwise it is private.
func runtimeDirMode() os.FileMode {
	if os.Geteuid() == 0 {
		return 0o755
	}
	return 0o700
}
