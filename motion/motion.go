package motion

import (
	"context"
	"flag"
	"log/slog"
	"os"
	"time"

	"sensord/board"
	"sensord/sensor"
)

// Main is the motion role's entry point: parse args, then Run.
func Main(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("motion", flag.ContinueOnError)
	sf := sensor.AddFlags(fs, "motion")
	var bc board.Config
	bc.AddFlags(fs, "pir-stuck@20s-30s")
	pin := fs.String("pin", "GPIO17", "GPIO line of the PIR output")
	warmup := fs.Duration("warmup", -1, "PIR settling time after power-up (-1: 60s on a Pi, 0 simulated)")
	stuck := fs.Duration("stuck-after", 0, "report the PIR offline when its output stays high this long (0: 10m on a Pi, 30s simulated)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil)).With("role", "motion", "gen", sf.Gen())
	ends, err := sf.Open(log)
	if err != nil {
		return err
	}
	return Run(ctx, Config{
		Gen:        sf.Gen(),
		Board:      bc,
		Pin:        *pin,
		Warmup:     *warmup,
		StuckAfter: *stuck,
		Log:        log,
	}, ends)
}

// Defaults that depend on the board.
const (
	WarmupPi     = 60 * time.Second
	StuckAfterPi = 10 * time.Minute
	// StuckAfterSim is above board.PIRMaxPulse, the longest pulse the
	// simulated PIR makes by itself.
	StuckAfterSim = 30 * time.Second
	// Poll is the WaitForEdge timeout: how often the watcher checks the
	// context and the level when no edge comes.
	Poll = 250 * time.Millisecond
)
