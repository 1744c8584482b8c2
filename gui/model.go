package gui

import (
	"time"

	"sensord/control"
	"sensord/ipc"
)

// Src names a sensor, and so the pair of pipes the GUI shares with it.
type Src int

const (
	SrcMotion Src = iota
	SrcLight
	nSrc
)

func (s Src) String() string {
	if s == SrcMotion {
		return "motion"
	}
	return "light"
}

// Mode is the --tty mode: what the GUI draws on and what q may do.
type Mode string

const (
	ModeNone     Mode = "none"     // no screen
	ModeTerminal Mode = "terminal" // the terminal sensord run was started from: q stops the appliance
	ModeConsole  Mode = "console"  // an appliance console: q is disabled
)

// Intervals are the light sampling intervals + and - step through.
var Intervals = [...]time.Duration{
	100 * time.Millisecond, 250 * time.Millisecond, 500 * time.Millisecond,
	time.Second, 2 * time.Second, 5 * time.Second,
}

// Sizes of the model's history rings. They are arrays, not slices, so
// that copying a Model copies its history and Update stays pure.
const (
	luxHistory    = 512 // chart columns: 42 minutes of colStep
	motionHistory = 64  // motion periods kept for the timeline
	eventHistory  = 32  // lines of the "recent events" panel
)

// Model is everything the dashboard shows. Update makes a new one from
// the old one and a message; Draw paints one. It holds no pointers to
// shared mutable state: Status is replaced whole, never changed in place.
type Model struct {
	Now        time.Time
	Mode       Mode
	Charset    Charset
	Started    time.Time // when the GUI started: what it saw begins here
	Host       string
	BoardModel string
	Help       bool   // the help overlay is up
	Message    string // the message line: result of the last key
	MessageBad bool
	NextID     uint32 // id of the next command

	Sensors [nSrc]Sensor
	Lux     LuxHistory
	Motion  MotionHistory
	Pipes   [nSrc]PipeCounters
	Daemon  DaemonView
	Events  EventLog

	WantInterval time.Duration // what + and - asked for last (0: nothing yet)
	LightPulled  bool          // u last sent an unplug (the next u replugs)
	PIRStuck     bool          // s last sent stuck-high (the next s releases)
}

// Sensor is what the GUI knows about one sensor process.
type Sensor struct {
	Gen        uint32 // generation of the last frame seen (0: none yet)
	Known      bool   // a SensorStatus has arrived
	Health     ipc.Health
	Reason     string
	LastSample time.Time     // wall time of the last sample frame
	Interval   time.Duration // sampling interval in force, from replies (0: unknown)
	Info       ipc.Reply     // last reply to an info request
	HasInfo    bool
}

// colStep is the time one column of the lux chart and of the motion
// timeline covers, so the two share a time axis.
const colStep = 5 * time.Second

// Bucket sums the light samples of one colStep.
type Bucket struct {
	Start    int64 // wall ns, a multiple of colStep
	Sum      float64
	N        int
	Min, Max float64
}

// Mean is the bucket's average lux.
func (b Bucket) Mean() float64 { return b.Sum / float64(b.N) }

// LuxHistory is the last light sample and a ring of per-colStep
// buckets, so the chart's time axis does not depend on the interval.
type LuxHistory struct {
	Buckets [luxHistory]Bucket
	Last    int // index of the newest bucket
	N       int // how many are filled
	Now     float64
	At      time.Time // wall time of the newest sample
	Samples uint64
}

// Push adds a sample. A sample older than the newest bucket (a clock
// step back) counts in the newest bucket.
func (h *LuxHistory) Push(v float64, at time.Time) {
	start := at.Truncate(colStep).UnixNano()
	if b := &h.Buckets[h.Last]; h.N > 0 && start <= b.Start {
		b.Sum, b.N = b.Sum+v, b.N+1
		b.Min, b.Max = min(b.Min, v), max(b.Max, v)
	} else {
		h.Last = (h.Last + 1) % luxHistory
		h.Buckets[h.Last] = Bucket{Start: start, Sum: v, N: 1, Min: v, Max: v}
		h.N = min(h.N+1, luxHistory)
	}
	h.Now, h.At = v, at
	h.Samples++
}

// Window returns the buckets of the n columns that end with now's
// column, oldest first; a column without samples has N == 0.
func (h *LuxHistory) Window(now time.Time, n int) []Bucket {
	if n <= 0 {
		return nil
	}
	out := make([]Bucket, n)
	first := now.Truncate(colStep).UnixNano() - int64(n-1)*int64(colStep)
	for i := range h.N {
		b := h.Buckets[(h.Last-i+luxHistory)%luxHistory]
		if b.Start < first {
			break
		}
		if col := (b.Start - first) / int64(colStep); col < int64(n) {
			out[col] = b
		}
	}
	return out
}

// Period is one stretch of motion; End is zero while it goes on.
type Period struct{ Start, End time.Time }

// MotionHistory is the PIR state and a ring of recent motion periods.
type MotionHistory struct {
	Known   bool // a MotionState has arrived
	On      bool
	Since   time.Time // when the current state began
	Periods [motionHistory]Period
	Last    int
	N       int
}

// push adds a period at the end of the ring.
func (h *MotionHistory) push(p Period) {
	h.Last = (h.Last + 1) % motionHistory
	h.Periods[h.Last] = p
	h.N = min(h.N+1, motionHistory)
}

// Each calls f for every period, newest first, until f returns false.
func (h *MotionHistory) Each(f func(Period) bool) {
	for i := range h.N {
		if !f(h.Periods[(h.Last-i+motionHistory)%motionHistory]) {
			return
		}
	}
}

// Observe applies one MotionState.
func (h *MotionHistory) Observe(s ipc.MotionState) {
	since := time.Unix(0, s.Since)
	newest := h.Periods[h.Last]
	open := h.N > 0 && newest.End.IsZero()
	switch {
	case s.Motion && !(open && newest.Start.Equal(since)):
		if open {
			h.Periods[h.Last].End = since // a lost "off": close it here
		}
		h.push(Period{Start: since})
	case !s.Motion && open:
		h.Periods[h.Last].End = since
	case !s.Motion && s.Last > 0 && !(h.N > 0 && newest.End.Equal(since)):
		h.push(Period{Start: since.Add(-s.Last), End: since})
	}
	h.Known, h.On, h.Since = true, s.Motion, since
}

// PipeCounters are the GUI's own counts for the pipes it shares with
// one sensor: the one it reads (sensor-gui) and the one it writes
// (gui-sensor).
type PipeCounters struct {
	Reader       ipc.ReaderStats // sensor-gui, as the GUI's Reader counted
	DropFrames   uint64          // sensor-gui: frames the sensor dropped (DropReports)
	DropSamples  uint64
	SentCommands uint64 // gui-sensor: commands written
	LostCommands uint64 // gui-sensor: commands dropped on a full pipe
}

// DaemonView is the last answer of the control socket.
type DaemonView struct {
	Status    *control.Status // last good status (nil: none yet)
	Err       string          // why the last poll failed ("" when it worked)
	PolledAt  time.Time       // when the last good status arrived
	Unpolled  bool            // no poll has finished yet
	Headless  bool            // no polling at all (--tty none)
	StopAsked bool
	Uplink    *control.UplinkStatus // the uplink's own status file; nil without one
}

// Event is a line of the recent-events panel.
type Event struct {
	At   time.Time
	Text string
	Bad  bool
}

// EventLog is a ring of recent events.
type EventLog struct {
	Items [eventHistory]Event
	Last  int
	N     int
}

// Add appends an event.
func (l *EventLog) Add(at time.Time, bad bool, format string) {
	l.Last = (l.Last + 1) % eventHistory
	l.Items[l.Last] = Event{At: at, Text: format, Bad: bad}
	l.N = min(l.N+1, eventHistory)
}

// Recent returns up to n events, newest first.
func (l *EventLog) Recent(n int) []Event {
	n = min(n, l.N)
	out := make([]Event, n)
	for i := range n {
		out[i] = l.Items[(l.Last-i+eventHistory)%eventHistory]
	}
	return out
}

// NewModel returns the model before any message.
func NewModel(mode Mode, cs Charset, host, boardModel string, now time.Time) Model {
	return Model{
		Now: now, Started: now, Mode: mode, Charset: cs, Host: host, BoardModel: boardModel,
		NextID: 1,
		Daemon: DaemonView{Unpolled: true, Headless: mode == ModeNone},
	}
}
