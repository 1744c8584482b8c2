package motion

import (
	"context"
	"flag"
	"log/slog"
	"os"
	"time"

	"sensord/board"
	"sensord/ipc"
)

// Main is the motion role's entry point: parse args, then Run.
func Main(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("motion", flag.ContinueOnError)
	gen := fs.Uint("gen", 1, "generation: how many times the daemon has started this process")
	rx := fs.Int("rx", -1, "descriptor of the gui-motion pipe's read end")
	txGUI := fs.Int("tx-gui", -1, "descriptor of the motion-gui pipe's write end")
	txLog := fs.Int("tx-logger", -1, "descriptor of the motion-logger pipe's write end")
	kind := fs.String("board", "auto", "board: pi, sim or auto")
	seed := fs.Int64("seed", 0, "simulation seed (0: from the clock)")
	faults := fs.String("sim-faults", "", "simulated faults, e.g. pir-stuck@20s-30s")
	pin := fs.String("pin", "GPIO17", "GPIO line of the PIR output")
	warmup := fs.Duration("warmup", -1, "PIR settling time after power-up (-1: 60s on a Pi, 0 simulated)")
	stuck := fs.Duration("stuck-after", 0, "report the PIR offline when its output stays high this long (0: 10m on a Pi, 30s simulated)")
	ledger := fs.String("drop-ledger", "", "file that keeps unreported drop counts over a restart (made by the daemon)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil)).With("role", "motion", "gen", *gen)
	ends, err := ipc.OpenSensorEnds("motion", *rx, *txGUI, *txLog, *ledger, log)
	if err != nil {
		return err
	}
	return Run(ctx, Config{
		Gen:        uint32(*gen),
		Board:      board.Config{Kind: *kind, Seed: *seed, Faults: *faults},
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
