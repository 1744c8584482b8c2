package ipc

import (
	"io"
)

// ReaderStats counts what a Reader has seen. Read it from the goroutine
// that calls Next. Except for the frame-inside-a-frame case that Reader
// describes, the counts do not depend on how the source splits the
// stream into reads.
type ReaderStats struct {
	Frames     uint64 // valid frames returned
	Bytes      uint64 // bytes read from the source
	BadBytes   uint64 // bytes skipped because they were not part of a valid frame
	Resyncs    uint64 // runs of bad bytes: times the reader lost the frame boundary and found it again
	GapSamples uint64 // samples missing according to sequence numbers
	Gaps       uint64 // number of sequence gaps seen
}

// Gap describes missing samples detected on a stream: in generation Gen,
// the samples with seq First..Last (inclusive) never arrived. Type is the
// type of the sample that revealed the gap; since a sender numbers all
// its sample types in one sequence, the missing ones may be of any of
// them.
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
//
// A header that promises more bytes than have arrived is waited for,
// unless the last read drained the source (it returned less than it was
// offered) and a complete valid frame starts inside the bytes the header
// claims: then the reader takes the header for garbage and skips ahead
// at once, so a torn header never holds back the frames behind it. On a
// pipe this never skips a real frame: a frame is one atomic write, so a
// read that empties the pipe cannot end inside one. On a source that
// splits frames (iotest.OneByteReader), a real frame that arrives in
// pieces and carries a whole valid frame inside its payload can be taken
// for garbage.
type Reader struct {
	src   io.Reader
	buf   []byte
	r, w  int   // unread bytes are buf[r:w]
	err   error // error that came with the last bytes read, not yet returned
	short bool  // the last read returned less than it was offered
	bad   bool  // the last bytes consumed were bad bytes
	// What validAhead has learnt, kept so that it looks at each byte once
	// however the stream arrives: buf[r+1:look] has been examined, and
	// waiting holds the frame starts in it that were incomplete, in
	// order; none is complete before the stream offset due.
	look    int
	waiting []pending
	due     int64
	base    int64 // stream offset of buf[0]
	Stats   ReaderStats
	seq     SeqTracker
	// OnGap, if set, is called for every sequence gap before the frame
	// that revealed it is returned.
	OnGap func(Gap)
}

// NewReader returns a Reader over src.
func NewReader(src io.Reader) *Reader {
	return &Reader{src: src, buf: make([]byte, readBufSize)}
}

// readBufSize is the Reader's buffer. At most one incomplete frame
// (under MaxFrame bytes) is kept between reads, so each read may take at
// least three full frames.
const readBufSize = 4 * MaxFrame

// Next returns the next valid frame. The payload aliases the Reader's
// buffer and is valid until the next call. Errors from the source are
// returned as they are, once the bytes read before them are used up;
// bytes of an incomplete frame stay buffered, so Next may be called
// again after a temporary error such as a read deadline.
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

// Resume tells the Reader's sequence tracker where the stream stands,
// for a reader that restarts and knows from elsewhere (say, its own
// files) the last sample it handled. See SeqTracker.Resume.
func (r *Reader) Resume(gen uint32, seq uint64) { r.seq.Resume(gen, seq) }

// parse tries to take one frame from the buffer, by the rules of step.
func (r *Reader) parse() (Frame, bool) {
	ahead := func() int {
		if v := r.validAhead(); v >= 0 {
			return v - r.r
		}
		return -1
	}
	for r.r < r.w {
		f, n, kind := step(r.buf[r.r:r.w], r.short, ahead)
		switch kind {
		case stepWait:
			return Frame{}, false
		case stepFrame:
			r.r += n
			r.bad = false
			r.Stats.Frames++
			r.track(f.Header)
			return f, true
		}
		r.r += n
		r.Stats.BadBytes += uint64(n)
		if !r.bad {
			r.bad = true
			r.Stats.Resyncs++
		}
	}
	return Frame{}, false
}

// validAhead returns the index in buf of the first complete valid frame
// after the one at r.r, or -1 if there is none.
func (r *Reader) validAhead() int {
	if found := r.recheck(); found >= 0 {
		return found
	}
	from := max(r.look, r.r+1) - 1
	for i := from + nextMarker(r.buf[from:r.w]); i < r.w; i += nextMarker(r.buf[i:r.w]) {
		switch _, _, err := Parse(r.buf[i:r.w]); err {
		case nil:
			r.look = i + 1
			return i
		case ErrShort:
			r.wait(i)
		}
	}
	r.look = r.w
	return -1
}

// pending is a frame start that validAhead found incomplete, by stream
// offset (not buffer index, so that compacting the buffer need not touch
// them): it cannot be complete before the stream reaches end.
type pending struct{ at, end int64 }

// wait records that the frame start at buf[i] is incomplete.
func (r *Reader) wait(i int) {
	p := pending{at: r.base + int64(i), end: r.base + int64(i) + 8} // length unknown before the flags
	if n, err := frameSize(r.buf[i:r.w]); err == nil {
		p.end = p.at + int64(n)
	}
	if len(r.waiting) == 0 || p.end < r.due {
		r.due = p.end
	}
	r.waiting = append(r.waiting, p)
}

// recheck returns the index in buf of the first incomplete frame start
// that is now a complete valid frame, or -1. It forgets the ones that
// turned out invalid or were consumed.
func (r *Reader) recheck() int {
	if len(r.waiting) == 0 || r.base+int64(r.w) < r.due {
		return -1
	}
	found := -1
	old := r.waiting
	r.waiting = r.waiting[:0]
	for _, p := range old {
		i := int(p.at - r.base)
		if i <= r.r {
			continue // consumed
		}
		if found < 0 && p.end <= r.base+int64(r.w) {
			switch _, _, err := Parse(r.buf[i:r.w]); err {
			case nil:
				found = i
			case ErrInvalid:
				continue
			}
		}
		r.wait(i)
	}
	return found
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

// maxEmptyReads is how many (0, nil) reads in a row fill accepts before
// it gives up with io.ErrNoProgress, as bufio does.
const maxEmptyReads = 100

// fill reads more bytes, compacting the buffer first. An error that came
// with bytes is kept and returned by the next call.
func (r *Reader) fill() error {
	if err := r.err; err != nil {
		r.err = nil
		return err
	}
	if shift := r.r; shift > 0 {
		r.w = copy(r.buf, r.buf[r.r:r.w])
		r.r = 0
		r.look = max(r.look-shift, 0)
		r.base += int64(shift)
	}
	for range maxEmptyReads {
		n, err := r.src.Read(r.buf[r.w:])
		r.short = n < len(r.buf)-r.w
		r.w += n
		r.Stats.Bytes += uint64(n)
		if n > 0 {
			r.err = err
			return nil
		}
		if err != nil {
			return err
		}
	}
	return io.ErrNoProgress
}

// SeqTracker finds gaps in the sample sequence of one sender. A sender
// numbers all its samples, of every sample type, in one sequence that
// starts at 1 in each generation. The zero value is ready to use.
type SeqTracker struct {
	known bool   // a sample (or Resume) has set gen and last
	gen   uint32 // generation of the last sample
	last  uint64 // highest seq seen in gen; 0 before its first sample
}

// Observe records h and reports a gap if samples are missing before it.
// Frames other than samples, and samples with seq 0, are ignored.
//
// The first sample the tracker sees never reveals a gap: it cannot know
// what came before it (a reader restarted mid-stream would otherwise
// report every earlier sample as lost). After that, a jump from a to b
// within a generation is the gap a+1..b-1, and a new generation starts
// over at 1, so its first sample with seq s > 1 reveals the gap 1..s-1.
// A seq that goes back within a generation (a duplicate) is no gap.
func (t *SeqTracker) Observe(h Header) (Gap, bool) {
	if !h.Type.IsSample() || h.Seq == 0 {
		return Gap{}, false
	}
	if !t.known {
		t.Resume(h.Gen, h.Seq)
		return Gap{}, false
	}
	if h.Gen != t.gen {
		t.gen, t.last = h.Gen, 0
	}
	last := t.last
	t.last = max(last, h.Seq)
	if h.Seq > last+1 {
		return Gap{Type: h.Type, Gen: h.Gen, First: last + 1, Last: h.Seq - 1}, true
	}
	return Gap{}, false
}

// Resume sets the tracker's position: seq is the last sample handled in
// generation gen (0: none of gen yet). The next sample is checked
// against it.
func (t *SeqTracker) Resume(gen uint32, seq uint64) {
	t.known, t.gen, t.last = true, gen, seq
}
