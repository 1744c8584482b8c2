package ipc

import (
	"errors"
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// newPipe makes a pipe as the daemon does, with the given capacity
// (0: the default). The write end is closed at cleanup; the read end is
// returned as an *os.File from OpenReader, also closed at cleanup.
func newPipe(tb testing.TB, size int) (*os.File, int) {
	tb.Helper()
	var fds [2]int
	if err := unix.Pipe2(fds[:], unix.O_NONBLOCK|unix.O_CLOEXEC); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { unix.Close(fds[1]) })
	if size > 0 {
		if _, err := unix.FcntlInt(uintptr(fds[1]), unix.F_SETPIPE_SZ, size); err != nil {
			unix.Close(fds[0])
			tb.Fatalf("F_SETPIPE_SZ %d: %v", size, err)
		}
	}
	f, err := OpenReader(fds[0], "test-pipe")
	if err != nil {
		unix.Close(fds[0])
		tb.Fatal(err)
	}
	tb.Cleanup(func() { f.Close() })
	return f, fds[1]
}

// fixedClock is a clock for Sender.SetClock.
func fixedClock() (mono, wall int64) { return 5e9, 1795255200e9 }

// within fails the test if f does not return in time: f must never block.
func within(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s blocked", what)
	}
}

// TestWriterFullPipe fills a real pipe: the Writer drops and counts
// without blocking, and once there is room it sends a DropReport before
// the next frame.
func TestWriterFullPipe(t *testing.T) {
	f, wfd := newPipe(t, 4096) // one page, the smallest pipe
	s := NewSender(7)
	s.SetClock(fixedClock)
	w := NewWriter(wfd)
	light := &LightSample{Lux: 1}

	var sent int
	within(t, "filling the pipe", func() {
		for sent < 10000 {
			err := s.Send(light, w)
			if errors.Is(err, ErrDropped) {
				break
			}
			if err != nil {
				t.Error(err)
				return
			}
			sent++
		}
		// More while it is full: 5 samples and a status, all dropped.
		for i := range 6 {
			var m Message = light
			if i == 2 {
				m = &SensorStatus{Health: HealthOffline, Reason: "test"}
			}
			if err := s.Send(m, w); !errors.Is(err, ErrDropped) {
				t.Errorf("send %d into a full pipe: %v, want ErrDropped", i, err)
			}
		}
	})
	if sent == 0 || sent == 10000 {
		t.Fatalf("pipe took %d frames", sent)
	}
	wantDrops := WriterStats{Frames: uint64(sent), Bytes: uint64(sent * 48), Dropped: 7}
	if w.Stats != wantDrops {
		t.Errorf("writer stats %+v, want %+v", w.Stats, wantDrops)
	}

	r := NewReader(f)
	var gaps []Gap
	r.OnGap = func(g Gap) { gaps = append(gaps, g) }
	for i := range sent {
		fr, err := r.Next()
		if err != nil || fr.Seq != uint64(i+1) {
			t.Fatalf("frame %d: seq %d, %v", i, fr.Seq, err)
		}
	}
	if r.Buffered() != 0 {
		t.Fatalf("%d bytes left over", r.Buffered())
	}

	// Room again: the next sample goes out after a report of the drops.
	if err := s.Send(light, w); err != nil {
		t.Fatalf("send after draining: %v", err)
	}
	first := uint64(sent + 1)
	fr, err := r.Next()
	if err != nil || fr.Type != TypeDrop || fr.Gen != 7 || fr.Seq != 0 {
		t.Fatalf("first frame after the drops: %+v, %v; want a drop report", fr.Header, err)
	}
	var rep DropReport
	if err := rep.UnmarshalPayload(fr.Payload); err != nil {
		t.Fatal(err)
	}
	if want := (DropReport{Frames: 7, Samples: 6, First: first, Last: first + 5}); rep != want {
		t.Errorf("drop report %+v, want %+v", rep, want)
	}
	fr, err = r.Next()
	if err != nil || fr.Type != TypeLight || fr.Seq != first+6 {
		t.Fatalf("frame after the report: %+v, %v; want light seq %d", fr.Header, err, first+6)
	}
	if want := []Gap{{TypeLight, 7, first, first + 5}}; len(gaps) != 1 || gaps[0] != want[0] {
		t.Errorf("gaps %+v, want %+v", gaps, want)
	}
	if w.Stats.Frames != uint64(sent+2) || w.Stats.Dropped != 7 {
		t.Errorf("writer stats %+v", w.Stats)
	}
	if nb, err := IsNonblock(wfd); !nb || err != nil {
		t.Errorf("write end non-blocking: %v, %v", nb, err)
	}
}

// TestWriterReportDropped: while even the DropReport does not fit, the
// drops keep adding up in one report.
func TestWriterReportDropped(t *testing.T) {
	f, wfd := newPipe(t, 4096)
	if n, err := unix.FcntlInt(uintptr(wfd), unix.F_GETPIPE_SZ, 0); err != nil || n != 4096 {
		t.Skipf("pipe capacity %d, %v: the test needs 4 KiB pages", n, err)
	}
	w := NewWriter(wfd)
	// Fill the pipe but for 60 bytes: room for a light frame (48 bytes)
	// but not for a drop report (72 bytes).
	big := make([]byte, 0, MaxFrame)
	big, _ = AppendFrame(big, Header{Type: TypeReply}, make([]byte, 4096-Overhead-60))
	if err := w.WriteFrame(big, Header{Type: TypeReply}); err != nil {
		t.Fatal(err)
	}
	over, _ := AppendFrame(nil, Header{Type: TypeReply}, make([]byte, 100))
	h := Header{Type: TypeReply}
	if err := w.WriteFrame(over, h); err != ErrDropped {
		t.Fatalf("frame bigger than the room left: %v, want ErrDropped", err)
	}
	l1 := lightFrame(t, 1, 5)
	if err := w.WriteFrame(l1, Header{Type: TypeLight, Gen: 1, Seq: 5}); err != ErrDropped {
		t.Fatalf("light frame behind a pending report that does not fit: %v, want ErrDropped", err)
	}
	if w.Stats.Dropped != 2 || w.pending(1) != (DropReport{Frames: 1, Samples: 1, First: 5, Last: 5}) ||
		w.pending(0) != (DropReport{Frames: 1}) {
		t.Fatalf("stats %+v, pending gen 0 %+v, gen 1 %+v", w.Stats, w.pending(0), w.pending(1))
	}

	r := NewReader(f)
	if fr, err := r.Next(); err != nil || fr.Type != TypeReply {
		t.Fatalf("%+v, %v", fr.Header, err)
	}
	if err := w.WriteFrame(lightFrame(t, 1, 6), Header{Type: TypeLight, Gen: 1, Seq: 6}); err != nil {
		t.Fatal(err)
	}
	for gen := range uint32(2) {
		fr, err := r.Next()
		var rep DropReport
		if err != nil || fr.Type != TypeDrop || fr.Gen != gen || rep.UnmarshalPayload(fr.Payload) != nil || rep.Frames != 1 {
			t.Fatalf("got %+v %+v, %v; want the report of 1 drop of gen %d", fr.Header, rep, err, gen)
		}
	}
}

func TestWriterTooLarge(t *testing.T) {
	f, wfd := newPipe(t, 0)
	w := NewWriter(wfd)
	max, _ := AppendFrame(nil, Header{Type: TypeReply}, make([]byte, MaxPayload))
	if err := w.WriteFrame(max, Header{Type: TypeReply}); err != nil {
		t.Fatalf("largest frame: %v", err)
	}
	if err := w.WriteFrame(append(max, 0), Header{Type: TypeReply}); err != ErrTooLarge {
		t.Errorf("frame over PIPE_BUF: %v, want ErrTooLarge", err)
	}
	if fr, err := NewReader(f).Next(); err != nil || len(fr.Payload) != MaxPayload {
		t.Errorf("read back %d payload bytes, %v", len(fr.Payload), err)
	}
	if w.Stats != (WriterStats{Frames: 1, Bytes: MaxFrame}) {
		t.Errorf("stats %+v", w.Stats)
	}
}

func TestWriterErrors(t *testing.T) {
	var fds [2]int
	if err := unix.Pipe2(fds[:], unix.O_NONBLOCK|unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fds[1])
	unix.Close(fds[0]) // no reader: EPIPE, not a drop
	w := NewWriter(fds[1])
	err := w.WriteFrame(lightFrame(t, 1, 1), Header{Type: TypeLight, Gen: 1, Seq: 1})
	if !errors.Is(err, unix.EPIPE) || w.Stats.Dropped != 0 {
		t.Errorf("write with no reader: %v, stats %+v; want EPIPE, no drop", err, w.Stats)
	}
}

// TestOpenReader: the read end stays non-blocking, reads go through the
// runtime poller (deadlines work, Close wakes a blocked Read), and a
// blocking descriptor is refused.
func TestOpenReader(t *testing.T) {
	var fds [2]int
	if err := unix.Pipe2(fds[:], unix.O_NONBLOCK|unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fds[1])
	f, err := OpenReader(fds[0], "rx")
	if err != nil {
		t.Fatal(err)
	}
	checkNonblock := func(when string) {
		t.Helper()
		if nb, err := IsNonblock(fds[0]); !nb || err != nil {
			t.Fatalf("%s: read end non-blocking = %v, %v", when, nb, err)
		}
	}
	checkNonblock("after OpenReader")

	frame := lightFrame(t, 1, 1)
	if _, err := unix.Write(fds[1], frame[:25]); err != nil {
		t.Fatal(err)
	}
	r := NewReader(f)
	f.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
	if _, err := r.Next(); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Next on half a frame with a deadline: %v, want os.ErrDeadlineExceeded", err)
	}
	checkNonblock("after a read that waited")
	f.SetReadDeadline(time.Time{})
	if _, err := unix.Write(fds[1], frame[25:]); err != nil {
		t.Fatal(err)
	}
	if fr, err := r.Next(); err != nil || fr.Seq != 1 {
		t.Fatalf("Next after the rest: %+v, %v", fr.Header, err)
	}
	checkNonblock("after reading")

	done := make(chan error)
	go func() {
		_, err := r.Next()
		done <- err
	}()
	f.Close()
	if err := <-done; !errors.Is(err, os.ErrClosed) {
		t.Errorf("Next on a closed file: %v, want os.ErrClosed", err)
	}
}

func TestDescriptorChecks(t *testing.T) {
	var fds [2]int
	if err := unix.Pipe2(fds[:], unix.O_CLOEXEC); err != nil { // blocking
		t.Fatal(err)
	}
	defer unix.Close(fds[0])
	defer unix.Close(fds[1])
	if f, err := OpenReader(fds[0], "rx"); err == nil {
		f.Close()
		t.Error("OpenReader took a blocking descriptor")
	}
	if err := CheckWriteEnd(fds[1], "tx"); err == nil {
		t.Error("CheckWriteEnd took a blocking descriptor")
	}
	if err := unix.SetNonblock(fds[1], true); err != nil {
		t.Fatal(err)
	}
	if err := CheckWriteEnd(fds[1], "tx"); err != nil {
		t.Errorf("CheckWriteEnd on a non-blocking pipe: %v", err)
	}
	const closed = 1 << 20 // far above any open descriptor
	if _, err := OpenReader(closed, "rx"); !errors.Is(err, unix.EBADF) {
		t.Errorf("OpenReader on a closed descriptor: %v, want EBADF", err)
	}
	if err := CheckWriteEnd(closed, "tx"); !errors.Is(err, unix.EBADF) {
		t.Errorf("CheckWriteEnd on a closed descriptor: %v, want EBADF", err)
	}
}

func TestSender(t *testing.T) {
	f1, w1 := newPipe(t, 0)
	f2, w2 := newPipe(t, 0)
	s := NewSender(4)
	s.SetClock(fixedClock)
	a, b := NewWriter(w1), NewWriter(w2)
	for _, m := range []Message{
		&SensorStatus{Health: HealthWarming}, &LightSample{Lux: 1}, &MotionState{Motion: true},
		&Reply{ID: 1, OK: true}, &LightSample{Lux: 2},
	} {
		if err := s.Send(m, a, b); err != nil {
			t.Fatal(err)
		}
	}
	if s.Seq() != 3 {
		t.Errorf("Seq = %d after 3 samples", s.Seq())
	}
	mono, wall := fixedClock()
	for _, f := range []*os.File{f1, f2} {
		r := NewReader(f)
		for i, want := range []Header{
			{TypeStatus, 4, 0, mono, wall}, {TypeLight, 4, 1, mono, wall}, {TypeMotion, 4, 2, mono, wall},
			{TypeReply, 4, 0, mono, wall}, {TypeLight, 4, 3, mono, wall},
		} {
			if fr, err := r.Next(); err != nil || fr.Header != want {
				t.Fatalf("frame %d: %+v, %v; want %+v", i, fr.Header, err, want)
			}
		}
	}
	if err := s.Send(&LightSample{}); err != nil {
		t.Errorf("Send to no writer: %v", err)
	}
	if s.Seq() != 4 {
		t.Errorf("a sample sent nowhere still takes a seq: Seq = %d, want 4", s.Seq())
	}
}

// TestNow: Now's monotonic time is CLOCK_MONOTONIC, read through Go's
// clock, and its wall time is the real time.
func TestNow(t *testing.T) {
	const slack = 20 * time.Microsecond // for the calibration and preemption
	for range 100 {
		var before, after unix.Timespec
		unix.ClockGettime(unix.CLOCK_MONOTONIC, &before)
		mono, wall := Now()
		unix.ClockGettime(unix.CLOCK_MONOTONIC, &after)
		if mono < before.Nano()-int64(slack) || mono > after.Nano()+int64(slack) {
			t.Fatalf("Now mono = %d, outside CLOCK_MONOTONIC %d..%d", mono, before.Nano(), after.Nano())
		}
		if d := time.Since(time.Unix(0, wall)); d < 0 || d > time.Second {
			t.Fatalf("Now wall = %v, %v ago", time.Unix(0, wall), d)
		}
	}
}
