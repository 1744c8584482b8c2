package gui

import (
	"context"
	"flag"
	"fmt"
	"os/signal"
	"syscall"

	"sensord/ipc"
)

// Main is the gui role's entry point: parse args, then Run.
func Main(ctx context.Context, args []string) error {
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM)
	defer stop()
	fs := flag.NewFlagSet("gui", flag.ContinueOnError)
	fs.Uint("gen", 1, "generation")
	rxM := fs.Int("rx-motion", -1, "motion-gui read end")
	rxL := fs.Int("rx-light", -1, "light-gui read end")
	txM := fs.Int("tx-motion", -1, "gui-motion write end")
	txL := fs.Int("tx-light", -1, "gui-light write end")
	fs.String("tty", "", "terminal mode")
	fs.String("control", "", "control socket")
	if err := fs.Parse(args); err != nil {
		return err
	}
	for _, e := range []struct {
		fd   int
		name string
	}{{*rxM, "rx-motion"}, {*rxL, "rx-light"}, {*txM, "tx-motion"}, {*txL, "tx-light"}} {
		if err := ipc.CheckWriteEnd(e.fd, e.name); err != nil {
			return fmt.Errorf("gui: --%s: %w", e.name, err)
		}
	}
	<-ctx.Done()
	return nil
}
