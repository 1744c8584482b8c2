package ipc

import (
	"errors"
	"testing"

	"golang.org/x/sys/unix"
)

// TestZeroAllocs proves the hot path allocates nothing per frame:
// sending a sample (written or dropped), reading a frame from memory or
// from a real pipe, and decoding a sample.
func TestZeroAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	const runs = 1000
	light := &LightSample{Lux: 312.5}
	motion := &MotionState{Motion: true, Since: 1795255200e9}

	f, wfd := newPipe(t, 1<<20)
	s := NewSender(1)
	w := NewWriter(wfd)
	r := NewReader(f)
	var stream []byte
	for i := range 100 {
		stream = append(stream, lightFrame(t, 1, uint64(i+1))...)
	}
	mem := NewReader(&loopReader{b: stream})
	lf, mf := lightFrame(t, 1, 1), frameOf(t, Header{Seq: 1}, motion)
	lp, mp := light.AppendPayload(nil), motion.AppendPayload(nil)
	dp := (&DropReport{Frames: 1}).AppendPayload(nil)
	buf := make([]byte, 0, MaxFrame)

	_, fullfd := newPipe(t, 4096)
	fw := NewWriter(fullfd)
	for fw.Stats.Dropped == 0 {
		if err := s.Send(light, fw); err != nil && !errors.Is(err, ErrDropped) {
			t.Fatal(err)
		}
	}

	ls, lw := NewSender(2), NewWriter(fullfd)
	lw.UseLedger(openLedger(t, newLedger(t)), LedgerLogger)

	for _, tc := range []struct {
		name string
		f    func()
	}{
		{"Sender.Send light", func() { mustNil(t, s.Send(light, w)) }},
		{"Writer with a ledger, dropped", func() {
			if err := ls.Send(light, lw); !errors.Is(err, ErrDropped) {
				t.Fatal(err)
			}
		}},
		{"Sender.Send motion", func() { mustNil(t, s.Send(motion, w)) }},
		{"Reader.Next from a pipe", func() {
			mustNil(t, w.WriteFrame(lf, Header{}))
			_, err := r.Next()
			mustNil(t, err)
		}},
		{"Sender.Send dropped", func() {
			if err := s.Send(light, fw); !errors.Is(err, ErrDropped) {
				t.Fatal(err)
			}
		}},
		{"Reader.Next from memory", func() {
			_, err := mem.Next()
			mustNil(t, err)
		}},
		{"AppendFrame", func() { buf, _ = AppendFrame(buf[:0], Header{Type: TypeLight}, lp) }},
		{"Parse", func() {
			_, _, err := Parse(lf)
			mustNil(t, err)
		}},
		{"LightSample.UnmarshalPayload", func() { mustNil(t, light.UnmarshalPayload(lp)) }},
		{"MotionState.UnmarshalPayload", func() { mustNil(t, motion.UnmarshalPayload(mp)) }},
		{"DropReport.UnmarshalPayload", func() { mustNil(t, new(DropReport).UnmarshalPayload(dp)) }},
		{"Parse and decode motion", func() {
			f, _, err := Parse(mf)
			mustNil(t, err)
			mustNil(t, motion.UnmarshalPayload(f.Payload))
		}},
	} {
		if n := testing.AllocsPerRun(runs, tc.f); n != 0 {
			t.Errorf("%s: %v allocations per frame, want 0", tc.name, n)
		}
	}
	// Drain what the Send tests wrote, to be sure it was all real frames.
	for r.Buffered() > 0 || pipeQueued(t, f.Name(), wfd) > 0 {
		if _, err := r.Next(); err != nil {
			t.Fatal(err)
		}
	}
	if r.Stats.BadBytes != 0 || r.Stats.Gaps != 0 {
		t.Errorf("reader stats %+v", r.Stats)
	}
}

func mustNil(t *testing.T, err error) {
	if err != nil {
		t.Fatal(err)
	}
}

// pipeQueued is the number of bytes waiting in the pipe of write end fd.
func pipeQueued(t *testing.T, name string, fd int) int {
	n, err := unix.IoctlGetInt(fd, unix.TIOCINQ)
	if err != nil {
		t.Fatalf("%s: FIONREAD: %v", name, err)
	}
	return n
}
