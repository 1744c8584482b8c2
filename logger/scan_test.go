package logger

import (
	"context"
	"testing"

	"sensord/ipc"
	"sensord/ipc/ipctest"
)

// tornThenFrame is an 8-byte torn header (a header claiming 4000 more
// bytes) and a whole valid light sample right behind it: ipc.Reader
// returns the sample, and so must the logger (its own copy of the
// scanner once consumed it as nothing, and at shutdown gave it up).
func tornThenFrame(t *testing.T) []byte {
	torn := []byte{ipc.Magic0, ipc.Magic1, ipc.Version, byte(ipc.TypeLight), 0xA0, 0x0F, 0, 0}
	return append(torn, lightFrames(t, 1, 1, 1, 0)...)
}

// TestTornHeaderThenFrame: the sample behind a torn header is logged,
// while the logger runs and when it drains the pipe at shutdown.
func TestTornHeaderThenFrame(t *testing.T) {
	for _, atStop := range []bool{false, true} {
		motion, light := ipctest.NewPipe(t, 0), ipctest.NewPipe(t, 0)
		c := testConfig(t, motion, light)
		write(t, light.W, tornThenFrame(t))
		if atStop {
			ctx, cancel := context.WithCancel(context.Background())
			cancel() // Run goes straight to draining its pipes
			if err := Run(ctx, c); err != nil {
				t.Fatal(err)
			}
		} else {
			stop := startRun(t, c)
			ipctest.Eventually(t, "the sample behind the torn header", func() bool { return countSamples(t, c.Dir) == 1 })
			if err := stop(); err != nil {
				t.Fatal(err)
			}
		}
		if n := countSamples(t, c.Dir); n != 1 {
			t.Errorf("at stop %v: %d samples logged; want the one behind the torn header", atStop, n)
		}
		if q := light.Queued(t); q != 0 {
			t.Errorf("at stop %v: %d bytes left in the pipe; want none", atStop, q)
		}
	}
}

// TestSourceParseTornHeader: the logger's parse on the exact bytes, as
// ipc.Scan: 8 bad bytes, one record, every byte used.
func TestSourceParseTornHeader(t *testing.T) {
	b := tornThenFrame(t)
	s := &source{name: "light"}
	out, used := s.parse(nil, b, true)
	if used != len(b) || s.stats.BadBytes != 8 || s.stats.Records != 1 || len(out) == 0 {
		t.Errorf("parse: used %d of %d, bad %d, records %d", used, len(b), s.stats.BadBytes, s.stats.Records)
	}
}
