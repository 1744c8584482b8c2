package ipc

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"io"
	"reflect"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	h := Header{Gen: 3, Seq: 1042, Mono: 12345678901, Wall: 1795255201500000000}
	for _, tc := range testMessages() {
		t.Run(tc.name, func(t *testing.T) {
			want := h
			want.Type = tc.m.Type()
			if !want.Type.IsSample() {
				want.Seq = 0
			}
			frame := frameOf(t, want, tc.m)
			if len(frame) > MaxFrame {
				t.Fatalf("frame is %d bytes, over %d", len(frame), MaxFrame)
			}
			f, n, err := Parse(frame)
			if err != nil || n != len(frame) {
				t.Fatalf("Parse = %d, %v; want %d, nil", n, err, len(frame))
			}
			if f.Header != want {
				t.Errorf("header = %+v, want %+v", f.Header, want)
			}
			m, err := Decode(f)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !reflect.DeepEqual(m, tc.m) {
				t.Errorf("Decode = %+v, want %+v", m, tc.m)
			}
			// The same bytes again, which also catches a lost -0 sign.
			if p := m.AppendPayload(nil); !bytes.Equal(p, f.Payload) {
				t.Errorf("payload re-encodes to %x, want %x", p, f.Payload)
			}
			// Trailing bytes are ignored, so fields can be appended later.
			longer := append(bytes.Clone(f.Payload), 0xEE, 0xFF)
			m2 := reflect.New(reflect.TypeOf(tc.m).Elem()).Interface().(decoder)
			if err := m2.UnmarshalPayload(longer); err != nil || !reflect.DeepEqual(m2, tc.m) {
				t.Errorf("with trailing bytes: %+v, %v", m2, err)
			}
			// Every shorter payload is refused.
			for k := range len(f.Payload) {
				if err := m2.UnmarshalPayload(f.Payload[:k]); err == nil {
					t.Errorf("payload cut to %d of %d bytes decodes", k, len(f.Payload))
				}
			}
		})
	}
}

func TestDecodeRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    Frame
	}{
		{"unknown type", Frame{Header: Header{Type: 99}, Payload: make([]byte, 64)}},
		{"type zero", Frame{Header: Header{Type: 0}}},
		{"motion bool 2", Frame{Header: Header{Type: TypeMotion}, Payload: append([]byte{2}, make([]byte, 16)...)}},
		{"reply bool 2", Frame{Header: Header{Type: TypeReply}, Payload: append([]byte{0, 0, 0, 0, 1, 2}, make([]byte, 18)...)}},
		{"string over 512", Frame{Header: Header{Type: TypeStatus}, Payload: append([]byte{2, 0x01, 0x02}, make([]byte, 513)...)}},
		{"string past end", Frame{Header: Header{Type: TypeStatus}, Payload: []byte{2, 5, 0, 'a'}}},
	} {
		if m, err := Decode(tc.f); err == nil {
			t.Errorf("%s: Decode = %+v, want an error", tc.name, m)
		}
	}
}

func TestAppendStringCutsAtRune(t *testing.T) {
	s := string(bytes.Repeat([]byte("a"), maxString-1)) + "é" // 513 bytes
	var m SensorStatus
	if err := m.UnmarshalPayload((&SensorStatus{Reason: s}).AppendPayload(nil)); err != nil {
		t.Fatal(err)
	}
	if want := s[:maxString-1]; m.Reason != want {
		t.Errorf("reason cut to %d bytes, want %d", len(m.Reason), len(want))
	}
}

func TestTruncatedIsShort(t *testing.T) {
	for _, tc := range testMessages() {
		frame := frameOf(t, Header{Gen: 1, Seq: 1}, tc.m)
		for k := range len(frame) {
			if _, _, err := Parse(frame[:k]); err != ErrShort {
				t.Fatalf("%s: Parse of the first %d of %d bytes = %v, want ErrShort", tc.name, k, len(frame), err)
			}
		}
	}
}

// TestBitFlips flips every bit of a frame of each type: Parse must refuse
// each one, and a Reader must skip it and find the frame after it.
func TestBitFlips(t *testing.T) {
	next := lightFrame(t, 9, 77)
	for _, tc := range testMessages() {
		frame := frameOf(t, Header{Gen: 3, Seq: 1042, Mono: 1, Wall: 2}, tc.m)
		for bit := range 8 * len(frame) {
			bad := bytes.Clone(frame)
			bad[bit/8] ^= 1 << (bit % 8)
			if f, _, err := Parse(bad); err == nil {
				t.Fatalf("%s: bit %d flipped: Parse accepted %+v", tc.name, bit, f.Header)
			}
			r := NewReader(bytes.NewReader(append(bad, next...)))
			_, hs, err := readAll(r)
			if err != io.EOF || len(hs) != 1 || hs[0].Seq != 77 {
				t.Fatalf("%s: bit %d flipped: Reader found %+v, %v; want only the next frame", tc.name, bit, hs, err)
			}
			if r.Stats.BadBytes != uint64(len(bad)) || r.Stats.Resyncs != 1 {
				t.Fatalf("%s: bit %d flipped: stats %+v, want %d bad bytes in 1 run", tc.name, bit, r.Stats, len(bad))
			}
		}
	}
}

func TestMaxPayload(t *testing.T) {
	payload := bytes.Repeat([]byte{0xA5}, MaxPayload)
	frame, err := AppendFrame(nil, Header{Type: TypeReply}, payload)
	if err != nil || len(frame) != MaxFrame || MaxFrame != PipeBuf {
		t.Fatalf("AppendFrame(MaxPayload) = %d bytes, %v; want %d", len(frame), err, PipeBuf)
	}
	if f, n, err := Parse(frame); err != nil || n != MaxFrame || !bytes.Equal(f.Payload, payload) {
		t.Fatalf("Parse of the largest frame = %d, %v", n, err)
	}

	dst := []byte("keep")
	if got, err := AppendFrame(dst, Header{Type: TypeReply}, append(payload, 0)); err != ErrTooLarge || string(got) != "keep" {
		t.Errorf("AppendFrame(MaxPayload+1) = %q, %v; want dst unchanged, ErrTooLarge", got, err)
	}

	// A frame that claims one byte more, with a correct CRC, is refused
	// as soon as its length field is read.
	over := make([]byte, 0, MaxFrame+1)
	over = append(over, Magic0, Magic1, Version, byte(TypeReply))
	over = binary.LittleEndian.AppendUint16(over, MaxPayload+1)
	over = append(over, make([]byte, HeaderSize-6+MaxPayload+1)...)
	over = binary.LittleEndian.AppendUint32(over, crc32.Checksum(over, castagnoli))
	for _, k := range []int{6, HeaderSize, len(over)} {
		if _, _, err := Parse(over[:k]); err != ErrInvalid {
			t.Errorf("Parse of %d bytes of an oversized frame = %v, want ErrInvalid", k, err)
		}
	}
}

// TestHeaderChecks covers every reason Parse refuses a header.
func TestHeaderChecks(t *testing.T) {
	good := lightFrame(t, 1, 1)
	for _, tc := range []struct {
		name string
		off  int
		val  byte
	}{
		{"marker 0", 0, 0x00},
		{"marker 1", 1, 0xA5},
		{"version 0", 2, 0},
		{"version 2", 2, 2},
		{"length high", 5, 0x10},
		{"flags low", 6, 1},
		{"flags high", 7, 0x80},
	} {
		bad := bytes.Clone(good)
		bad[tc.off] = tc.val
		// Refused from the first byte that shows it.
		if _, _, err := Parse(bad[:tc.off+1]); err != ErrInvalid {
			t.Errorf("%s: Parse(first %d bytes) = %v, want ErrInvalid", tc.name, tc.off+1, err)
		}
	}
}

// TestCRCParameters pins the checksum to the standard CRC-32C, as the
// protocol documentation gives it.
func TestCRCParameters(t *testing.T) {
	if got := crc32.Checksum([]byte("123456789"), castagnoli); got != 0xE3069283 {
		t.Errorf("CRC-32C check value = %#08x, want 0xe3069283", got)
	}
	if got := crc32.Checksum([]byte("123456789"), crc32.IEEETable); got == 0xE3069283 {
		t.Error("IEEE CRC-32 gives the Castagnoli check value")
	}
}
