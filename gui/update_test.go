package gui

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"

	"sensord/board"
	"sensord/control"
	"sensord/ipc"
)

func key(r rune) KeyMsg { return KeyMsg{Key: tcell.KeyRune, Rune: r} }

func send(to Src, id uint32, op ipc.Op, arg int64) Effect {
	return SendEffect{To: to, Cmd: ipc.Command{ID: id, Op: op, Arg: arg}}
}

// TestUpdateKeys checks the effects of each key, and the message line.
func TestUpdateKeys(t *testing.T) {
	withInterval := func(d time.Duration) func(*Model) {
		return func(m *Model) { m.Sensors[SrcLight].Interval = d }
	}
	for _, c := range []struct {
		name    string
		mode    Mode
		setup   func(*Model)
		msg     Msg
		effects []Effect
		message string // a substring of the message line
	}{
		{"start resends and asks info", ModeTerminal, nil, StartMsg{},
			[]Effect{send(SrcMotion, 1, ipc.OpResend, 0), send(SrcLight, 2, ipc.OpResend, 0),
				send(SrcMotion, 3, ipc.OpInfo, 0), send(SrcLight, 4, ipc.OpInfo, 0)}, ""},
		{"+ from unknown interval goes 1s to 2s", ModeTerminal, nil, key('+'),
			[]Effect{send(SrcLight, 1, ipc.OpSetInterval, int64(2*time.Second))}, "2s asked"},
		{"- from 1s goes to 500ms", ModeTerminal, withInterval(time.Second), key('-'),
			[]Effect{send(SrcLight, 1, ipc.OpSetInterval, int64(500*time.Millisecond))}, "500ms"},
		{"+ from 700ms snaps to 500ms then steps to 1s", ModeTerminal, withInterval(700 * time.Millisecond), key('='),
			[]Effect{send(SrcLight, 1, ipc.OpSetInterval, int64(time.Second))}, "1s asked"},
		{"+ at 5s stays", ModeTerminal, withInterval(5 * time.Second), key('+'), nil, "stays 5s"},
		{"- at 100ms stays", ModeTerminal, withInterval(100 * time.Millisecond), key('-'), nil, "stays 100ms"},
		{"i asks both", ModeTerminal, nil, key('i'),
			[]Effect{send(SrcMotion, 1, ipc.OpInfo, 0), send(SrcLight, 2, ipc.OpInfo, 0)}, "info"},
		{"w skips warm-up", ModeConsole, nil, key('w'),
			[]Effect{send(SrcMotion, 1, ipc.OpSkipWarmup, 0)}, "warm-up"},
		{"u unplugs", ModeTerminal, nil, key('u'),
			[]Effect{send(SrcLight, 1, ipc.OpSimFault, int64(board.SimUnplug))}, "unplug"},
		{"u again replugs", ModeTerminal, func(m *Model) { m.LightPulled = true }, key('u'),
			[]Effect{send(SrcLight, 1, ipc.OpSimFault, int64(board.SimReplug))}, "replug"},
		{"s sticks the PIR", ModeTerminal, nil, key('s'),
			[]Effect{send(SrcMotion, 1, ipc.OpSimFault, int64(board.SimStuckHigh))}, "stuck"},
		{"s again releases", ModeTerminal, func(m *Model) { m.PIRStuck = true }, key('s'),
			[]Effect{send(SrcMotion, 1, ipc.OpSimFault, int64(board.SimRelease))}, "release"},
		{"q on a terminal stops", ModeTerminal, nil, key('q'), []Effect{StopEffect{}}, "stop"},
		{"Ctrl-C on a terminal stops", ModeTerminal, nil, KeyMsg{Key: tcell.KeyCtrlC}, []Effect{StopEffect{}}, "stop"},
		{"q on the console is disabled", ModeConsole, nil, key('q'), nil, "q is disabled on the console"},
		{"Ctrl-C on the console is disabled", ModeConsole, nil, KeyMsg{Key: tcell.KeyCtrlC}, nil, "disabled"},
		{"Ctrl-L repaints", ModeConsole, nil, KeyMsg{Key: tcell.KeyCtrlL}, []Effect{ResyncEffect{}}, ""},
		{"other keys do nothing", ModeTerminal, nil, key('x'), nil, ""},
		{"arrows do nothing", ModeTerminal, nil, KeyMsg{Key: tcell.KeyUp}, nil, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := NewModel(c.mode, CharsetUTF8, "h", "b", t0)
			if c.setup != nil {
				c.setup(&m)
			}
			got, eff := Update(m, t0, c.msg)
			if !reflect.DeepEqual(eff, c.effects) {
				t.Errorf("effects %#v, want %#v", eff, c.effects)
			}
			if !strings.Contains(got.Message, c.message) {
				t.Errorf("message %q, want it to contain %q", got.Message, c.message)
			}
			if want := m.NextID + uint32(sends(c.effects)); got.NextID != want {
				t.Errorf("NextID %d, want %d", got.NextID, want)
			}
		})
	}
}

func sends(effects []Effect) int {
	n := 0
	for _, e := range effects {
		if _, ok := e.(SendEffect); ok {
			n++
		}
	}
	return n
}

func TestUpdateHelp(t *testing.T) {
	m := NewModel(ModeTerminal, CharsetUTF8, "h", "b", t0)
	for i, c := range []struct {
		msg  Msg
		help bool
	}{
		{key('?'), true}, {key('?'), false}, {key('?'), true},
		{KeyMsg{Key: tcell.KeyEscape}, false}, {KeyMsg{Key: tcell.KeyEscape}, false},
		{key('?'), true}, {key('i'), true}, {KeyMsg{Key: tcell.KeyEnter}, false},
	} {
		m, _ = Update(m, t0, c.msg)
		if m.Help != c.help {
			t.Fatalf("step %d: help %v, want %v", i, m.Help, c.help)
		}
	}
}

// TestUpdatePure checks that Update leaves its argument alone: the
// history rings are arrays, and Status is replaced, not edited.
func TestUpdatePure(t *testing.T) {
	m := fixtureModel(CharsetUTF8, ModeTerminal)
	before := screenText(m, 80, 24)
	for _, msg := range []Msg{
		frame(SrcLight, 3, 999, t0, &ipc.LightSample{Lux: 5}),
		frame(SrcMotion, 1, 0, t0, &ipc.MotionState{Motion: false, Since: t0.UnixNano(), Last: 12 * time.Second}),
		frame(SrcLight, 3, 0, t0, &ipcStatusOffline),
		frame(SrcLight, 3, 0, t0, &ipc.DropReport{Frames: 9}),
		StatusMsg{Err: errors.New("x")},
		StatusMsg{Status: &control.Status{PID: 1}},
		key('u'), key('?'), key('+'),
	} {
		_, _ = Update(m, t0.Add(time.Minute), msg)
	}
	if after := screenText(m, 80, 24); after != before {
		t.Errorf("Update changed its argument:\n%s\nwas:\n%s", after, before)
	}
}

// TestUpdateFrames checks what each kind of frame does to the model.
func TestUpdateFrames(t *testing.T) {
	m := NewModel(ModeTerminal, CharsetUTF8, "h", "b", t0)
	step := func(msg Msg) { m, _ = Update(m, t0, msg) }

	step(frame(SrcLight, 1, 1, t0, &ipc.LightSample{Lux: 42}))
	if m.Lux.Now != 42 || m.Sensors[SrcLight].Gen != 1 || !m.Sensors[SrcLight].LastSample.Equal(t0) {
		t.Errorf("light sample: %+v %+v", m.Lux, m.Sensors[SrcLight])
	}
	step(frame(SrcLight, 2, 1, t0, &ipc.LightSample{Lux: 43}))
	if m.Sensors[SrcLight].Gen != 2 || !strings.Contains(m.Events.Recent(1)[0].Text, "light restarted (gen 2)") {
		t.Errorf("new generation not noticed: %+v", m.Events.Recent(1))
	}
	step(frame(SrcLight, 2, 0, t0, &ipc.DropReport{Frames: 3, Samples: 2}))
	step(frame(SrcLight, 2, 0, t0, &ipc.DropReport{Frames: 4, Samples: 4}))
	if p := m.Pipes[SrcLight]; p.DropFrames != 7 || p.DropSamples != 6 {
		t.Errorf("drop reports not summed: %+v", p)
	}
	// A report an earlier generation left in the drop ledger, sent by
	// gen 3 before its first frame: counted, named by its generation,
	// and not taken for a restart back to gen 1.
	step(frame(SrcLight, 1, 0, t0, &ipc.DropReport{Frames: 5, Samples: 5}))
	if m.Sensors[SrcLight].Gen != 2 || m.Pipes[SrcLight].DropFrames != 12 {
		t.Errorf("old generation's report: gen %d, drops %d; want gen 2, 12", m.Sensors[SrcLight].Gen, m.Pipes[SrcLight].DropFrames)
	}
	if e := m.Events.Recent(1)[0].Text; e != "light gen 1 dropped 5 frames before it died" {
		t.Errorf("event %q", e)
	}
	step(frame(SrcMotion, 1, 0, t0, &ipcStatusWarming))
	if s := m.Sensors[SrcMotion]; !s.Known || s.Health != ipc.HealthWarming || s.Reason != "41s left" {
		t.Errorf("status: %+v", s)
	}
	step(frame(SrcLight, 2, 0, t0, &ipc.Reply{Op: ipc.OpSetInterval, OK: true, Interval: 250 * time.Millisecond}))
	if m.Sensors[SrcLight].Interval != 250*time.Millisecond || !strings.Contains(m.Message, "250ms") {
		t.Errorf("set-interval reply: %v %q", m.Sensors[SrcLight].Interval, m.Message)
	}
	step(frame(SrcMotion, 1, 0, t0, &ipc.Reply{Op: ipc.OpSimFault, Error: "not a simulated board"}))
	if !m.MessageBad || !strings.Contains(m.Message, "not a simulated board") {
		t.Errorf("error reply: %q", m.Message)
	}
	step(frame(SrcMotion, 1, 0, t0, &ipc.Reply{Op: ipc.OpInfo, OK: true, Model: "PIR"}))
	if s := m.Sensors[SrcMotion]; !s.HasInfo || s.Info.Model != "PIR" || s.Interval != 0 {
		t.Errorf("info reply: %+v", s)
	}
	f := frame(SrcLight, 2, 9, t0, &ipc.LightSample{Lux: 1})
	f.Gaps = []ipc.Gap{{Gen: 2, First: 2, Last: 8}}
	f.Stats.GapSamples = 7
	step(f)
	if m.Pipes[SrcLight].Reader.GapSamples != 7 || !strings.Contains(m.Events.Recent(1)[0].Text, "7 samples missing") {
		t.Errorf("gap: %+v %+v", m.Pipes[SrcLight].Reader, m.Events.Recent(1))
	}
}

// TestMotionHistory feeds MotionState sequences, including resends and
// lost frames, and checks the periods the timeline draws from.
func TestMotionHistory(t *testing.T) {
	at := func(s int) int64 { return t0.Add(time.Duration(s) * time.Second).UnixNano() }
	on := func(s int) ipc.MotionState { return ipc.MotionState{Motion: true, Since: at(s)} }
	off := func(s, last int) ipc.MotionState {
		return ipc.MotionState{Since: at(s), Last: time.Duration(last) * time.Second}
	}
	p := func(a, b int) string {
		end := "open"
		if b >= 0 {
			end = time.Unix(0, at(b)).UTC().Format("15:04:05")
		}
		return time.Unix(0, at(a)).UTC().Format("15:04:05") + "-" + end
	}
	for _, c := range []struct {
		name   string
		states []ipc.MotionState
		want   []string // newest first
	}{
		{"on off", []ipc.MotionState{on(0), off(5, 5)}, []string{p(0, 5)}},
		{"on open", []ipc.MotionState{on(0)}, []string{p(0, -1)}},
		{"resent on is one period", []ipc.MotionState{on(0), on(0)}, []string{p(0, -1)}},
		{"resent off adds nothing", []ipc.MotionState{on(0), off(5, 5), off(5, 5)}, []string{p(0, 5)}},
		{"off first with last", []ipc.MotionState{off(10, 4)}, []string{p(6, 10)}},
		{"off first without last", []ipc.MotionState{off(10, 0)}, nil},
		{"lost off", []ipc.MotionState{on(0), on(20)}, []string{p(20, -1), p(0, 20)}},
		{"lost on", []ipc.MotionState{on(0), off(5, 5), off(30, 3)}, []string{p(27, 30), p(0, 5)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var h MotionHistory
			for _, s := range c.states {
				h.Observe(s)
			}
			var got []string
			h.Each(func(q Period) bool {
				end := -1
				if !q.End.IsZero() {
					end = int(q.End.Sub(t0).Seconds())
				}
				got = append(got, p(int(q.Start.Sub(t0).Seconds()), end))
				return true
			})
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("periods %v, want %v", got, c.want)
			}
		})
	}
}

// TestLuxWindow checks the chart's buckets: per colStep, gaps empty,
// and the ring wrapping.
func TestLuxWindow(t *testing.T) {
	var h LuxHistory
	const total = 3 * luxHistory * 5 // seconds: the ring wraps twice
	for i := 0; i < total; i++ {
		if i%100 < 10 {
			continue // a hole of 10 samples every 100
		}
		h.Push(float64(i), t0.Add(time.Duration(i)*time.Second))
	}
	sec := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	for i, b := range h.Window(sec(total-1), 6) {
		first := total - 30 + 5*i
		if b.N != 5 || b.Min != float64(first) || b.Max != float64(first+4) || b.Mean() != float64(first+2) {
			t.Errorf("bucket %d: %+v, want samples %d..%d", i, b, first, first+4)
		}
	}
	win := h.Window(sec(7614), 4) // 7595..7614; 7600..7609 missing
	if win[0].N != 5 || win[1].N != 0 || win[2].N != 0 || win[3].N != 5 {
		t.Errorf("hole not empty: %+v", win)
	}
	for _, b := range h.Window(sec(100), 4) {
		if b.N != 0 {
			t.Errorf("bucket past the ring still there: %+v", b)
		}
	}
	h.Push(-1, sec(50)) // the clock stepped back: counts in the newest bucket
	if b := h.Window(sec(total-1), 1)[0]; b.N != 6 || b.Min != -1 {
		t.Errorf("late sample: %+v", b)
	}
}

func TestUpdateStatus(t *testing.T) {
	m := NewModel(ModeTerminal, CharsetUTF8, "h", "b", t0)
	st := fixtureStatus()
	m, _ = Update(m, t0, StatusMsg{Status: st})
	if m.Daemon.Status != st || m.Daemon.Err != "" || m.Daemon.Unpolled {
		t.Fatalf("status not kept: %+v", m.Daemon)
	}
	m, _ = Update(m, t0, StatusMsg{Err: errors.New("refused")})
	if m.Daemon.Status != st || m.Daemon.Err != "refused" {
		t.Fatalf("error must keep the last status: %+v", m.Daemon)
	}
	if !strings.Contains(screenText(m, 80, 24), "daemon: not reachable: refused") {
		t.Errorf("screen does not say the daemon is not reachable")
	}
	next := fixtureStatus()
	next.Children[1].Restarts++
	next.Children[1].LastExit = &control.ExitStatus{Signal: strp("SIGKILL"), RanMS: 1000}
	m, _ = Update(m, t0, StatusMsg{Status: next})
	if e := m.Events.Recent(1)[0]; !strings.Contains(e.Text, "motion restarted: SIGKILL") {
		t.Errorf("restart not logged: %+v", e)
	}
}

func TestUnplugFollowsHealth(t *testing.T) {
	m := NewModel(ModeTerminal, CharsetUTF8, "h", "b", t0)
	m, _ = Update(m, t0, frame(SrcLight, 1, 0, t0, &ipcStatusOffline))
	m, eff := Update(m, t0, key('u'))
	if want := []Effect{send(SrcLight, 1, ipc.OpSimFault, int64(board.SimReplug))}; !reflect.DeepEqual(eff, want) {
		t.Errorf("u with the light offline: %#v, want a replug", eff)
	}
	if m.LightPulled {
		t.Error("after a replug the next u must unplug")
	}
}

// TestMotionEvents: the first state of a motion process is not news
// ("no motion" at start, not "motion ended"); an end says how long the
// motion lasted.
func TestMotionEvents(t *testing.T) {
	m := NewModel(ModeTerminal, CharsetUTF8, "h", "b", t0)
	var got []string
	for _, v := range []ipc.MotionState{
		{Motion: false, Since: t0.UnixNano()},
		{Motion: true, Since: t0.UnixNano()},
		{Motion: true, Since: t0.UnixNano()}, // a resend: no event
		{Motion: false, Since: t0.UnixNano(), Last: 4200 * time.Millisecond},
	} {
		m, _ = Update(m, t0, frame(SrcMotion, 1, 1, t0, &v))
		got = append(got, m.Events.Recent(1)[0].Text)
	}
	want := []string{"no motion", "motion", "motion", "motion ended after 4.2s"}
	if !slices.Equal(got, want) {
		t.Errorf("events %q; want %q", got, want)
	}
}

// TestPipesPollCarriesUplink: the uplink's connection changes without
// any change of the daemon's status, so the slow poll brings the
// uplink's status file too: a row that said "connecting" says "mqtt
// down" at the next poll, and the children's state is kept.
func TestPipesPollCarriesUplink(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m := NewModel(ModeTerminal, CharsetUTF8, "h", "sim", t0)
	st := &control.Status{Children: []control.ChildStatus{{Name: "uplink", State: control.Running}}}
	m, _ = Update(m, t0, StatusMsg{Status: st, Uplink: &control.UplinkStatus{}})
	down := &control.UplinkStatus{Error: "uplink: broker 127.0.0.1:1: connection refused"}
	m, _ = Update(m, t0.Add(5*time.Second), PipesMsg{Pipes: []control.PipeStatus{{Name: "light-gui"}}, Uplink: down})
	if m.Daemon.Uplink != down {
		t.Fatalf("uplink after the poll: %+v, want %+v", m.Daemon.Uplink, down)
	}
	if m.Daemon.Status.Child("uplink") == nil || len(m.Daemon.Status.Pipes) != 1 {
		t.Fatalf("status after the poll: %+v", m.Daemon.Status)
	}
}
