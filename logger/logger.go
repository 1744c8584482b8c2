package logger

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sensord/cli"
	"sensord/sandbox"
	"time"

	"github.com/jonboulle/clockwork"
)

// Config is what Run needs. Main fills it from the daemon's flags.
type Config struct {
	Gen           uint   // this logger's generation (--gen), for its logs
	Motion, Light int    // read ends of the motion-logger and light-logger pipes
	Dir           string // data directory
	// FsyncInterval bounds how long a record stays unsynced; 0 fsyncs
	// every batch.
	FsyncInterval time.Duration
	MaxFileSize   int64 // bytes: a file is closed before it grows past this
	MaxFiles      int   // data files kept, the current one included
	// Retry is how often a failed write (disk full, read-only) is tried
	// again; 0 means 1 s.
	Retry time.Duration
	Clock clockwork.Clock // nil: the real clock
	Log   *slog.Logger    // nil: slog.Default()

	// afterWrite, if set, runs between storing records and consuming
	// their frames: tests widen that window to kill the logger in it.
	afterWrite func()
}

func (c *Config) check() error {
	switch {
	case c.Dir == "":
		return errors.New("logger: no data directory; pass --dir PATH")
	case c.MaxFileSize <= 0:
		return fmt.Errorf("logger: --max-file-size %d: must be positive (bytes), e.g. 16777216", c.MaxFileSize)
	case c.MaxFiles <= 0:
		return fmt.Errorf("logger: --max-files %d: must be at least 1", c.MaxFiles)
	case c.FsyncInterval < 0:
		return fmt.Errorf("logger: --fsync-interval %v: must not be negative", c.FsyncInterval)
	}
	if c.Retry <= 0 {
		c.Retry = time.Second
	}
	if c.Clock == nil {
		c.Clock = clockwork.NewRealClock()
	}
	if c.Log == nil {
		c.Log = slog.Default()
	}
	return nil
}

// Main is the logger role's entry point: parse args, then Run. It
// returns nil once ctx ends and the pipes are drained.
func Main(ctx context.Context, args []string) error {
	c, err := parseFlags(args)
	if err != nil {
		return err
	}
	return Run(ctx, c)
}

// SandboxedMain is Main for the child the daemon starts (main.go): it
// confines the process to its data directory with Landlock before Run
// (README, "Security: file system"). Tests call Main, which does not,
// since Landlock cannot be undone in the test process.
func SandboxedMain(ctx context.Context, args []string) error {
	c, err := parseFlags(args)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(c.Dir, 0o750); err != nil {
		return fmt.Errorf("logger: cannot create the data directory %s: %w", c.Dir, err)
	}
	if err := sandbox.Restrict(c.Log, sandbox.Paths{RWDirs: []string{c.Dir}}); err != nil {
		return err
	}
	return Run(ctx, c)
}

func parseFlags(args []string) (Config, error) {
	fs := cli.NewFlagSet("logger", "[flags] (started by the daemon)")
	var c Config
	fs.UintVar(&c.Gen, "gen", 1, "generation: how many times the daemon started the logger")
	fs.IntVar(&c.Motion, "rx-motion", -1, "descriptor of the motion-logger pipe's read end")
	fs.IntVar(&c.Light, "rx-light", -1, "descriptor of the light-logger pipe's read end")
	fs.StringVar(&c.Dir, "dir", "", "data directory")
	fs.DurationVar(&c.FsyncInterval, "fsync-interval", time.Second, "longest time a record stays unsynced (0: fsync every write)")
	fs.Int64Var(&c.MaxFileSize, "max-file-size", 16<<20, "rotate a data file before it grows past this many bytes")
	fs.IntVar(&c.MaxFiles, "max-files", 16, "data files kept, the oldest removed")
	fs.DurationVar(&c.Retry, "retry", time.Second, "how often a failed write (disk full, read-only) is tried again")
	if _, err := cli.Args(fs, args, 0, 0, ""); err != nil {
		return c, err
	}
	c.Log = slog.New(slog.NewTextHandler(os.Stderr, nil)).With("role", "logger", "gen", c.Gen)
	return c, nil
}
