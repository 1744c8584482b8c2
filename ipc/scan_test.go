package ipc

import (
	"bytes"
	"testing"
	"testing/iotest"
)

// tornThenFrame is an 8-byte torn header (a start marker and a header
// that claims 4000 more bytes) with a whole valid frame right after it.
func tornThenFrame(t *testing.T) ([]byte, []byte) {
	t.Helper()
	frame := lightFrame(t, 1, 7)
	torn := []byte{Magic0, Magic1, Version, byte(TypeLight), 0xA0, 0x0F, 0, 0}
	return append(torn, frame...), frame
}

// TestScanTornHeader: on a drained buffer, the torn header is garbage
// and the frame behind it is taken, by Scan and by Reader alike (the
// logger's own copy of the scanner once lost that frame); on a buffer
// that may still grow, Scan waits.
func TestScanTornHeader(t *testing.T) {
	buf, frame := tornThenFrame(t)
	var got []Frame
	used, bad := Scan(buf, true, func(f Frame) { got = append(got, f) })
	if used != len(buf) || bad != 8 || len(got) != 1 || got[0].Seq != 7 {
		t.Errorf("Scan drained: used %d bad %d frames %d; want all %d used, 8 bad, seq 7", used, bad, len(got), len(buf))
	}
	if used, bad := Scan(buf, false, func(Frame) { t.Error("a frame before the torn header was complete") }); used != 0 || bad != 0 {
		t.Errorf("Scan not drained: used %d bad %d; want to wait", used, bad)
	}
	r := NewReader(iotest.HalfReader(bytes.NewReader(buf)))
	f, err := r.Next()
	if err != nil || f.Seq != 7 || !bytes.Equal(f.Payload, frame[HeaderSize:len(frame)-4]) {
		t.Errorf("Reader: %+v %v; want the frame behind the torn header", f.Header, err)
	}
	if r.Stats.BadBytes != 8 {
		t.Errorf("Reader counted %d bad bytes; want 8", r.Stats.BadBytes)
	}
}

// TestScanAgreesWithReader: for garbage, torn frames and frames mixed,
// Scan on the whole stream returns exactly the frames Reader does.
func TestScanAgreesWithReader(t *testing.T) {
	torn, _ := tornThenFrame(t)
	var stream []byte
	for i := range 20 {
		stream = append(stream, lightFrame(t, 1, uint64(i+1))...)
		switch i % 4 {
		case 1:
			stream = append(stream, 0xA5, 0x00, 0x13)
		case 2:
			stream = append(stream, torn...)
		}
	}
	var scanned []uint64
	Scan(stream, true, func(f Frame) { scanned = append(scanned, f.Seq) })
	r := NewReader(bytes.NewReader(stream))
	var read []uint64
	for {
		f, err := r.Next()
		if err != nil {
			break
		}
		read = append(read, f.Seq)
	}
	if len(scanned) != len(read) || len(read) != 25 {
		t.Fatalf("Scan took %v, Reader %v; want the same 25", scanned, read)
	}
	for i := range read {
		if scanned[i] != read[i] {
			t.Fatalf("frame %d: Scan seq %d, Reader seq %d", i, scanned[i], read[i])
		}
	}
}
