// Command genstamp stands in for the dashboard (`[gui] exec`) in
// daemon's BenchmarkRecovery. It reads the light-gui pipe (fd 4 by the
// public fd/argv convention: rx-motion 3, rx-light 4, tx-motion 5,
// tx-light 6) and, for each new generation of the light sensor, appends
// to <its own executable>.log one line per event:
//
//	frame  GEN TYPE RECV_MONO_NS SENT_MONO_NS   first frame of GEN
//	sample GEN TYPE RECV_MONO_NS SENT_MONO_NS   first sample of GEN
//
// RECV_MONO_NS is CLOCK_MONOTONIC right after the frame was read, so a
// kill's CLOCK_MONOTONIC time gives the recovery time as seen by a
// reader. It ignores its arguments and runs until a signal ends it.
package main

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"

	"sensord/ipc"
)

const rxLight = 4

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "genstamp:", err)
		os.Exit(1)
	}
}

func run() error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(exe+".log", os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o666)
	if err != nil {
		return fmt.Errorf("open log: %w; the directory must be writable by the child's user", err)
	}
	f, err := ipc.OpenReader(rxLight, "light-gui")
	if err != nil {
		return err
	}
	r := ipc.NewReader(f)
	var frameGen, sampleGen uint32
	for {
		fr, err := r.Next()
		if err != nil {
			return fmt.Errorf("read light-gui: %w", err)
		}
		now := mono()
		if fr.Gen != frameGen {
			frameGen = fr.Gen
			fmt.Fprintf(out, "frame %d %d %d %d\n", fr.Gen, fr.Type, now, fr.Mono)
		}
		if fr.Type.IsSample() && fr.Gen != sampleGen {
			sampleGen = fr.Gen
			fmt.Fprintf(out, "sample %d %d %d %d\n", fr.Gen, fr.Type, now, fr.Mono)
		}
	}
}

func mono() int64 {
	var ts unix.Timespec
	_ = unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	return ts.Nano()
}
