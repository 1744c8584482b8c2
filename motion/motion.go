package motion

import (
	"context"
	"flag"
	"time"

	"sensord/board"
	"sensord/sensor"

	"periph.io/x/conn/v3/gpio"
)

// Board is what the motion role needs of a board: the common part and
// its GPIO pin. *board.Board is one.
type Board interface {
	sensor.Board
	// Pin opens GPIO name (such as "GPIO17") as an input. The board owns
	// the pin; Halt on it interrupts a WaitForEdge.
	Pin(name string) (gpio.PinIn, error)
}

var _ Board = (*board.Board)(nil)

// Main is the motion role's entry point: parse args, then Run.
func Main(ctx context.Context, args []string) error {
	return sensor.Main(ctx, args, "motion", "pir-stuck@20s-30s", defineFlags)
}

// flags are the motion role's own flags.
type flags struct {
	pin           *string
	warmup, stuck *time.Duration
}

func defineFlags(fs *flag.FlagSet) sensor.Role {
	return &flags{
		pin:    fs.String("pin", "GPIO17", "GPIO line of the PIR output"),
		warmup: fs.Duration("warmup", -1, "PIR settling time after power-up (-1: 60s on a Pi, 0 simulated)"),
		stuck:  fs.Duration("stuck-after", 0, "report the PIR offline when its output stays high this long (0: 10m on a Pi, 30s simulated)"),
	}
}

func (f *flags) Prepare(*board.Config) error { return nil }

func (f *flags) Run(ctx context.Context, c sensor.Common) error {
	return Run(ctx, Config{
		Settings:   sensor.Settings{Gen: c.Gen, Log: c.Log, Confine: c.Confine},
		Board:      c.Board,
		Pin:        *f.pin,
		Warmup:     *f.warmup,
		StuckAfter: *f.stuck,
	}, c.Ends)
}

// Defaults that depend on the board.
const (
	WarmupPi     = 60 * time.Second
	StuckAfterPi = 10 * time.Minute
	// StuckAfterSim is above board.PIRMaxPulse, the longest pulse the
	// simulated PIR makes by itself.
	StuckAfterSim = 30 * time.Second
	// Poll is the WaitForEdge timeout: how often the watcher reads the
	// level when no edge comes, so it bounds how soon a lost edge is
	// made good. It is not what a stop waits for: Halt on the pin ends a
	// wait at once (gpioioctl sets a past read deadline, SimPIR wakes),
	// and is repeated until the watcher is gone, in case it landed just
	// before a new wait began. A minute: an idle PIR costs one wake-up a
	// minute, not one a second.
	Poll = time.Minute
	// FailedWaitRetry is how long the watcher waits before it tries
	// again when WaitForEdge fails at once (a line not set up for
	// edges): then the level is read that often instead.
	FailedWaitRetry = time.Second
	// haltRetry is how often a stop repeats Halt until the watcher ends.
	haltRetry = 10 * time.Millisecond
)
