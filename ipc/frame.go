package ipc

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
)

// Frame layout constants. See doc.go for the byte-by-byte description.
const (
	Magic0  = 0xA5 // first byte of the start marker
	Magic1  = 0x53 // second byte of the start marker ('S')
	Version = 1    // the only format version this package reads and writes

	HeaderSize = 36 // bytes before the payload
	TrailerLen = 4  // CRC-32C after the payload
	Overhead   = HeaderSize + TrailerLen
	PipeBuf    = 4096    // PIPE_BUF on Linux: the atomic write limit
	MaxFrame   = PipeBuf // a frame is never larger than this
	MaxPayload = MaxFrame - Overhead
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Errors returned by Parse.
var (
	// ErrShort means b holds the start of what may be a valid frame but
	// not all of it: read more bytes and try again.
	ErrShort = errors.New("ipc: short frame")
	// ErrInvalid means b does not start with a valid frame: skip at least
	// one byte and look for the next start marker.
	ErrInvalid = errors.New("ipc: invalid frame")
	// ErrTooLarge is returned by AppendFrame for a payload over
	// MaxPayload, and by Writer.WriteFrame for a frame over PipeBuf.
	ErrTooLarge = errors.New("ipc: payload larger than MaxPayload")
)

// Header is everything in a frame but its payload and checksum.
type Header struct {
	Type Type   // message type
	Gen  uint32 // sender generation (--gen)
	Seq  uint64 // per-sender sample sequence, 1, 2, 3... in each generation
	Mono int64  // CLOCK_MONOTONIC, nanoseconds
	Wall int64  // wall clock, nanoseconds since the Unix epoch
}

// Frame is one decoded frame. Payload aliases the buffer it was parsed
// from and is valid only until that buffer is reused.
type Frame struct {
	Header
	Payload []byte
}

// AppendFrame appends the encoding of h and payload to dst.
func AppendFrame(dst []byte, h Header, payload []byte) ([]byte, error) {
	if len(payload) > MaxPayload {
		return dst, ErrTooLarge
	}
	start := len(dst)
	dst = append(dst, Magic0, Magic1, Version, byte(h.Type))
	dst = binary.LittleEndian.AppendUint16(dst, uint16(len(payload)))
	dst = binary.LittleEndian.AppendUint16(dst, 0) // flags, reserved
	dst = binary.LittleEndian.AppendUint64(dst, h.Seq)
	dst = binary.LittleEndian.AppendUint64(dst, uint64(h.Mono))
	dst = binary.LittleEndian.AppendUint64(dst, uint64(h.Wall))
	dst = binary.LittleEndian.AppendUint32(dst, h.Gen)
	dst = append(dst, payload...)
	sum := crc32.Checksum(dst[start:], castagnoli)
	return binary.LittleEndian.AppendUint32(dst, sum), nil
}

// Parse decodes the frame at the start of b. It returns the frame and its
// length in bytes, ErrShort if b is a valid but incomplete prefix, or
// ErrInvalid if b does not start with a frame. Parse rejects a bad
// marker, version, length or flags as soon as b holds those bytes, so a
// reader never waits for the rest of a frame that cannot be valid.
// Parse accepts any message type: Decode reports the ones it does not
// know.
func Parse(b []byte) (Frame, int, error) {
	size, err := frameSize(b)
	if err != nil {
		return Frame{}, 0, err
	}
	if len(b) < size {
		return Frame{}, 0, ErrShort
	}
	end := size - TrailerLen
	if crc32.Checksum(b[:end], castagnoli) != binary.LittleEndian.Uint32(b[end:]) {
		return Frame{}, 0, ErrInvalid
	}
	f := Frame{
		Header: Header{
			Type: Type(b[3]),
			Seq:  binary.LittleEndian.Uint64(b[8:]),
			Mono: int64(binary.LittleEndian.Uint64(b[16:])),
			Wall: int64(binary.LittleEndian.Uint64(b[24:])),
			Gen:  binary.LittleEndian.Uint32(b[32:]),
		},
		Payload: b[HeaderSize:end:end],
	}
	return f, size, nil
}

// frameSize checks the fixed header fields that b holds and returns the
// length of the whole frame: ErrInvalid at the first wrong byte,
// ErrShort if b ends before the length and flags.
func frameSize(b []byte) (int, error) {
	switch {
	case len(b) > 0 && b[0] != Magic0, len(b) > 1 && b[1] != Magic1,
		len(b) > 2 && b[2] != Version,
		len(b) > 5 && int(binary.LittleEndian.Uint16(b[4:])) > MaxPayload,
		len(b) > 6 && b[6] != 0, len(b) > 7 && b[7] != 0: // flags
		return 0, ErrInvalid
	case len(b) < 8:
		return 0, ErrShort
	}
	return Overhead + int(binary.LittleEndian.Uint16(b[4:])), nil
}

// nextMarker returns the index of the next possible start marker in b at
// or after index 1, or len(b) if there is none. A lone Magic0 at the very
// end counts, since its Magic1 may be in the next read.
func nextMarker(b []byte) int {
	for i := 1; i < len(b); i++ {
		j := bytes.IndexByte(b[i:], Magic0)
		if j < 0 {
			break
		}
		i += j
		if i+1 == len(b) || b[i+1] == Magic1 {
			return i
		}
	}
	return len(b)
}
