package ipc

import (
	"errors"
	"fmt"
	"math"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// Sender is one process's sending side: it stamps frames with the
// process's generation, the next sample sequence number and both clocks,
// encodes each message once and writes it to one or more pipes. It is
// not safe for concurrent use: keep it in one goroutine.
type Sender struct {
	gen     uint32
	seq     uint64
	buf     []byte
	payload []byte
	now     func() (mono, wall int64)
}

// NewSender returns a Sender for generation gen.
func NewSender(gen uint32) *Sender {
	return &Sender{
		gen:     gen,
		buf:     make([]byte, 0, MaxFrame),
		payload: make([]byte, 0, MaxPayload),
		now:     Now,
	}
}

// SetClock replaces the clock, for tests.
func (s *Sender) SetClock(now func() (mono, wall int64)) { s.now = now }

// Seq returns the sequence number of the last sample sent.
func (s *Sender) Seq() uint64 { return s.seq }

// Send encodes m and writes it to every writer. Samples take the next
// sequence number, even when every pipe is full, so a reader sees the
// loss as a gap. The result is the first error other than ErrDropped,
// or ErrDropped if any writer dropped the frame.
func (s *Sender) Send(m Message, to ...*Writer) error {
	h := Header{Type: m.Type(), Gen: s.gen}
	if h.Type.IsSample() {
		s.seq++
		h.Seq = s.seq
	}
	h.Mono, h.Wall = s.now()
	s.payload = m.AppendPayload(s.payload[:0])
	var err error
	if s.buf, err = AppendFrame(s.buf[:0], h, s.payload); err != nil {
		return err
	}
	var result error
	for _, w := range to {
		if err := w.WriteFrame(s.buf, h); err != nil &&
			(result == nil || errors.Is(result, ErrDropped)) {
			result = err
		}
	}
	return result
}

// Now returns CLOCK_MONOTONIC and the wall clock in nanoseconds. It
// reads the clock once, through the vDSO: Go's monotonic clock is
// CLOCK_MONOTONIC on Linux, and monoBase (measured on first use) turns
// its readings into absolute values, exact to a fraction of a
// microsecond. A clock_gettime(2) system call per frame would cost more
// than encoding and decoding the frame together.
func Now() (mono, wall int64) {
	base := monoBase()
	t := time.Now()
	return base.mono + int64(t.Sub(base.at)), t.UnixNano()
}

// monoReading is a CLOCK_MONOTONIC reading and the time.Time it was
// taken at.
type monoReading struct {
	at   time.Time
	mono int64
}

// monoBase reads CLOCK_MONOTONIC between two readings of Go's clock, a
// few times, and keeps the tightest pair.
var monoBase = sync.OnceValue(func() monoReading {
	var best monoReading
	window := time.Duration(math.MaxInt64)
	for range 5 {
		var ts unix.Timespec
		t0 := time.Now()
		if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
			panic("ipc: clock_gettime(CLOCK_MONOTONIC): " + err.Error())
		}
		d := time.Since(t0)
		if d < window {
			window, best = d, monoReading{t0.Add(d / 2), ts.Nano()}
		}
	}
	return best
})

// OpenReader returns an *os.File for a pipe's read end passed as fd. The
// descriptor must already be non-blocking: os.NewFile then registers it
// with the runtime poller, so reads park the goroutine, not the thread,
// and the descriptor stays non-blocking. Close the file to stop a
// blocked Read. Never call Fd() on it: that makes the pipe blocking for
// every process that shares it.
func OpenReader(fd int, name string) (*os.File, error) {
	nb, err := IsNonblock(fd)
	if err != nil {
		return nil, fmt.Errorf("ipc: descriptor %d (%s): %w", fd, name, err)
	}
	if !nb {
		return nil, fmt.Errorf("ipc: descriptor %d (%s) is in blocking mode; pipes must be O_NONBLOCK", fd, name)
	}
	return os.NewFile(uintptr(fd), name), nil
}

// CheckWriteEnd checks that fd is an open, non-blocking descriptor, for a
// role to validate its --tx flags at start.
func CheckWriteEnd(fd int, name string) error {
	nb, err := IsNonblock(fd)
	if err != nil {
		return fmt.Errorf("ipc: descriptor %d (%s): %w", fd, name, err)
	}
	if !nb {
		return fmt.Errorf("ipc: descriptor %d (%s) is in blocking mode; pipes must be O_NONBLOCK", fd, name)
	}
	return nil
}

// IsNonblock reports whether O_NONBLOCK is set on fd's open file
// description.
func IsNonblock(fd int) (bool, error) {
	fl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	if err != nil {
		return false, err
	}
	return fl&unix.O_NONBLOCK != 0, nil
}
