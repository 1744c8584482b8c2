package gui

import (
	"fmt"
	"time"

	"github.com/gdamore/tcell/v2"

	"sensord/control"
	"sensord/ipc"
)

// Msg is anything that changes the model: a frame, a key, a status
// answer, a tick.
type Msg any

// The messages Update understands.
type (
	StartMsg struct{} // the loop has started
	TickMsg  struct{} // a second went by: ages and clocks move on
	KeyMsg   struct {
		Key  tcell.Key
		Rune rune
	}
	// FrameMsg is one decoded frame from a sensor's pipe, with the
	// Reader's counters after it and the gaps it revealed.
	FrameMsg struct {
		Src    Src
		Header ipc.Header
		Msg    ipc.Message
		Stats  ipc.ReaderStats
		Gaps   []ipc.Gap
	}
	// ReadErrMsg says a pipe could not be read any more.
	ReadErrMsg struct {
		Src Src
		Err error
	}
	// StatusMsg is a status from the daemon's subscription (or a poll
	// of an older daemon), or why there is none.
	StatusMsg struct {
		Status *control.Status
		Err    error
		Uplink *control.UplinkStatus // nil: no uplink
	}
	// PipesMsg is the pipes' fill from a slow poll of the status, and
	// the uplink's status file read with it: neither changes the
	// daemon's status, so the subscription does not bring them.
	PipesMsg struct {
		Pipes  []control.PipeStatus
		Uplink *control.UplinkStatus // nil: no uplink
	}
	// SentMsg is the result of writing a command.
	SentMsg struct {
		To  Src
		Cmd ipc.Command
		Err error
	}
	// StopDoneMsg is the result of asking the daemon to stop.
	StopDoneMsg struct{ Err error }
)

// Effect is something Update wants done outside the model. The loop
// carries effects out and feeds their results back as messages, so
// Update itself stays a pure function.
type Effect any

// The effects Update asks for.
type (
	SendEffect struct {
		To  Src
		Cmd ipc.Command
	}
	StopEffect   struct{} // ask the daemon to stop the appliance
	ResyncEffect struct{} // repaint the whole terminal (Ctrl-L)
)

// Update returns the model after msg and the effects to carry out. It
// changes nothing but its result: m is a value and Status is replaced,
// never edited.
func Update(m Model, now time.Time, msg Msg) (Model, []Effect) {
	m.Now = now
	switch msg := msg.(type) {
	case StartMsg:
		eff := append(m.sendBoth(ipc.OpResend), m.sendBoth(ipc.OpInfo)...)
		return m, eff
	case TickMsg:
		return m, nil
	case KeyMsg:
		return onKey(m, msg)
	case FrameMsg:
		return onFrame(m, msg), nil
	case ReadErrMsg:
		m.Events.Add(now, true, fmt.Sprintf("%s-gui pipe: %v", msg.Src, msg.Err))
		return m, nil
	case StatusMsg:
		return onStatus(m, msg), nil
	case PipesMsg:
		return onPipes(m, msg), nil
	case SentMsg:
		return onSent(m, msg), nil
	case StopDoneMsg:
		if msg.Err != nil {
			m = m.say(true, fmt.Sprintf("stop failed: %v", msg.Err))
		} else {
			m = m.say(false, "stopping the appliance...")
		}
		return m, nil
	}
	return m, nil
}

// say sets the message line.
func (m Model) say(bad bool, text string) Model {
	m.Message, m.MessageBad = text, bad
	return m
}

// send makes the effect for one command and takes the next id.
func (m *Model) send(to Src, op ipc.Op, arg int64) Effect {
	e := SendEffect{To: to, Cmd: ipc.Command{ID: m.NextID, Op: op, Arg: arg}}
	m.NextID++
	return e
}

// sendBoth sends op, without argument, to both sensors.
func (m *Model) sendBoth(op ipc.Op) []Effect {
	return []Effect{m.send(SrcMotion, op, 0), m.send(SrcLight, op, 0)}
}

func onSent(m Model, msg SentMsg) Model {
	p := &m.Pipes[msg.To]
	if msg.Err != nil {
		p.LostCommands++
		return m.say(true, fmt.Sprintf("%s: %s not sent: %v", msg.To, msg.Cmd.Op, msg.Err))
	}
	p.SentCommands++
	return m
}

func onFrame(m Model, f FrameMsg) Model {
	s := &m.Sensors[f.Src]
	p := &m.Pipes[f.Src]
	p.Reader = f.Stats
	if v, ok := f.Msg.(*ipc.DropReport); ok {
		// It may be an earlier generation's, from the drop ledger: its
		// gen says nothing of the sensor's current one.
		p.DropFrames += v.Frames
		p.DropSamples += v.Samples
		text := fmt.Sprintf("%s dropped %d frames on a full pipe", f.Src, v.Frames)
		if s.Gen != 0 && f.Header.Gen != s.Gen {
			text = fmt.Sprintf("%s gen %d dropped %d frames before it died", f.Src, f.Header.Gen, v.Frames)
		}
		m.Events.Add(m.Now, true, text)
		return m
	}
	if s.Gen != 0 && f.Header.Gen != s.Gen {
		m.Events.Add(m.Now, true, fmt.Sprintf("%s restarted (gen %d)", f.Src, f.Header.Gen))
	}
	s.Gen = f.Header.Gen
	for _, g := range f.Gaps {
		m.Events.Add(m.Now, true, fmt.Sprintf("%s: %d samples missing (seq %d-%d)", f.Src, g.Count(), g.First, g.Last))
	}
	at := time.Unix(0, f.Header.Wall)
	switch v := f.Msg.(type) {
	case *ipc.LightSample:
		s.LastSample = at
		m.Lux.Push(v.Lux, at)
	case *ipc.MotionState:
		s.LastSample = at
		m = onMotion(m, *v)
	case *ipc.SensorStatus:
		m = onHealth(m, f.Src, *v)
	case *ipc.Reply:
		m = onReply(m, f.Src, *v)
	}
	return m
}

func onMotion(m Model, v ipc.MotionState) Model {
	was := m.Motion
	m.Motion.Observe(v)
	if !was.Known || was.On != v.Motion {
		m.Events.Add(m.Now, false, motionEvent(was.Known, v))
	}
	return m
}

// motionEvent is the event line for a change of motion state: the first
// state a process reports is where it stands, not a change.
func motionEvent(known bool, v ipc.MotionState) string {
	switch {
	case v.Motion:
		return "motion"
	case !known:
		return "no motion"
	case v.Last > 0:
		return "motion ended after " + fmtAge(v.Last)
	}
	return "motion ended"
}

func onHealth(m Model, src Src, v ipc.SensorStatus) Model {
	s := &m.Sensors[src]
	if !s.Known || s.Health != v.Health || s.Reason != v.Reason {
		text := fmt.Sprintf("%s: %s", src, v.Health)
		if v.Reason != "" {
			text += ": " + v.Reason
		}
		m.Events.Add(m.Now, v.Health == ipc.HealthOffline, text)
	}
	s.Known, s.Health, s.Reason = true, v.Health, v.Reason
	return m
}

func onReply(m Model, src Src, r ipc.Reply) Model {
	s := &m.Sensors[src]
	if r.OK && (src == SrcLight || r.Interval != 0) {
		s.Interval = r.Interval
	}
	if r.Op == ipc.OpInfo {
		s.Info, s.HasInfo = r, true
		return m
	}
	if !r.OK {
		return m.say(true, fmt.Sprintf("%s: %s failed: %s", src, r.Op, r.Error))
	}
	text := fmt.Sprintf("%s: %s done", src, r.Op)
	if r.Op == ipc.OpSetInterval {
		text = fmt.Sprintf("%s: interval now %s", src, r.Interval)
	}
	if r.Op == ipc.OpResend {
		return m
	}
	return m.say(false, text)
}

func onStatus(m Model, msg StatusMsg) Model {
	d := &m.Daemon
	d.Unpolled = false
	if msg.Err != nil {
		if d.Err == "" {
			m.Events.Add(m.Now, true, "daemon not reachable")
		}
		d.Err = msg.Err.Error()
		return m
	}
	if old := d.Status; old != nil {
		m = restartEvents(m, old, msg.Status)
	}
	d.Status, d.Err, d.PolledAt, d.Uplink = msg.Status, "", m.Now, msg.Uplink
	return m
}

// onPipes takes the pipes' fill into a copy of the status: the model's
// Status is replaced whole, never edited.
func onPipes(m Model, msg PipesMsg) Model {
	if old := m.Daemon.Status; old != nil {
		s := *old
		s.Pipes = msg.Pipes
		m.Daemon.Status = &s
	}
	m.Daemon.Uplink = msg.Uplink
	return m
}

// restartEvents logs the children whose restart count went up.
func restartEvents(m Model, old, cur *control.Status) Model {
	for _, c := range cur.Children {
		for _, o := range old.Children {
			if o.Name == c.Name && c.Restarts > o.Restarts {
				m.Events.Add(m.Now, true, fmt.Sprintf("%s restarted: %s", c.Name, exitReason(c.LastExit)))
			}
		}
	}
	return m
}
