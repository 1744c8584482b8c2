package ipc

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"
	"unicode/utf8"
)

// Type names a message type: the fourth byte of every frame.
type Type uint8

// The message types. Values are part of the wire format: never reuse one.
const (
	TypeLight   Type = 1 // LightSample, a sample (carries a seq)
	TypeMotion  Type = 2 // MotionState, a sample (carries a seq)
	TypeStatus  Type = 3 // SensorStatus
	TypeCommand Type = 4 // Command, GUI to sensor
	TypeReply   Type = 5 // Reply, sensor to GUI
	TypeDrop    Type = 6 // DropReport
)

func (t Type) String() string {
	switch t {
	case TypeLight:
		return "light"
	case TypeMotion:
		return "motion"
	case TypeStatus:
		return "status"
	case TypeCommand:
		return "command"
	case TypeReply:
		return "reply"
	case TypeDrop:
		return "drop"
	}
	return fmt.Sprintf("type(%d)", uint8(t))
}

// IsSample reports whether frames of this type are samples, which carry
// the sender's sequence number. Other frames carry seq 0.
func (t Type) IsSample() bool { return t == TypeLight || t == TypeMotion }

// Message is a typed payload.
type Message interface {
	Type() Type
	// AppendPayload appends the payload encoding to b.
	AppendPayload(b []byte) []byte
}

// ErrPayload means a payload is too short or malformed for its type.
var ErrPayload = errors.New("ipc: malformed payload")

// LightSample is one light reading.
type LightSample struct {
	Lux float64 // illuminance in lux
}

func (*LightSample) Type() Type { return TypeLight }

func (m *LightSample) AppendPayload(b []byte) []byte {
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(m.Lux))
}

// UnmarshalPayload decodes p into m.
func (m *LightSample) UnmarshalPayload(p []byte) error {
	if len(p) < 8 {
		return ErrPayload
	}
	m.Lux = math.Float64frombits(binary.LittleEndian.Uint64(p))
	return nil
}

// MotionState is the PIR state: sent at start and on every change.
type MotionState struct {
	Motion bool
	// Since is when the current state began, wall clock ns since the epoch.
	Since int64
	// Last is how long the motion period that just ended lasted; it is
	// non-zero only on a change from motion to no motion.
	Last time.Duration
}

func (*MotionState) Type() Type { return TypeMotion }

func (m *MotionState) AppendPayload(b []byte) []byte {
	b = append(b, boolByte(m.Motion))
	b = binary.LittleEndian.AppendUint64(b, uint64(m.Since))
	return binary.LittleEndian.AppendUint64(b, uint64(m.Last))
}

// UnmarshalPayload decodes p into m.
func (m *MotionState) UnmarshalPayload(p []byte) error {
	if len(p) < 17 || p[0] > 1 {
		return ErrPayload
	}
	m.Motion = p[0] == 1
	m.Since = int64(binary.LittleEndian.Uint64(p[1:]))
	m.Last = time.Duration(binary.LittleEndian.Uint64(p[9:]))
	return nil
}

// Health is a sensor's state in a SensorStatus.
type Health uint8

const (
	HealthOK      Health = 0
	HealthWarming Health = 1 // warming up: readings are not trusted yet
	HealthOffline Health = 2 // not answering; Reason says why
)

func (h Health) String() string {
	switch h {
	case HealthOK:
		return "ok"
	case HealthWarming:
		return "warming up"
	case HealthOffline:
		return "offline"
	}
	return fmt.Sprintf("health(%d)", uint8(h))
}

// SensorStatus is a sensor's health, sent at start and on every change.
type SensorStatus struct {
	Health Health
	Reason string // why offline, or what is warming up; may be empty
}

func (*SensorStatus) Type() Type { return TypeStatus }

func (m *SensorStatus) AppendPayload(b []byte) []byte {
	b = append(b, byte(m.Health))
	return appendString(b, m.Reason)
}

// UnmarshalPayload decodes p into m. Reason is a new string.
func (m *SensorStatus) UnmarshalPayload(p []byte) error {
	if len(p) < 1 {
		return ErrPayload
	}
	m.Health = Health(p[0])
	var err error
	m.Reason, _, err = readString(p[1:])
	return err
}

// Op is the operation of a Command.
type Op uint8

const (
	OpInfo        Op = 1 // request info: the sensor answers with a Reply
	OpSetInterval Op = 2 // set the sampling interval to Arg nanoseconds
	OpSkipWarmup  Op = 3 // end the warm-up now (motion)
	OpResend      Op = 4 // send the current state and status again
	OpSimFault    Op = 5 // simulated board only: Arg is the fault number, a board.SimFault
)

func (o Op) String() string {
	switch o {
	case OpInfo:
		return "info"
	case OpSetInterval:
		return "set-interval"
	case OpSkipWarmup:
		return "skip-warmup"
	case OpResend:
		return "resend"
	case OpSimFault:
		return "sim-fault"
	}
	return fmt.Sprintf("op(%d)", uint8(o))
}

// Command is a request from the GUI to a sensor.
type Command struct {
	ID  uint32 // chosen by the GUI, echoed in the Reply
	Op  Op
	Arg int64 // operation argument (OpSetInterval: nanoseconds)
}

func (*Command) Type() Type { return TypeCommand }

func (m *Command) AppendPayload(b []byte) []byte {
	b = binary.LittleEndian.AppendUint32(b, m.ID)
	b = append(b, byte(m.Op))
	return binary.LittleEndian.AppendUint64(b, uint64(m.Arg))
}

// UnmarshalPayload decodes p into m.
func (m *Command) UnmarshalPayload(p []byte) error {
	if len(p) < 13 {
		return ErrPayload
	}
	m.ID = binary.LittleEndian.Uint32(p)
	m.Op = Op(p[4])
	m.Arg = int64(binary.LittleEndian.Uint64(p[5:]))
	return nil
}

// Reply answers a Command. For OpInfo every field is filled; for other
// operations Model..Version may be empty.
type Reply struct {
	ID       uint32        // the Command's ID
	Op       Op            // the Command's Op
	OK       bool          // false: Error says why
	Interval time.Duration // sampling interval now in force (0: event driven)
	Model    string        // "BH1750", "HC-SR501 PIR"
	Driver   string        // "sensord/light bh1750 (i2c)"
	Where    string        // "i2c-1 0x23", "GPIO17"
	Version  string        // program or firmware version
	Error    string
}

func (*Reply) Type() Type { return TypeReply }

func (m *Reply) AppendPayload(b []byte) []byte {
	b = binary.LittleEndian.AppendUint32(b, m.ID)
	b = append(b, byte(m.Op), boolByte(m.OK))
	b = binary.LittleEndian.AppendUint64(b, uint64(m.Interval))
	for _, s := range [...]string{m.Model, m.Driver, m.Where, m.Version, m.Error} {
		b = appendString(b, s)
	}
	return b
}

// UnmarshalPayload decodes p into m. The strings are new strings.
func (m *Reply) UnmarshalPayload(p []byte) error {
	if len(p) < 14 || p[5] > 1 {
		return ErrPayload
	}
	m.ID = binary.LittleEndian.Uint32(p)
	m.Op = Op(p[4])
	m.OK = p[5] == 1
	m.Interval = time.Duration(binary.LittleEndian.Uint64(p[6:]))
	p = p[14:]
	for _, s := range [...]*string{&m.Model, &m.Driver, &m.Where, &m.Version, &m.Error} {
		var n int
		var err error
		if *s, n, err = readString(p); err != nil {
			return err
		}
		p = p[n:]
	}
	return nil
}

// DropReport tells the reader of a pipe that the sender dropped frames
// on that pipe because it was full. It is sent on the same pipe as soon
// as a write there succeeds again.
type DropReport struct {
	Frames  uint64 // frames dropped on this pipe since the last report
	Samples uint64 // how many of them were samples
	First   uint64 // seq of the first dropped sample (0: none)
	Last    uint64 // seq of the last dropped sample (0: none)
}

func (*DropReport) Type() Type { return TypeDrop }

func (m *DropReport) AppendPayload(b []byte) []byte {
	for _, v := range [...]uint64{m.Frames, m.Samples, m.First, m.Last} {
		b = binary.LittleEndian.AppendUint64(b, v)
	}
	return b
}

// UnmarshalPayload decodes p into m.
func (m *DropReport) UnmarshalPayload(p []byte) error {
	if len(p) < 32 {
		return ErrPayload
	}
	m.Frames = binary.LittleEndian.Uint64(p)
	m.Samples = binary.LittleEndian.Uint64(p[8:])
	m.First = binary.LittleEndian.Uint64(p[16:])
	m.Last = binary.LittleEndian.Uint64(p[24:])
	return nil
}

// Decode returns the typed message in f. It allocates; hot paths call
// the UnmarshalPayload method of a reused value instead.
func Decode(f Frame) (Message, error) {
	var m interface {
		Message
		UnmarshalPayload([]byte) error
	}
	switch f.Type {
	case TypeLight:
		m = new(LightSample)
	case TypeMotion:
		m = new(MotionState)
	case TypeStatus:
		m = new(SensorStatus)
	case TypeCommand:
		m = new(Command)
	case TypeReply:
		m = new(Reply)
	case TypeDrop:
		m = new(DropReport)
	default:
		return nil, fmt.Errorf("ipc: unknown message type %d", uint8(f.Type))
	}
	return m, m.UnmarshalPayload(f.Payload)
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}

// appendString writes a uint16 length and the bytes, cut to maxString
// bytes (at a rune boundary) so that every message fits a frame.
func appendString(b []byte, s string) []byte {
	if len(s) > maxString {
		n := maxString
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		s = s[:n]
	}
	b = binary.LittleEndian.AppendUint16(b, uint16(len(s)))
	return append(b, s...)
}

// maxString is the longest string in a payload, in bytes. Decoding
// refuses longer ones, so a decoded message encodes back to the same
// bytes.
const maxString = 512

func readString(p []byte) (string, int, error) {
	if len(p) < 2 {
		return "", 0, ErrPayload
	}
	n := int(binary.LittleEndian.Uint16(p))
	if n > maxString || len(p) < 2+n {
		return "", 0, ErrPayload
	}
	return string(p[2 : 2+n]), 2 + n, nil
}
