package daemon

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"sensord/cli"
	"sensord/config"
	"sensord/control"
	"sensord/version"
)

// clientFlags are the flags of the commands that talk to a daemon.
func clientFlags(name, synopsis string) (*flag.FlagSet, *string, *string) {
	fs := cli.NewFlagSet(name, synopsis)
	cfgPath := fs.String("config", config.DefaultPath, "configuration `file` (to find the runtime directory)")
	rt := fs.String("runtime-dir", "", "`directory` of the control socket")
	return fs, cfgPath, rt
}

// controlPath finds the control socket from --runtime-dir or the config.
func controlPath(cfgPath, rt string) string {
	if rt != "" {
		return control.SocketPath(rt)
	}
	c, err := config.Load(cfgPath, false)
	if err != nil {
		c = config.Default()
	}
	return control.SocketPath(c.Supervisor.RuntimeDir)
}

// StatusMain is `sensord status [--json]`.
func StatusMain(ctx context.Context, args []string) error {
	fs, cfgPath, rt := clientFlags("status", "[--json]")
	asJSON := fs.Bool("json", false, "print the status as JSON")
	if _, err := cli.Args(fs, args, 0, 0, ""); err != nil {
		return err
	}
	var raw json.RawMessage
	if err := (control.Client{Path: controlPath(*cfgPath, *rt)}).Do(ctx, control.Request{Cmd: "status"}, &raw); err != nil {
		return err
	}
	if *asJSON {
		_, err := fmt.Printf("%s\n", raw)
		return err
	}
	var st control.Status
	if err := json.Unmarshal(raw, &st); err != nil {
		return err
	}
	printStatus(st, time.Now())
	return nil
}

func printStatus(st control.Status, now time.Time) {
	fmt.Printf("sensord %s  pid %d  up %s  board %s (%s)  core limit %s  %s\n\n", st.Version, st.PID,
		now.Sub(st.StartedAt).Round(time.Second), st.Board, st.Model, st.CoreLimit, st.State)
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "CHILD\tPID\tSTATE\tGEN\tRESTARTS\tUPTIME\tLAST EXIT")
	for _, c := range st.Children {
		up := "-"
		if c.StartedAt != nil {
			up = now.Sub(*c.StartedAt).Round(time.Second).String()
		}
		last := "-"
		if c.LastExit != nil {
			last = fmt.Sprintf("%s after %s, %s ago", c.LastExit.Reason,
				(time.Duration(c.LastExit.RanMS) * time.Millisecond).String(),
				now.Sub(c.LastExit.At).Round(time.Second))
		}
		fmt.Fprintf(w, "%s\t%d\t%s\t%d\t%d\t%s\t%s\n", c.Name, c.PID, c.State, c.Gen, c.Restarts, up, last)
	}
	fmt.Fprintln(w, "\nPIPE\tQUEUED\tCAPACITY")
	for _, p := range st.Pipes {
		fmt.Fprintf(w, "%s\t%d\t%d\n", p.Name, p.QueuedBytes, p.CapacityBytes)
	}
	w.Flush()
}

// RestartMain is `sensord restart NAME`.
func RestartMain(ctx context.Context, args []string) error {
	fs, cfgPath, rt := clientFlags("restart", "gui|motion|light|logger")
	pos, err := cli.Args(fs, args, 1, 1, "the child to restart (gui, motion, light or logger)")
	if err != nil {
		return err
	}
	r, err := control.Client{Path: controlPath(*cfgPath, *rt)}.Restart(ctx, pos[0])
	if err != nil {
		return err
	}
	fmt.Println(r.Message)
	return nil
}

// ConfigMain is `sensord config`: the effective configuration.
func ConfigMain(ctx context.Context, args []string) error {
	o, err := parseRunFlags("config", args)
	if err != nil {
		return err
	}
	c, err := loadConfig(o)
	if err != nil {
		return err
	}
	_, err = os.Stdout.Write(config.Marshal(c))
	return err
}

// VersionMain is `sensord version`.
func VersionMain(ctx context.Context, args []string) error {
	if _, err := cli.Args(cli.NewFlagSet("version", ""), args, 0, 0, ""); err != nil {
		return err
	}
	fmt.Println("sensord", version.String())
	return nil
}
