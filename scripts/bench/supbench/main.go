// Command supbench is the measuring half of scripts/compare-supervisors.sh:
// the script installs and starts the supervisors, supbench kills, waits,
// samples and prints. Every supervised child is scripts/bench/stamp.c,
// which appends "PID MONO_NS" to a log file when it starts, so one
// CLOCK_MONOTONIC clock times everything.
//
//	supbench idle      -out F -secs 10 NAME=PID[,PID...] ...
//	supbench restart   -out F -kills 200 NAME=LOG ...
//	supbench crashloop -out F -wait 15s NAME=LOG ...
//	supbench table     F
//
// Results are appended to F as "NAME\tKEY\tVALUE" lines; table renders
// them as markdown. It only ever signals the pids it read from the logs.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	cmds := map[string]func([]string) error{
		"idle": idle, "restart": restart, "crashloop": crashloop, "table": table,
	}
	cmd, ok := cmds[os.Args[1]]
	if !ok {
		usage()
	}
	if err := cmd(os.Args[2:]); err != nil {
		fmt.Fprintln(os.Stderr, "supbench:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: supbench idle|restart|crashloop|table ... (see the package comment)")
	os.Exit(2)
}

// target is one NAME=VALUE argument.
type target struct{ name, value string }

func parseTargets(fs *flag.FlagSet, args []string) ([]target, error) {
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	var out []target
	for _, a := range fs.Args() {
		name, value, ok := strings.Cut(a, "=")
		if !ok || name == "" || value == "" {
			return nil, fmt.Errorf("argument %q: want NAME=VALUE", a)
		}
		out = append(out, target{name, value})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no NAME=VALUE arguments")
	}
	return out, nil
}

// results appends "name\tkey\tvalue" lines to a file.
type results struct{ f *os.File }

func openResults(path string) (*results, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("results file: %w", err)
	}
	return &results{f}, nil
}

func (r *results) put(name, key, format string, args ...any) {
	fmt.Fprintf(r.f, "%s\t%s\t%s\n", name, key, fmt.Sprintf(format, args...))
}
