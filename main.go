// Command sensord is the userland of a Raspberry Pi sensor appliance. Its
// first argument picks the role, like busybox; with none it runs the
// daemon. See README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"sensord/daemon"
	"sensord/gui"
	"sensord/light"
	"sensord/logger"
	"sensord/metrics"
	"sensord/motion"
	"sensord/sandbox"
	"sensord/uplink"
)

// A role's Main parses its arguments and runs until done or until ctx
// ends. own says the role handles SIGTERM/SIGINT itself.
var roles = map[string]struct {
	main func(ctx context.Context, args []string) error
	own  bool
}{
	"run":     {daemon.Main, true},
	"status":  {daemon.StatusMain, false},
	"restart": {daemon.RestartMain, false},
	"config":  {daemon.ConfigMain, false},
	"version": {daemon.VersionMain, false},
	"gui":     {gui.Main, true},
	"motion":  {motion.Main, false},
	"light":   {light.Main, false},
	"logger":  {logger.Main, false},
	"data":    {logger.DataMain, false},
	"uplink":  {uplink.Main, false},
	"metrics": {metricsMain, false},
}

func metricsMain(ctx context.Context, args []string) error {
	return metrics.Main(ctx, args, uplink.Backlog)
}

// offline are the child roles that run with no internet socket.
var offline = map[string]bool{"gui": true, "motion": true, "light": true, "logger": true}

func main() {
	name, args := "run", os.Args[1:]
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	role, ok := roles[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "sensord: unknown command %q; try run, status, restart, config, data, metrics or version\n", name)
		os.Exit(2)
	}
	if offline[name] {
		// Only the uplink may reach the network (DESIGN section 8). A
		// kernel or emulator without seccomp (qemu-user) gets a warning,
		// not a crash loop.
		if err := sandbox.DenyInternet(); err != nil {
			fmt.Fprintf(os.Stderr, "sensord %s: warning: %v\n", name, err)
		}
	}
	ctx := context.Background()
	if !role.own {
		var stop context.CancelFunc
		ctx, stop = signal.NotifyContext(ctx, syscall.SIGTERM, syscall.SIGINT)
		defer stop()
	}
	err := role.main(ctx, args)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
	default:
		fmt.Fprintf(os.Stderr, "sensord %s: %v\n", name, err)
		os.Exit(1)
	}
}
