package ipc

import (
	"errors"
	"io"
)

// ReaderStats counts what a Reader has seen. Read it from the goroutine
// that calls Next.
type ReaderStats struct {
	Frames     uint64 // valid frames returned
	Bytes      uint64 // bytes read from the source
	BadBytes   uint64 // bytes skipped because they were not part of a valid frame
	Resyncs    uint64 // times the reader skipped to a new start marker
	GapSamples uint64 // samples missing according to sequence numbers
	Gaps       uint64 // number of sequence gaps seen
}

// Gap describes missing samples detected on a stream: in generation Gen,
// the samples with seq First..Last (inclusive) never arrived.
type Gap struct {
	Type        Type
	Gen         uint32
	First, Last uint64
}

// Count is the number of missing samples.
func (g Gap) Count() uint64 { return g.Last - g.First + 1 }

// Reader reads frames from a byte stream, such as one pipe. It never
// gives up on bad input: bytes that are not a valid frame are counted in
// Stats and skipped up to the next start marker.
type Reader struct {
	src   io.Reader
	buf   []byte
	r, w  int // unread bytes are buf[r:w]
	Stats ReaderStats
	seq   SeqTracker
	// OnGap, if set, is called for every sequence gap before the frame
	// that revealed it is returned.
	OnGap func(Gap)
}

// NewReader returns a Reader over src.
func NewReader(src io.Reader) *Reader {
	return &Reader{src: src, buf: make([]byte, 4*MaxFrame)}
}

// Next returns the next valid frame. The payload aliases the Reader's
// buffer and is valid until the next call. Errors from the source are
// returned as they are, once the bytes read before them are used up.
func (r *Reader) Next() (Frame, error) {
	for {
		if f, ok := r.parse(); ok {
			return f, nil
		}
		if err := r.fill(); err != nil {
			return Frame{}, err
		}
	}
}

// Buffered returns how many unread bytes the Reader holds.
func (r *Reader) Buffered() int { return r.w - r.r }

// parse tries to take one frame from the buffer.
func (r *Reader) parse() (Frame, bool) {
	for r.r < r.w {
		f, n, err := Parse(r.buf[r.r:r.w])
		switch {
		case err == nil:
			r.r += n
			r.Stats.Frames++
			r.track(f.Header)
			return f, true
		case errors.Is(err, ErrShort):
			return Frame{}, false
		default:
			skip := nextMarker(r.buf[r.r:r.w])
			r.r += skip
			r.Stats.BadBytes += uint64(skip)
			r.Stats.Resyncs++
		}
	}
	return Frame{}, false
}

func (r *Reader) track(h Header) {
	if g, ok := r.seq.Observe(h); ok {
		r.Stats.Gaps++
		r.Stats.GapSamples += g.Count()
		if r.OnGap != nil {
			r.OnGap(g)
		}
	}
}

// fill reads more bytes, compacting the buffer first.
func (r *Reader) fill() error {
	if r.r > 0 {
		r.w = copy(r.buf, r.buf[r.r:r.w])
		r.r = 0
	}
	n, err := r.src.Read(r.buf[r.w:])
	r.w += n
	r.Stats.Bytes += uint64(n)
	if n > 0 {
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return err
}

// SeqTracker finds gaps in the sample sequence of one sender. The zero
// value is ready to use.
type SeqTracker struct {
	known bool
	gen   uint32
	last  map[Type]uint64
}

// Observe records h and reports a gap if samples are missing before it.
// A new generation starts over at seq 1, so a first sample with seq > 1
// in a new generation is a gap too.
func (t *SeqTracker) Observe(h Header) (Gap, bool) {
	if !h.Type.IsSample() || h.Seq == 0 {
		return Gap{}, false
	}
	if !t.known || h.Gen != t.gen {
		t.known, t.gen = true, h.Gen
		clear(t.last)
	}
	if t.last == nil {
		t.last = make(map[Type]uint64, 2)
	}
	// Seq is per sender, shared by all its sample types: track the
	// sender's last seq under a single key.
	last := t.last[0]
	t.last[0] = max(last, h.Seq)
	if h.Seq > last+1 {
		return Gap{Type: h.Type, Gen: h.Gen, First: last + 1, Last: h.Seq - 1}, true
	}
	return Gap{}, false
}
