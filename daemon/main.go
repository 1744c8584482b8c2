package daemon

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"sensord/cli"
	"sensord/config"
)

// options are the command-line flags of `sensord run`.
type options struct {
	config     string
	configSet  bool
	dataDir    string
	runtimeDir string
	tty        *string
	sim        bool
	background bool
	pidfile    string
	logFile    string
}

// parseRunFlags parses the flags of `sensord run` (and of `sensord
// config`, which takes the same to show the configuration run would use).
func parseRunFlags(name string, args []string) (options, error) {
	var o options
	fs := cli.NewFlagSet(name, "[flags]")
	fs.StringVar(&o.config, "config", config.DefaultPath, "configuration `file`")
	fs.StringVar(&o.dataDir, "data-dir", "", "data `directory` (sets logger.dir)")
	fs.StringVar(&o.runtimeDir, "runtime-dir", "", "`directory` of the control socket")
	tty := fs.String("tty", "", "dashboard terminal: a device `path`, or none (sets gui.tty)")
	fs.BoolVar(&o.sim, "sim", false, "use the simulated board (board.kind = \"sim\")")
	fs.BoolVar(&o.background, "background", false, "detach from the terminal (for SysV init scripts; needs --pidfile)")
	fs.StringVar(&o.pidfile, "pidfile", "", "with --background: write the daemon's pid to `file`")
	fs.StringVar(&o.logFile, "log-file", "", "append logs to `file` instead of stderr")
	if _, err := cli.Args(fs, args, 0, 0, ""); err != nil {
		return o, err
	}
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "config":
			o.configSet = true
		case "tty":
			o.tty = tty
		}
	})
	if o.background && o.pidfile == "" {
		return o, errors.New("--background needs --pidfile PATH")
	}
	return o, nil
}

// loadConfig reads the configuration and applies the flags over it.
func loadConfig(o options) (config.Config, error) {
	c, err := config.Load(o.config, o.configSet)
	if err != nil {
		return c, err
	}
	if o.dataDir != "" {
		c.Logger.Dir = o.dataDir
	}
	if o.runtimeDir != "" {
		c.Supervisor.RuntimeDir = o.runtimeDir
	}
	if o.tty != nil {
		c.GUI.TTY = *o.tty
	}
	if o.sim {
		c.Board.Kind = "sim"
	}
	if c.Supervisor.ExecWrapper == "" {
		c.Supervisor.ExecWrapper = os.Getenv("SENSORD_EXEC_WRAPPER")
	}
	for _, p := range []*string{&c.Logger.Dir, &c.Supervisor.RuntimeDir} {
		if *p, err = filepath.Abs(*p); err != nil {
			return c, err
		}
	}
	return c, c.Validate()
}

// Main is `sensord run`: the parent daemon.
func Main(ctx context.Context, args []string) error {
	o, err := parseRunFlags("run", args)
	if err != nil {
		return err
	}
	cfg, err := loadConfig(o)
	if err != nil {
		return err
	}
	debug.SetTraceback("crash") // a daemon crash leaves a core too
	if o.background && !inBackground() {
		return daemonize(o)
	}
	return run(ctx, cfg, o)
}

// newLogger logs to w as key=value lines.
func newLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// resolveWrapper splits the exec wrapper setting and finds its program.
func resolveWrapper(s string) ([]string, error) {
	w := strings.Fields(s)
	if len(w) == 0 {
		return nil, nil
	}
	p, err := exec.LookPath(w[0])
	if err != nil {
		return nil, fmt.Errorf("daemon: exec wrapper %q: %w", w[0], err)
	}
	w[0] = p
	return w, nil
}

// childEnv is the daemon's environment less what belongs to the daemon
// alone: the service manager's notify, watchdog and socket variables.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		switch k, _, _ := strings.Cut(kv, "="); k {
		case "NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_FDS", "LISTEN_PID",
			"LISTEN_FDNAMES", envReadyFD, "GODEBUG":
			continue
		}
		env = append(env, kv)
	}
	// Go 1.25+ keeps cgroup files open to follow CPU limits; a child's
	// descriptors must be exactly its stdio and pipe ends.
	godebug := "containermaxprocs=0,updatemaxprocs=0"
	if v := os.Getenv("GODEBUG"); v != "" {
		godebug = v + "," + godebug
	}
	env = append(env, "GODEBUG="+godebug)
	// A Go child that panics or gets a fatal signal dies of that signal
	// and dumps core, rather than exiting 2 with a stack trace only.
	if os.Getenv("GOTRACEBACK") == "" {
		env = append(env, "GOTRACEBACK=crash")
	}
	return env
}

func seedFor(c config.Config) int64 {
	if c.Board.Seed != 0 {
		return c.Board.Seed
	}
	return time.Now().UnixNano() & (1<<53 - 1)
}
