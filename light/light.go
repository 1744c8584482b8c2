package light

import (
	"context"
	"flag"
	"fmt"

	"sensord/ipc"
)

// Main is the light role's entry point: parse args, then Run.
func Main(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("light", flag.ContinueOnError)
	gen := fs.Uint("gen", 1, "generation")
	rx := fs.Int("rx", -1, "gui-light read end")
	txGUI := fs.Int("tx-gui", -1, "light-gui write end")
	txLog := fs.Int("tx-logger", -1, "light-logger write end")
	fs.String("board", "auto", "board kind")
	fs.Int64("seed", 0, "simulation seed")
	fs.String("sim-faults", "", "simulated faults")
	fs.String("bus", "1", "I2C bus")
	fs.String("address", "0x23", "address")
	fs.Duration("interval", 0, "interval")
	if err := fs.Parse(args); err != nil {
		return err
	}
	_ = gen
	for _, e := range []struct {
		fd   int
		name string
	}{{*rx, "rx"}, {*txGUI, "tx-gui"}, {*txLog, "tx-logger"}} {
		if err := ipc.CheckWriteEnd(e.fd, e.name); err != nil {
			return fmt.Errorf("light: --%s: %w", e.name, err)
		}
	}
	<-ctx.Done()
	return nil
}
