package ipc

import (
	"bytes"
	"io"
	"math"
	"strings"
	"testing"
	"time"
)

// decoder is what every message type implements.
type decoder interface {
	Message
	UnmarshalPayload([]byte) error
}

// testMessages has every message type, with edge values.
func testMessages() []struct {
	name string
	m    decoder
} {
	long := strings.Repeat("é", maxString/2) // exactly maxString bytes
	return []struct {
		name string
		m    decoder
	}{
		{"light", &LightSample{Lux: 312.5}},
		{"light zero", &LightSample{}},
		{"light max", &LightSample{Lux: math.MaxFloat64}},
		{"light negative zero", &LightSample{Lux: math.Copysign(0, -1)}},
		{"motion on", &MotionState{Motion: true, Since: 1795255201500000000}},
		{"motion off", &MotionState{Since: 1795255241500000000, Last: 40 * time.Second}},
		{"status ok", &SensorStatus{Health: HealthOK}},
		{"status warming", &SensorStatus{Health: HealthWarming, Reason: "PIR settling, 60 s"}},
		{"status offline", &SensorStatus{Health: HealthOffline, Reason: "i2c-1 0x23: no ACK"}},
		{"status long reason", &SensorStatus{Health: HealthOffline, Reason: long}},
		{"command info", &Command{ID: 1, Op: OpInfo}},
		{"command interval", &Command{ID: 0xFFFFFFFF, Op: OpSetInterval, Arg: int64(250 * time.Millisecond)}},
		{"command skip warm-up", &Command{ID: 3, Op: OpSkipWarmup}},
		{"command resend", &Command{ID: 4, Op: OpResend}},
		{"command sim fault", &Command{ID: 5, Op: OpSimFault, Arg: 1}}, // board.SimUnplug
		{"command negative arg", &Command{ID: 6, Op: OpSetInterval, Arg: math.MinInt64}},
		{"reply info", &Reply{ID: 1, Op: OpInfo, OK: true, Interval: time.Second,
			Model: "BH1750", Driver: "sensord/light bh1750 (i2c)", Where: "i2c-1 0x23", Version: "v1.0.0"}},
		{"reply error", &Reply{ID: 2, Op: OpSetInterval, Error: "light: interval 1ms below 120ms"}},
		{"reply largest", &Reply{ID: 3, Op: OpInfo, OK: true, Interval: -1,
			Model: long, Driver: long, Where: long, Version: long, Error: long}},
		{"drop report", &DropReport{Frames: 7, Samples: 6, First: 86, Last: 92}},
		{"drop report none", &DropReport{Frames: 1}},
	}
}

// frameOf encodes m as a frame with header h (h.Type is set from m).
func frameOf(tb testing.TB, h Header, m Message) []byte {
	tb.Helper()
	h.Type = m.Type()
	b, err := AppendFrame(nil, h, m.AppendPayload(nil))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// lightFrame is a light sample frame with the given generation and seq.
func lightFrame(tb testing.TB, gen uint32, seq uint64) []byte {
	return frameOf(tb, Header{Gen: gen, Seq: seq, Mono: int64(seq) * 1e9, Wall: 1795255200e9 + int64(seq)*1e9},
		&LightSample{Lux: float64(seq) / 4})
}

// readAll returns every frame a Reader finds in src, copied, and the
// error that ended the stream.
func readAll(r *Reader) ([][]byte, []Header, error) {
	var payloads [][]byte
	var headers []Header
	for {
		f, err := r.Next()
		if err != nil {
			return payloads, headers, err
		}
		payloads = append(payloads, bytes.Clone(f.Payload))
		headers = append(headers, f.Header)
	}
}

// chunkReader returns the stream in reads of the given sizes, cycling,
// then io.EOF.
type chunkReader struct {
	b     []byte
	sizes []int
	i     int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.b) == 0 {
		return 0, io.EOF
	}
	n := min(len(p), len(c.b), c.sizes[c.i%len(c.sizes)])
	c.i++
	copy(p, c.b[:n])
	c.b = c.b[n:]
	return n, nil
}

// loopReader returns the same stream over and over, without allocating.
type loopReader struct {
	b   []byte
	off int
}

func (l *loopReader) Read(p []byte) (int, error) {
	n := copy(p, l.b[l.off:])
	l.off = (l.off + n) % len(l.b)
	return n, nil
}
