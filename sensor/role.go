package sensor

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/jonboulle/clockwork"

	"sensord/board"
	"sensord/cli"
	"sensord/ipc"
	"sensord/sandbox"
	"sensord/sdnotify"
	"sensord/version"
)

// Board is what every sensor role needs of its board; light adds the
// I2C bus, motion the pin. *board.Board has it all; a test hands a role
// a board of its own with an i2ctest bus or a gpiotest pin.
type Board interface {
	Kind() string    // "pi" or "sim", for the log
	Seed() int64     // simulation seed (0 on real hardware), for the log
	Simulated() bool // limits and defaults differ on the simulated board
	Fault(board.SimFault) error
}

// Common is what Main gives a role's run function besides its own flags.
type Common struct {
	Gen   uint32
	Ends  Ends
	Board *board.Board // opened by Main, closed after run returns
	Log   *slog.Logger
	// Confine is Settings.Confine: the role calls it (Base.Confine) once
	// its device is open.
	Confine func() error
}

// Role is a sensor role's side of Main: its own flags, parsed.
type Role interface {
	// Prepare checks the role's flags and completes the board's
	// configuration (the light role sets the simulated chip's address).
	Prepare(*board.Config) error
	// Run runs the role until ctx ends.
	Run(ctx context.Context, c Common) error
}

// Main is the entry point of a sensor role called name: it defines the
// flags every sensor has (the generation, the pipe ends, the board) and
// the role's own (define), parses args, opens the ends and the board,
// and calls the role's Run. faults is an example of --sim-faults for -h.
func Main(ctx context.Context, args []string, name, faults string, define func(*flag.FlagSet) Role) error {
	fs := cli.NewFlagSet(name, "[flags] (started by the daemon)")
	sf := AddFlags(fs, name)
	var bc board.Config
	bc.AddFlags(fs, faults)
	role := define(fs)
	if _, err := cli.Args(fs, args, 0, 0, ""); err != nil {
		return err
	}
	if err := role.Prepare(&bc); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil)).With("role", name, "gen", sf.Gen())
	ends, err := sf.Open(log)
	if err != nil {
		return err
	}
	b, err := board.Open(bc)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	defer b.Close()
	confine := func() error { return sandbox.Restrict(log, sandbox.Paths{RWFiles: b.Devices()}) }
	return role.Run(ctx, Common{Gen: sf.Gen(), Ends: ends, Board: b, Log: log, Confine: confine})
}

// Base is the state both sensor roles keep beside their own: the
// clock, the log, the board and the sending side. It is owned by the
// role's loop goroutine.
type Base struct {
	Name  string // "light" or "motion"
	Clock clockwork.Clock
	Log   *slog.Logger
	Board Board
	Out   *Out
	// Watchdog is the loop's ping schedule ($WATCHDOG_USEC); the loop
	// sleeps until Wake and pings there, never elsewhere.
	Watchdog *sdnotify.Watchdog
	done     <-chan struct{} // the role's ctx, for a simulated hang
	hangAt   time.Time       // a scheduled simulated hang; zero: none
	confine  func() error    // Settings.Confine, nil once called
}

// Settings are a role's Config fields that NewBase reads.
type Settings struct {
	Gen   uint32
	Clock clockwork.Clock // nil: the real clock
	Log   *slog.Logger    // nil: slog.Default()
	// Stamps replaces the frames' time stamps (nil: CLOCK_MONOTONIC and
	// the wall clock); a test with a fake clock passes
	// StampsFrom(clock.Now).
	Stamps func() (mono, wall int64)
	// Confine enters the role's sandbox (Main: sandbox.Restrict with the
	// devices the board opened); nil in tests, which run the role in
	// their own process. Base.Confine calls it once.
	Confine func() error
}

// NewBase returns the Base of generation s.Gen of role name, sending on
// ends.
func NewBase(name string, s Settings, b Board, ends Ends) Base {
	if s.Clock == nil {
		s.Clock = clockwork.NewRealClock()
	}
	if s.Log == nil {
		s.Log = slog.Default()
	}
	out := NewOut(s.Gen, ends.GUI, ends.Logger, s.Log)
	if s.Stamps != nil {
		out.SetClock(s.Stamps)
	}
	base := Base{Name: name, Clock: s.Clock, Log: s.Log, Board: b, Out: out,
		Watchdog: sdnotify.NewWatchdog(s.Clock.Now()), confine: s.Confine}
	if h, ok := b.(interface {
		HangAt(role string) (time.Time, bool)
	}); ok {
		if at, ok := h.HangAt(name); ok {
			base.hangAt = at
		}
	}
	return base
}

// StartCommands starts reading the role's commands (StartCommands) for
// the role's loop, which runs until ctx ends.
func (b *Base) StartCommands(ctx context.Context, rx io.Reader) (<-chan ipc.Command, func()) {
	b.done = ctx.Done()
	return StartCommands(ctx, rx, b.Log)
}

// Wake pings the watchdog if a ping is due and returns when the loop
// must wake: at deadline, its own next piece of work, or at the next
// ping if that comes first. The loop calls it each time round, with its
// timer stopped, and arms its one timer (wake.Timer) for the result.
// A hang scheduled with board.sim_faults (light-hang@5s) happens here,
// in the loop, when its time comes.
func (b *Base) Wake(deadline time.Time) time.Time {
	now := b.Clock.Now()
	if !b.hangAt.IsZero() && (deadline.IsZero() || b.hangAt.Before(deadline)) {
		deadline = b.hangAt
	}
	next := b.Watchdog.Ping(now, deadline)
	if !b.hangAt.IsZero() && !now.Before(b.hangAt) {
		b.hang() // after a ping due now: a test sees the loop reach here
	}
	return next
}

// Confine enters the role's sandbox the first time the role has its
// device open (README.md, "Security: file system"): from then on it
// reaches that device and nothing else on disk. Until then it is not
// confined, so that a device that appears later (i2c-dev loaded after
// the start, a new inode Landlock knew nothing of) can still be opened.
// An error is fatal: the role should exit and be started again.
func (b *Base) Confine() error {
	f := b.confine
	if f == nil {
		return nil
	}
	b.confine = nil
	return f()
}

// Info is what a sensor says of itself in an info reply.
type Info struct {
	Model, Driver, Where string
	Interval             time.Duration // 0: event driven
}

// Handler carries out the operations of one role that Command does not.
// It fills r and returns an error for a refused command; ErrUnsupported
// (through Unsupported) for an operation the role does not have.
type Handler func(c ipc.Command, r *ipc.Reply) error

// Command carries out c and replies on the GUI pipe only. Info and
// sim-fault are the same for every sensor; the rest goes to own. A
// refused command gets a reply with OK false and a line in the log.
func (b *Base) Command(c ipc.Command, info Info, own Handler) {
	r := ipc.Reply{ID: c.ID, Op: c.Op, OK: true, Interval: info.Interval}
	var err error
	switch c.Op {
	case ipc.OpInfo:
		r.Model, r.Driver, r.Where, r.Version = info.Model, info.Driver, info.Where, version.String()
	case ipc.OpSimFault:
		err = b.Board.Fault(board.SimFault(c.Arg))
		if err == nil && board.SimFault(c.Arg) == board.SimHang {
			defer b.hang()
		}
	default:
		err = own(c, &r)
	}
	if err != nil {
		r.OK, r.Error = false, err.Error()
		b.Log.Info("command refused", "op", c.Op, "arg", c.Arg, "err", err)
	}
	b.Out.Reply(&r)
}

// hang blocks the role's loop, for board.SimHang: it stops pinging
// the watchdog and handles nothing more, while its other goroutines and
// the process live on. It ends only with the role's ctx (SIGTERM), so
// that a stop need not wait for the kill; the daemon's watchdog sends
// SIGABRT long before.
func (b *Base) hang() {
	b.Log.Warn("simulated hang: the loop stops until the process is stopped")
	<-b.done
}

// Unsupported is the error for an operation the role does not have.
func (b *Base) Unsupported(op ipc.Op) error {
	return fmt.Errorf("%s: command %s is not supported by the %s sensor", b.Name, op, b.Name)
}

// Started logs the start of the role with the board it runs on and
// the role's own settings (key, value pairs).
func (b *Base) Started(args ...any) {
	b.Log.Info(b.Name+" starting", append([]any{"board", b.Board.Kind(), "seed", b.Board.Seed()}, args...)...)
}
