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
	fd      int
	Stats   WriterStats
	pending DropReport // drops not yet reported to the reader
	buf     []byte
}

// NewWriter returns a Writer on fd, which must be a pipe's write end in
// non-blocking mode. The Writer does not own fd.
func NewWriter(fd int) *Writer {
	return &Writer{fd: fd, buf: make([]byte, 0, MaxFrame)}
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
	if w.pending.Frames > 0 && !w.flushDrops(h) {
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
	w.pending.Frames++
	if h.Type.IsSample() {
		w.pending.Samples++
		if w.pending.First == 0 {
			w.pending.First = h.Seq
		}
		w.pending.Last = h.Seq
	}
}

// flushDrops sends the pending DropReport; it reports whether the pipe
// took it.
func (w *Writer) flushDrops(h Header) bool {
	hdr := Header{Type: TypeDrop, Gen: h.Gen, Mono: h.Mono, Wall: h.Wall}
	var p [32]byte
	w.buf, _ = AppendFrame(w.buf[:0], hdr, w.pending.AppendPayload(p[:0]))
	if w.write(w.buf) != nil {
		return false
	}
	w.pending = DropReport{}
	return true
}
