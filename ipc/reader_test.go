package ipc

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"testing"
	"testing/iotest"
)

// chunkings are the ways the garbage tests feed a stream to a Reader.
var chunkings = []struct {
	name string
	wrap func([]byte) io.Reader
}{
	{"whole", func(b []byte) io.Reader { return bytes.NewReader(b) }},
	{"one byte", func(b []byte) io.Reader { return iotest.OneByteReader(bytes.NewReader(b)) }},
	{"half", func(b []byte) io.Reader { return iotest.HalfReader(bytes.NewReader(b)) }},
	{"data with EOF", func(b []byte) io.Reader { return iotest.DataErrReader(bytes.NewReader(b)) }},
	{"odd chunks", func(b []byte) io.Reader { return &chunkReader{b: b, sizes: []int{7, 1, 40, 3, 4096, 13}} }},
}

func TestReaderGarbage(t *testing.T) {
	f1, f2, f3 := lightFrame(t, 2, 1), lightFrame(t, 2, 2), lightFrame(t, 2, 3)
	torn := lightFrame(t, 2, 99)[:30]
	// A header that claims the largest payload, then stops: a reader
	// must not wait for 4 KiB before it returns the frames behind it.
	bigHeader := []byte{Magic0, Magic1, Version, 5, 0xD8, 0x0F, 0, 0, 1, 2, 3}
	markers := []byte{Magic0, Magic1, Magic0, Magic1, Version, Magic0, Magic0, Magic1}
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	for _, tc := range []struct {
		name   string
		stream []byte
		seqs   []uint64 // frames expected, by seq
		runs   uint64   // runs of bad bytes
		gaps   uint64   // samples missing by seq
	}{
		{"clean", cat(f1, f2, f3), []uint64{1, 2, 3}, 0, 0},
		{"garbage before", cat([]byte("hello\x00\xff"), f1, f2), []uint64{1, 2}, 1, 0},
		{"garbage between", cat(f1, []byte{0, 1, 2, 0xA5}, f2, markers, f3), []uint64{1, 2, 3}, 2, 0},
		{"garbage after", cat(f1, f2, []byte("tail")), []uint64{1, 2}, 1, 0},
		{"garbage inside", cat(f1, f2[:20], []byte("xx"), f2[20:], f3), []uint64{1, 3}, 1, 1},
		{"torn frame", cat(f1, torn, f2, f3), []uint64{1, 2, 3}, 1, 0},
		{"torn frames in a row", cat(torn, torn, f1, torn, f2), []uint64{1, 2}, 2, 0},
		{"big header", cat(f1, bigHeader, f2, f3), []uint64{1, 2, 3}, 1, 0},
		{"big header first", cat(bigHeader, f2), []uint64{2}, 1, 0},
		{"lone marker byte", cat(f1, []byte{Magic0}, f2), []uint64{1, 2}, 1, 0},
		{"only garbage", bytes.Repeat(markers, 100), nil, 1, 0},
	} {
		for _, ch := range chunkings {
			t.Run(tc.name+"/"+ch.name, func(t *testing.T) {
				r := NewReader(ch.wrap(tc.stream))
				_, hs, err := readAll(r)
				if err != io.EOF {
					t.Fatalf("stream ended with %v, want io.EOF", err)
				}
				var seqs []uint64
				var good uint64
				for _, h := range hs {
					seqs = append(seqs, h.Seq)
					good += uint64(len(f1))
				}
				if !reflect.DeepEqual(seqs, tc.seqs) {
					t.Errorf("found seqs %v, want %v", seqs, tc.seqs)
				}
				bad := uint64(len(tc.stream)) - good - uint64(r.Buffered())
				want := ReaderStats{Frames: uint64(len(tc.seqs)), Bytes: uint64(len(tc.stream)),
					BadBytes: bad, Resyncs: tc.runs, GapSamples: tc.gaps}
				if tc.gaps > 0 {
					want.Gaps = 1
				}
				if r.Stats != want {
					t.Errorf("stats %+v, want %+v", r.Stats, want)
				}
				if r.Buffered() >= MaxFrame {
					t.Errorf("%d bytes left buffered", r.Buffered())
				}
			})
		}
	}
}

// stallReader returns its bytes, then errStall for ever: like a pipe with
// nothing more to read.
type stallReader struct{ b []byte }

var errStall = errors.New("would block")

func (s *stallReader) Read(p []byte) (int, error) {
	if len(s.b) == 0 {
		return 0, errStall
	}
	n := copy(p, s.b)
	s.b = s.b[n:]
	return n, nil
}

// TestTornHeaderDoesNotStall: frames behind a torn header come out before
// any more bytes arrive, and a real frame still being written is waited
// for, not skipped.
func TestTornHeaderDoesNotStall(t *testing.T) {
	bigHeader := []byte{Magic0, Magic1, Version, 5, 0xD8, 0x0F, 0, 0}
	f := lightFrame(t, 1, 1)
	r := NewReader(&stallReader{b: append(bigHeader, f...)})
	if got, err := r.Next(); err != nil || got.Seq != 1 {
		t.Fatalf("Next = %+v, %v; want the frame behind the torn header", got.Header, err)
	}

	half := lightFrame(t, 1, 2)
	src := &stallReader{b: half[:25]}
	r = NewReader(src)
	if _, err := r.Next(); err != errStall || r.Buffered() != 25 || r.Stats.BadBytes != 0 {
		t.Fatalf("half a frame: Next = %v with %d buffered, stats %+v; want errStall, 25, no bad bytes",
			err, r.Buffered(), r.Stats)
	}
	src.b = half[25:]
	if got, err := r.Next(); err != nil || got.Seq != 2 {
		t.Fatalf("Next after the rest = %+v, %v", got.Header, err)
	}
}

func TestReaderSourceErrors(t *testing.T) {
	frames := append(lightFrame(t, 1, 1), lightFrame(t, 1, 2)...)
	boom := errors.New("boom")

	// iotest.ErrReader: the error comes after every frame, every time.
	r := NewReader(io.MultiReader(bytes.NewReader(frames), iotest.ErrReader(boom)))
	if _, hs, err := readAll(r); len(hs) != 2 || err != boom {
		t.Fatalf("got %d frames, %v; want 2, boom", len(hs), err)
	}
	if _, err := r.Next(); err != boom {
		t.Errorf("Next after the error = %v, want boom again", err)
	}

	// An error that arrives with the last bytes waits until they are used.
	r = NewReader(&errWithData{b: frames, err: boom})
	if _, hs, err := readAll(r); len(hs) != 2 || err != boom {
		t.Fatalf("error with data: got %d frames, %v; want 2, boom", len(hs), err)
	}

	// A temporary error (iotest.TimeoutReader) loses nothing.
	r = NewReader(iotest.TimeoutReader(iotest.HalfReader(bytes.NewReader(frames))))
	var seqs []uint64
	for {
		f, err := r.Next()
		if err == iotest.ErrTimeout {
			continue
		}
		if err != nil {
			if err != io.EOF {
				t.Fatalf("Next = %v", err)
			}
			break
		}
		seqs = append(seqs, f.Seq)
	}
	if !reflect.DeepEqual(seqs, []uint64{1, 2}) || r.Stats.BadBytes != 0 {
		t.Errorf("after a timeout: seqs %v, stats %+v", seqs, r.Stats)
	}

	// A source that makes no progress is given up on.
	r = NewReader(iotest.ErrReader(nil))
	if _, err := r.Next(); err != io.ErrNoProgress {
		t.Errorf("empty reads: %v, want io.ErrNoProgress", err)
	}
}

// errWithData returns all its bytes and err in one Read.
type errWithData struct {
	b   []byte
	err error
}

func (e *errWithData) Read(p []byte) (int, error) {
	n := copy(p, e.b)
	e.b = e.b[n:]
	return n, e.err
}

func TestSeqTracker(t *testing.T) {
	L, M, S := TypeLight, TypeMotion, TypeStatus
	type obs struct {
		typ Type
		gen uint32
		seq uint64
	}
	for _, tc := range []struct {
		name   string
		resume *[2]uint64 // gen, seq
		frames []obs
		gaps   []Gap
	}{
		{name: "in order", frames: []obs{{L, 1, 1}, {L, 1, 2}, {L, 1, 3}}},
		{name: "first sample mid-stream", frames: []obs{{L, 3, 1042}, {L, 3, 1043}}},
		{name: "one missing", frames: []obs{{L, 1, 1}, {L, 1, 3}},
			gaps: []Gap{{L, 1, 2, 2}}},
		{name: "several missing", frames: []obs{{L, 1, 1}, {L, 1, 2}, {L, 1, 6}, {L, 1, 9}},
			gaps: []Gap{{L, 1, 3, 5}, {L, 1, 7, 8}}},
		{name: "types share the sequence", frames: []obs{{L, 1, 1}, {M, 1, 2}, {L, 1, 3}}},
		{name: "gap seen by the other type", frames: []obs{{L, 1, 1}, {M, 1, 3}},
			gaps: []Gap{{M, 1, 2, 2}}},
		{name: "new generation restarts at 1", frames: []obs{{L, 3, 5}, {L, 4, 1}, {L, 4, 2}}},
		{name: "new generation starts late", frames: []obs{{L, 3, 5}, {L, 4, 3}},
			gaps: []Gap{{L, 4, 1, 2}}},
		{name: "status frames change nothing", frames: []obs{{L, 3, 5}, {S, 4, 0}, {L, 4, 1}}},
		{name: "seq 0 samples ignored", frames: []obs{{L, 1, 1}, {L, 1, 0}, {L, 1, 2}}},
		{name: "non-sample seq ignored", frames: []obs{{L, 1, 1}, {S, 1, 50}, {L, 1, 2}}},
		{name: "duplicates", frames: []obs{{L, 1, 1}, {L, 1, 2}, {L, 1, 2}, {L, 1, 3}}},
		{name: "late arrival after a gap", frames: []obs{{L, 1, 1}, {L, 1, 3}, {L, 1, 2}, {L, 1, 4}},
			gaps: []Gap{{L, 1, 2, 2}}},
		{name: "resume", resume: &[2]uint64{3, 10}, frames: []obs{{L, 3, 12}},
			gaps: []Gap{{L, 3, 11, 11}}},
		{name: "resume before a new generation", resume: &[2]uint64{3, 10}, frames: []obs{{L, 4, 1}}},
		{name: "resume at 0", resume: &[2]uint64{5, 0}, frames: []obs{{L, 5, 2}},
			gaps: []Gap{{L, 5, 1, 1}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var tr SeqTracker
			if tc.resume != nil {
				tr.Resume(uint32(tc.resume[0]), tc.resume[1])
			}
			var gaps []Gap
			for _, o := range tc.frames {
				if g, ok := tr.Observe(Header{Type: o.typ, Gen: o.gen, Seq: o.seq}); ok {
					gaps = append(gaps, g)
				}
			}
			if !reflect.DeepEqual(gaps, tc.gaps) {
				t.Errorf("gaps %+v, want %+v", gaps, tc.gaps)
			}
		})
	}
}

func TestReaderReportsGaps(t *testing.T) {
	var stream []byte
	for _, s := range []struct {
		gen uint32
		seq uint64
	}{{1, 7}, {1, 8}, {1, 11}, {2, 1}, {2, 2}, {3, 4}} {
		stream = append(stream, lightFrame(t, s.gen, s.seq)...)
	}
	stream = append(stream, frameOf(t, Header{Gen: 3}, &SensorStatus{})...)
	r := NewReader(bytes.NewReader(stream))
	var gaps []Gap
	r.OnGap = func(g Gap) {
		if r.Stats.Frames == 0 {
			t.Error("OnGap called before the frame was counted")
		}
		gaps = append(gaps, g)
	}
	if _, hs, err := readAll(r); err != io.EOF || len(hs) != 7 {
		t.Fatalf("%d frames, %v", len(hs), err)
	}
	want := []Gap{{TypeLight, 1, 9, 10}, {TypeLight, 3, 1, 3}}
	if !reflect.DeepEqual(gaps, want) {
		t.Errorf("gaps %+v, want %+v", gaps, want)
	}
	if r.Stats.Gaps != 2 || r.Stats.GapSamples != 5 {
		t.Errorf("stats %+v, want 2 gaps, 5 samples", r.Stats)
	}
}

func TestReaderResume(t *testing.T) {
	r := NewReader(bytes.NewReader(lightFrame(t, 3, 1042)))
	r.Resume(3, 1040)
	if _, err := r.Next(); err != nil || r.Stats.GapSamples != 1 {
		t.Errorf("after Resume(3, 1040), seq 1042: %v, stats %+v; want one missing sample", err, r.Stats)
	}
}
