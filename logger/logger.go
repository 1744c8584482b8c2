package logger

import (
	"context"
	"flag"
	"fmt"

	"sensord/ipc"
)

// Main is the logger role's entry point: parse args, then Run.
func Main(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("logger", flag.ContinueOnError)
	fs.Uint("gen", 1, "generation")
	rxM := fs.Int("rx-motion", -1, "motion-logger read end")
	rxL := fs.Int("rx-light", -1, "light-logger read end")
	fs.String("dir", "", "data directory")
	fs.Duration("fsync-interval", 0, "fsync interval")
	fs.Int64("max-file-size", 0, "rotate size")
	fs.Int("max-files", 0, "files kept")
	if err := fs.Parse(args); err != nil {
		return err
	}
	for _, e := range []struct {
		fd   int
		name string
	}{{*rxM, "rx-motion"}, {*rxL, "rx-light"}} {
		if err := ipc.CheckWriteEnd(e.fd, e.name); err != nil {
			return fmt.Errorf("logger: --%s: %w", e.name, err)
		}
	}
	<-ctx.Done()
	return nil
}

// DataMain is `sensord data`.
func DataMain(ctx context.Context, args []string) error {
	return fmt.Errorf("data: not implemented yet")
}
