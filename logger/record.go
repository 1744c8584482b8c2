package logger

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"time"

	"sensord/ipc"
)

// kind says what a record holds. Every record but a gap comes from
// exactly one frame.
type kind uint8

const (
	kindLight kind = iota + 1
	kindMotion
	kindStatus
	kindDrop
	kindGap
)

// ident identifies the record made from one frame: a duplicate written
// after a crash has the very same ident, since t is the frame's wall
// time to the nanosecond. Samples are told apart by seq, the others by t.
type ident struct {
	kind kind
	gen  uint32
	seq  uint64
	wall int64
}

// entry is one decoded frame that makes a record.
type entry struct {
	id     ident
	lux    float64
	motion ipc.MotionState
	status ipc.SensorStatus
	drop   ipc.DropReport
}

// decodeFrame decodes f into e. It reports false for frames that make no
// record: commands, replies, unknown types and malformed payloads.
func decodeFrame(f ipc.Frame, e *entry) bool {
	e.id = ident{gen: f.Gen, seq: f.Seq, wall: f.Wall}
	switch f.Type {
	case ipc.TypeLight:
		var m ipc.LightSample
		if m.UnmarshalPayload(f.Payload) != nil {
			return false
		}
		e.id.kind, e.lux = kindLight, m.Lux
	case ipc.TypeMotion:
		e.id.kind = kindMotion
		return e.motion.UnmarshalPayload(f.Payload) == nil
	case ipc.TypeStatus:
		e.id.kind = kindStatus
		return e.status.UnmarshalPayload(f.Payload) == nil
	case ipc.TypeDrop:
		e.id.kind = kindDrop
		return e.drop.UnmarshalPayload(f.Payload) == nil
	default:
		return false
	}
	return true
}

// appendEntry appends e as one JSON line, in the shape of the README's
// "Data files".
func appendEntry(b []byte, src string, e *entry) []byte {
	b = appendHead(b, src, e.id.gen)
	if e.id.kind == kindLight || e.id.kind == kindMotion {
		b = append(b, `,"seq":`...)
		b = strconv.AppendUint(b, e.id.seq, 10)
	}
	b = appendTime(b, "t", e.id.wall)
	switch e.id.kind {
	case kindLight:
		b = append(b, `,"lux":`...)
		b = appendFloat(b, e.lux)
	case kindMotion:
		b = appendMotion(b, &e.motion)
	case kindStatus:
		b = append(b, `,"status":`...)
		b = appendString(b, e.status.Health.String())
		if e.status.Reason != "" {
			b = append(b, `,"reason":`...)
			b = appendString(b, e.status.Reason)
		}
	case kindDrop:
		d := &e.drop
		b = append(b, `,"drop":{"frames":`...)
		b = strconv.AppendUint(b, d.Frames, 10)
		b = append(b, `,"samples":`...)
		b = strconv.AppendUint(b, d.Samples, 10)
		b = append(b, `,"first":`...)
		b = strconv.AppendUint(b, d.First, 10)
		b = append(b, `,"last":`...)
		b = strconv.AppendUint(b, d.Last, 10)
		b = append(b, '}')
	}
	return append(b, "}\n"...)
}

func appendMotion(b []byte, m *ipc.MotionState) []byte {
	b = append(b, `,"motion":`...)
	b = strconv.AppendBool(b, m.Motion)
	if m.Since != 0 {
		b = appendTime(b, "since", m.Since)
	}
	if m.Last > 0 {
		b = append(b, `,"last_ms":`...)
		b = strconv.AppendInt(b, m.Last.Milliseconds(), 10)
	}
	return b
}

// appendGap appends the record of samples lost before a frame of wall
// time wall.
func appendGap(b []byte, src string, g ipc.Gap, wall int64) []byte {
	b = appendHead(b, src, g.Gen)
	b = append(b, `,"gap":{"first":`...)
	b = strconv.AppendUint(b, g.First, 10)
	b = append(b, `,"last":`...)
	b = strconv.AppendUint(b, g.Last, 10)
	b = append(b, `,"count":`...)
	b = strconv.AppendUint(b, g.Count(), 10)
	b = append(b, '}')
	b = appendTime(b, "t", wall)
	return append(b, "}\n"...)
}

func appendHead(b []byte, src string, gen uint32) []byte {
	b = append(b, `{"src":`...)
	b = appendString(b, src)
	b = append(b, `,"gen":`...)
	return strconv.AppendUint(b, uint64(gen), 10)
}

func appendTime(b []byte, key string, wall int64) []byte {
	b = append(b, ",\""...)
	b = append(b, key...)
	b = append(b, "\":\""...)
	b = time.Unix(0, wall).UTC().AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

// appendFloat writes v as encoding/json would; NaN and infinities, which
// JSON cannot hold, become null.
func appendFloat(b []byte, v float64) []byte {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return append(b, "null"...)
	}
	if a := math.Abs(v); a != 0 && (a < 1e-6 || a >= 1e21) {
		return strconv.AppendFloat(b, v, 'e', -1, 64)
	}
	return strconv.AppendFloat(b, v, 'f', -1, 64)
}

func appendString(b []byte, s string) []byte {
	q, _ := json.Marshal(s) // a string always marshals
	return append(b, q...)
}

// Record is one line of a data file, decoded. Exactly one of Lux,
// Motion, Status, Gap and Drop is set.
type Record struct {
	Src    string    `json:"src"`
	Gen    uint32    `json:"gen"`
	Seq    uint64    `json:"seq"`
	T      time.Time `json:"t"`
	Lux    *float64  `json:"lux"`
	Motion *bool     `json:"motion"`
	Status string    `json:"status"`
	Gap    *struct {
		First, Last, Count uint64
	} `json:"gap"`
	Drop *ipc.DropReport `json:"drop"`
}

var errRecord = errors.New("not a sensord record")

// parseRecord decodes one line (without its newline).
func parseRecord(line []byte) (Record, kind, error) {
	var r Record
	if err := json.Unmarshal(line, &r); err != nil {
		return r, 0, err
	}
	k := r.kind(line)
	if r.Src == "" || r.T.IsZero() || k == 0 {
		return r, 0, errRecord
	}
	return r, k, nil
}

func (r *Record) kind(line []byte) kind {
	switch {
	case r.Lux != nil || bytes.Contains(line, []byte(`"lux":null`)):
		return kindLight
	case r.Motion != nil:
		return kindMotion
	case r.Status != "":
		return kindStatus
	case r.Gap != nil:
		return kindGap
	case r.Drop != nil:
		return kindDrop
	}
	return 0
}

// ident returns the identity of a record made from a frame.
func (r *Record) ident(k kind) ident {
	id := ident{kind: k, gen: r.Gen, wall: r.T.UnixNano()}
	if k == kindLight || k == kindMotion {
		id.seq = r.Seq
	}
	return id
}
