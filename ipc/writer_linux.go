package ipc

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// ErrDropped is returned by Writer.WriteFrame when the pipe was full and the
// frame was dropped.
var ErrDropped = errors.New("ipc: pipe full, frame dropped")

// WriterStats counts what a Writer has done.
type WriterStats struct {
	Frames  uint64 // frames written
	Bytes   uint64 // bytes written
	Dropped uint64 // frames dropped because the pipe was full
}

// Writer writes whole frames to one non-blocking pipe descriptor with a
// single write(2) each, so a frame is never torn and never waited for.
// It is not safe for concurrent use.
type Writer struct {
	fd    int
	Stats WriterStats
	slots *slots // pending drop reports, one per generation: on the heap or in a Ledger
	cur   int    // slot of the last drop, or -1
	dirty bool   // some slot is in use
	buf   []byte
}

// NewWriter returns a Writer on fd, which must be a pipe's write end in
// non-blocking mode. The Writer does not own fd.
func NewWriter(fd int) *Writer {
	// slots is allocated on its own: the first word of an allocation
	// is 64-bit aligned, as atomic 64-bit access needs on 32-bit ARM.
	return &Writer{fd: fd, slots: new(slots), cur: -1, buf: make([]byte, 0, MaxFrame)}
}

// UseLedger keeps the Writer's pending drop reports in pipe i of l
// (0 ≤ i < LedgerPipes), so they outlive the process. Reports an earlier
// generation left there are sent, under that generation's number, before
// the next frame. Call it before the first WriteFrame.
func (w *Writer) UseLedger(l *Ledger, i int) {
	w.slots, w.cur, w.dirty = l.pipe(i), -1, false
	for k := range w.slots {
		w.dirty = w.dirty || w.slots[k].inUse()
	}
}

// Fd returns the descriptor the Writer writes to.
func (w *Writer) Fd() int { return w.fd }

// WriteFrame writes one encoded frame (as made by AppendFrame) with one
// write(2); h is its header, for the drop accounting. If the pipe is
// full it drops the frame, counts it and returns ErrDropped. If earlier
// frames were dropped, a DropReport goes first, in a write of its own.
// A frame over PipeBuf bytes is refused with ErrTooLarge, since the
// kernel could split it.
func (w *Writer) WriteFrame(frame []byte, h Header) error {
	if len(frame) > PipeBuf {
		return ErrTooLarge
	}
	if w.dirty && !w.flushDrops(h) {
		w.drop(h)
		return ErrDropped
	}
	if err := w.write(frame); err != nil {
		if errors.Is(err, unix.EAGAIN) {
			w.drop(h)
			return ErrDropped
		}
		return err
	}
	return nil
}

func (w *Writer) write(frame []byte) error {
	for {
		n, err := unix.Write(w.fd, frame)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		if n != len(frame) {
			// Not on a pipe: writes of at most PIPE_BUF bytes are atomic.
			return fmt.Errorf("ipc: short write (%d of %d bytes) on descriptor %d; not a pipe?", n, len(frame), w.fd)
		}
		w.Stats.Frames++
		w.Stats.Bytes += uint64(n)
		return nil
	}
}

func (w *Writer) drop(h Header) {
	w.Stats.Dropped++
	w.slotFor(h.Gen).add(h)
	w.dirty = true
}

// slotFor returns the slot for gen's drops: its own, else a free one.
// When every slot holds another generation's report, the latest of them
// takes gen's drops too: its counts stay exact, its generation and seq
// range become gen's.
func (w *Writer) slotFor(gen uint32) *slot {
	if w.cur >= 0 && w.slots[w.cur].inUse() && w.slots[w.cur].gen == uint64(gen) {
		return &w.slots[w.cur]
	}
	free, latest := -1, -1
	for k := range w.slots {
		s := &w.slots[k]
		switch {
		case !s.inUse():
			if free < 0 {
				free = k
			}
		case s.gen == uint64(gen):
			w.cur = k
			return s
		case latest < 0 || s.gen > w.slots[latest].gen:
			latest = k
		}
	}
	if free >= 0 {
		w.cur = free
		return &w.slots[free]
	}
	s := &w.slots[latest]
	s.gen, s.rep.First, s.rep.Last = uint64(gen), 0, 0
	w.cur = latest
	return s
}

// flushDrops sends the pending drop reports, oldest generation first,
// each in a write of its own and under its generation's number; it
// reports whether the pipe took them all. h gives the timestamps.
func (w *Writer) flushDrops(h Header) bool {
	for {
		k := w.oldestPending()
		if k < 0 {
			w.dirty = false
			return true
		}
		s := &w.slots[k]
		hdr := Header{Type: TypeDrop, Gen: uint32(s.gen), Mono: h.Mono, Wall: h.Wall}
		var p [32]byte
		w.buf, _ = AppendFrame(w.buf[:0], hdr, s.rep.AppendPayload(p[:0]))
		if w.write(w.buf) != nil {
			return false
		}
		s.clear()
	}
}

// oldestPending returns the in-use slot of the lowest generation, or -1.
func (w *Writer) oldestPending() int {
	k := -1
	for i := range w.slots {
		if w.slots[i].inUse() && (k < 0 || w.slots[i].gen < w.slots[k].gen) {
			k = i
		}
	}
	return k
}

// pending returns the drops not yet reported for gen.
func (w *Writer) pending(gen uint32) DropReport {
	for i := range w.slots {
		if s := &w.slots[i]; s.inUse() && s.gen == uint64(gen) {
			return s.rep
		}
	}
	return DropReport{}
}
