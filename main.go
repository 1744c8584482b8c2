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
	"runtime"
	"strings"
	"syscall"

	"sensord/daemon"
	"sensord/generator"
	"sensord/gui"
	"sensord/light"
	"sensord/logger"
	"sensord/metrics"
	"sensord/motion"
	"sensord/sandbox"
	"sensord/uplink"
)

// role is a command: its Main parses its arguments and runs until done
// or until ctx ends. own says the role handles SIGTERM/SIGINT itself;
// what is its line in `sensord help` (empty for the roles the daemon
// starts).
type role struct {
	main func(ctx context.Context, args []string) error
	own  bool
	what string
}

var roles = map[string]role{
	"run":     {daemon.Main, true, "run the appliance (the default)"},
	"status":  {daemon.StatusMain, false, "show the children, restarts and pipes"},
	"restart": {daemon.RestartMain, false, "restart one child"},
	"config":  {daemon.ConfigMain, false, "print the effective configuration"},
	"data":    {logger.DataMain, false, "verify or print the data files"},
	"version": {daemon.VersionMain, false, "print the version"},
	"gui":     {gui.Main, true, ""},
	"motion":  {motion.Main, false, ""},
	"light":   {light.Main, false, ""},
	"logger":  {logger.SandboxedMain, false, ""},
	"uplink":  {uplink.SandboxedMain, false, ""},
	"metrics": {metricsMain, false, "print the appliance's figures for Prometheus"},
	// systemd runs it (lib/systemd/system-generators/sensord-generator).
	"generator": {generator.Main, false, ""},
}

// commands are the user's commands, in the order help lists them.
var commands = []string{"run", "status", "restart", "config", "data", "metrics", "version"}

// help is `sensord help [CMD]`: the commands, or CMD's flags.
func help(ctx context.Context, args []string) error {
	if len(args) > 0 {
		r, ok := roles[args[0]]
		if !ok {
			return fmt.Errorf("unknown command %q; try %s", args[0], strings.Join(commands, ", "))
		}
		return r.main(ctx, []string{"-h"})
	}
	fmt.Println("usage: sensord [COMMAND] [ARGUMENTS AND FLAGS]")
	fmt.Println()
	for _, c := range commands {
		fmt.Printf("  %-8s %s\n", c, roles[c].what)
	}
	fmt.Println("\nsensord help COMMAND, or sensord COMMAND -h, lists its flags;")
	fmt.Println("flags may come before or after a command's arguments. See README.md.")
	return nil
}

func metricsMain(ctx context.Context, args []string) error {
	return metrics.Main(ctx, args, uplink.Backlog)
}

// oneLoop are the child roles that run one event loop, fed by
// goroutines that only wait (pipes, the terminal, the edge watcher) and
// hand it work: none computes in parallel, so they run on one processor
// (GOMAXPROCS=1, unless the environment sets it). With more, every
// event woke a second thread as well, one that polls the network while
// the first runs the loop, and handed work between the two: measured
// here about a third of each child's idle wake-ups (BENCHMARKS.md,
// "Supervisor core"). A blocking system call (fsync, an I2C transfer, a
// write to a stopped terminal) still lets the rest run: the runtime
// hands the processor on, as it does with more. The daemon keeps the
// default: its control socket and the loop's thread run side by side.
var oneLoop = map[string]bool{"gui": true, "motion": true, "light": true, "logger": true}

func main() {
	name, args := "run", os.Args[1:]
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	if name == "help" || name == "-h" || name == "--help" {
		if err := help(context.Background(), args); err != nil && !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(os.Stderr, "sensord help: %v\n", err)
			os.Exit(2)
		}
		return
	}
	role, ok := roles[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "sensord: unknown command %q; try %s, or sensord help\n", name, strings.Join(commands, ", "))
		os.Exit(2)
	}
	if sandbox.Filtered(name) {
		// Each child role runs under its system-call allow-list, and
		// only the uplink may reach the network (README.md, "Security:
		// system calls"). A kernel or emulator without seccomp
		// (qemu-user) gets a warning, not a crash loop.
		if err := sandbox.Filter(name); err != nil {
			fmt.Fprintf(os.Stderr, "sensord %s: warning: %v\n", name, err)
		}
	}
	if oneLoop[name] && os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(1)
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
