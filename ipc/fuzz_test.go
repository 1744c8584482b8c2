package ipc

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
)

// FuzzDecode: Parse and Decode never panic on any bytes; a frame Parse
// accepts encodes back to the same bytes, and a payload Decode accepts
// starts with the encoding of what it decoded to.
func FuzzDecode(f *testing.F) {
	for _, s := range decodeSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fr, n, err := Parse(data)
		switch err {
		case nil:
			if n < Overhead || n > len(data) || n != Overhead+len(fr.Payload) || n > MaxFrame {
				t.Fatalf("Parse = %d bytes with a %d-byte payload, of %d", n, len(fr.Payload), len(data))
			}
			again, err := AppendFrame(nil, fr.Header, fr.Payload)
			if err != nil || !bytes.Equal(again, data[:n]) {
				t.Fatalf("frame re-encodes to %x, %v; want %x", again, err, data[:n])
			}
			if _, _, err := Parse(data[:n-1]); err != ErrShort {
				t.Fatalf("frame less its last byte: %v, want ErrShort", err)
			}
		case ErrShort:
			if len(data) >= MaxFrame {
				t.Fatalf("ErrShort for %d bytes", len(data))
			}
		case ErrInvalid:
			// No more bytes can make it valid.
			if _, _, err := Parse(append(bytes.Clone(data), make([]byte, MaxFrame)...)); err != ErrInvalid {
				t.Fatalf("invalid bytes, extended: %v", err)
			}
		default:
			t.Fatalf("Parse error %v", err)
		}
		// Any bytes as the payload of every type.
		for typ := range Type(8) {
			m, err := Decode(Frame{Header: Header{Type: typ}, Payload: data})
			if err != nil {
				continue
			}
			enc := m.AppendPayload(nil)
			if !bytes.HasPrefix(data, enc) {
				t.Fatalf("%v payload %x decodes to %+v, which encodes to %x", typ, data, m, enc)
			}
		}
	})
}

// FuzzStream: a Reader over any bytes with valid frames put in among them,
// read in chunks of any sizes, never panics, finds every frame put in
// that no valid frame starting in the garbage overlaps, and accounts for
// every byte.
func FuzzStream(f *testing.F) {
	for _, s := range streamSeeds(f) {
		f.Add(s.garbage, s.seed)
	}
	f.Fuzz(func(t *testing.T, garbage []byte, seed uint64) {
		stream, want, starts := buildStream(garbage, seed)
		rng := rand.New(rand.NewPCG(seed, 1))
		sizes := make([]int, 1+rng.IntN(8))
		for i := range sizes {
			sizes[i] = 1 + rng.IntN(2*MaxFrame)
		}
		r := NewReader(&chunkReader{b: stream, sizes: sizes})
		// Greedy matching finds the frames put in, in order, among those
		// returned, skipping the ones that may be missed.
		may := excused(stream, starts)
		var frameBytes uint64
		next := 0 // want[next] is the next frame to find
		for {
			fr, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("Next: %v", err)
			}
			frameBytes += uint64(Overhead + len(fr.Payload))
			for next < len(want) && may[next] && !sameFrame(fr, want[next]) {
				next++
			}
			if next < len(want) && sameFrame(fr, want[next]) {
				next++
			}
		}
		for next < len(want) && may[next] {
			next++
		}
		if next < len(want) {
			t.Fatalf("frame %d of %d (at byte %d) not found", next, len(want), starts[next])
		}
		st := r.Stats
		if st.Bytes != uint64(len(stream)) || st.BadBytes+frameBytes+uint64(r.Buffered()) != st.Bytes {
			t.Fatalf("stats %+v: %d frame bytes, %d buffered, %d in the stream", st, frameBytes, r.Buffered(), len(stream))
		}
		if r.Buffered() >= MaxFrame {
			t.Fatalf("%d bytes left buffered", r.Buffered())
		}
	})
}

// buildStream puts up to 8 frames, chosen by seed, into garbage at places
// chosen by seed. It returns the stream, the frames and where each
// starts.
func buildStream(garbage []byte, seed uint64) (stream []byte, frames []Frame, starts []int) {
	rng := rand.New(rand.NewPCG(seed, 0))
	k := int(seed % 9)
	cuts := make([]int, k)
	for i := range cuts {
		cuts[i] = rng.IntN(len(garbage) + 1)
	}
	slices.Sort(cuts)
	prev := 0
	for i, cut := range cuts {
		stream = append(stream, garbage[prev:cut]...)
		prev = cut
		h := Header{Gen: uint32(seed >> 32), Seq: uint64(i + 1), Mono: int64(i), Wall: rng.Int64()}
		var m Message
		switch rng.IntN(4) {
		case 0:
			m = &LightSample{Lux: rng.Float64() * 1000}
		case 1:
			m = &MotionState{Motion: rng.IntN(2) == 1, Since: rng.Int64()}
		case 2:
			m = &SensorStatus{Health: HealthOffline, Reason: string(garbage[:min(len(garbage), rng.IntN(600))])}
		default:
			m = &Reply{ID: rng.Uint32(), Model: string(garbage[:min(len(garbage), rng.IntN(600))]),
				Error: string(bytes.Repeat([]byte{Magic0, Magic1, Version}, rng.IntN(170)))}
		}
		h.Type = m.Type()
		payload := m.AppendPayload(nil)
		starts = append(starts, len(stream))
		stream, _ = AppendFrame(stream, h, payload)
		frames = append(frames, Frame{Header: h, Payload: payload})
	}
	return append(stream, garbage[prev:]...), frames, starts
}

// excused reports, for each frame put in at starts[i], whether it may
// be missed: a valid frame that starts in the garbage before it runs into
// it, so the Reader may take that one instead; or a valid frame made of
// garbage copied into its payload starts inside it, and the Reader, fed
// the frame in pieces, may take it for garbage (see Reader).
func excused(stream []byte, starts []int) []bool {
	type span struct{ p, end int }
	var valid []span
	for p := range stream {
		if _, n, err := Parse(stream[p:]); err == nil {
			valid = append(valid, span{p, p + n})
		}
	}
	may := make([]bool, len(starts))
	for i, start := range starts {
		_, size, _ := Parse(stream[start:])
		for _, v := range valid {
			if v.p != start && v.p < start+size && v.end > start {
				may[i] = true
			}
		}
	}
	return may
}

func sameFrame(a, b Frame) bool { return a.Header == b.Header && bytes.Equal(a.Payload, b.Payload) }

func decodeSeeds(tb testing.TB) map[string][]byte {
	seeds := map[string][]byte{
		"empty":      {},
		"garbage":    []byte("not a frame at all\x00\xff"),
		"marker":     {Magic0, Magic1, Version},
		"big-header": {Magic0, Magic1, Version, 5, 0xD8, 0x0F, 0, 0},
		"too-long":   {Magic0, Magic1, Version, 5, 0xD9, 0x0F, 0, 0},
	}
	for i, tc := range testMessages() {
		seeds[fmt.Sprintf("type%d-%02d", tc.m.Type(), i)] = frameOf(tb, Header{Gen: 3, Seq: 1042, Mono: 1, Wall: 2}, tc.m)
	}
	ex := exampleFrame()
	seeds["example"] = ex
	seeds["example-short"] = ex[:len(ex)-1]
	flipped := bytes.Clone(ex)
	flipped[20] ^= 4
	seeds["example-flipped"] = flipped
	seeds["example-twice"] = append(bytes.Clone(ex), ex...)
	max, _ := AppendFrame(nil, Header{Type: TypeReply}, make([]byte, MaxPayload))
	seeds["max"] = max
	return seeds
}

type streamSeed struct {
	garbage []byte
	seed    uint64
}

func streamSeeds(tb testing.TB) map[string]streamSeed {
	ex := exampleFrame()
	random := make([]byte, 3000)
	rand.NewChaCha8([32]byte{1}).Read(random)
	return map[string]streamSeed{
		"no-garbage":       {nil, 8},
		"text":             {[]byte("hello, world: not frames"), 5},
		"markers":          {bytes.Repeat([]byte{Magic0, Magic1, Version, Magic0}, 40), 7},
		"torn-frame":       {ex[:30], 2},
		"big-header":       {[]byte{Magic0, Magic1, Version, 5, 0xD8, 0x0F, 0, 0, 9, 9}, 4},
		"frame-as-garbage": {append(bytes.Clone(ex), ex[:41]...), 6},
		"random":           {random, 1<<32 | 8},
	}
}

// TestWriteFuzzCorpus writes the seed corpora under testdata/fuzz when
// IPC_WRITE_FUZZ_CORPUS=1. The fuzz targets add the same seeds, so the
// files only make them visible and keep them when the code changes.
func TestWriteFuzzCorpus(t *testing.T) {
	if os.Getenv("IPC_WRITE_FUZZ_CORPUS") != "1" {
		t.Skip("set IPC_WRITE_FUZZ_CORPUS=1 to write testdata/fuzz")
	}
	write := func(target, name string, values ...string) {
		dir := filepath.Join("testdata", "fuzz", target)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		text := "go test fuzz v1\n"
		for _, v := range values {
			text += v + "\n"
		}
		if err := os.WriteFile(filepath.Join(dir, "seed-"+name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for name, b := range decodeSeeds(t) {
		write("FuzzDecode", name, "[]byte("+strconv.Quote(string(b))+")")
	}
	for name, s := range streamSeeds(t) {
		write("FuzzStream", name, "[]byte("+strconv.Quote(string(s.garbage))+")", fmt.Sprintf("uint64(%d)", s.seed))
	}
}
