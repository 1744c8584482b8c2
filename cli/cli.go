// Package cli is how every sensord command reads its command line, so
// they all behave alike: flags may come before and after the positional
// arguments (`sensord restart light --runtime-dir DIR` as well as
// `sensord restart --runtime-dir DIR light`, as systemctl and git take
// them), "--" ends the flags, -h prints the command's synopsis and its
// flags, and an error names the argument that was wrong.
package cli

import (
	"flag"
	"fmt"
	"strings"
)

// NewFlagSet returns a flag set for command name ("restart", "data
// cat") whose -h prints "usage: sensord NAME SYNOPSIS" and the flags.
func NewFlagSet(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: sensord %s %s\n", name, synopsis)
		var any bool
		fs.VisitAll(func(*flag.Flag) { any = true })
		if any {
			fmt.Fprintln(fs.Output(), "flags (before or after the arguments):")
			fs.PrintDefaults()
		}
	}
	return fs
}

// Parse parses args with fs, flags anywhere among the positional
// arguments, and returns the positional arguments in order. Everything
// after "--" is positional.
func Parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), nil
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
}

// Args is Parse for a command that takes from min to max positional
// arguments (max < 0: no limit). what names them for the error, such as
// "a child name (gui, motion, light or logger)".
func Args(fs *flag.FlagSet, args []string, min, max int, what string) ([]string, error) {
	pos, err := Parse(fs, args)
	if err != nil {
		return nil, err
	}
	switch {
	case len(pos) < min:
		return nil, fmt.Errorf("missing %s; see sensord %s -h", what, fs.Name())
	case max >= 0 && len(pos) > max:
		return nil, fmt.Errorf("unexpected argument %q; see sensord %s -h", pos[max], fs.Name())
	}
	return pos, nil
}

// OneOf checks that arg is one of choices, for an error that names the
// argument and the choices.
func OneOf(fs *flag.FlagSet, arg string, choices ...string) error {
	for _, c := range choices {
		if arg == c {
			return nil
		}
	}
	return fmt.Errorf("%q is not one of %s; see sensord %s -h", arg, strings.Join(choices, ", "), fs.Name())
}
