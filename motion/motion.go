package motion

import (
	"context"
	"flag"
	"fmt"

	"sensord/ipc"
)

// Main is the motion role's entry point: parse args, then Run.
func Main(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("motion", flag.ContinueOnError)
	gen := fs.Uint("gen", 1, "generation")
	rx := fs.Int("rx", -1, "gui-motion read end")
	txGUI := fs.Int("tx-gui", -1, "motion-gui write end")
	txLog := fs.Int("tx-logger", -1, "motion-logger write end")
	fs.String("board", "auto", "board kind")
	fs.Int64("seed", 0, "simulation seed")
	fs.String("sim-faults", "", "simulated faults")
	fs.String("pin", "GPIO17", "PIR pin")
	fs.Duration("warmup", 0, "warm-up")
	if err := fs.Parse(args); err != nil {
		return err
	}
	_ = gen
	for _, e := range []struct {
		fd   int
		name string
	}{{*rx, "rx"}, {*txGUI, "tx-gui"}, {*txLog, "tx-logger"}} {
		if err := ipc.CheckWriteEnd(e.fd, e.name); err != nil {
			return fmt.Errorf("motion: --%s: %w", e.name, err)
		}
	}
	<-ctx.Done()
	return nil
}
