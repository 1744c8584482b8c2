package gui

import (
	"math"
	"strings"
	"time"

	"github.com/gdamore/tcell/v2"

	"sensord/control"
	"sensord/ipc"
)

// t0 is the fixed "now" of the test models.
var t0 = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

func intp(v int) *int { return &v }

func strp(s string) *string { return &s }

// fixtureStatus is a daemon status with one child that crashed.
func fixtureStatus() *control.Status {
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	atp := func(d time.Duration) *time.Time { t := at(d); return &t }
	sig := "SIGSEGV"
	return &control.Status{
		PID: 1234, Version: "0.1.0", StartedAt: at(-3*time.Hour - 2*time.Minute), CoreLimit: "unlimited", Board: "sim",
		Children: []control.ChildStatus{
			{Name: "gui", PID: 1240, State: "running", Gen: 1, StartedAt: atp(-3 * time.Hour), Ready: true},
			{Name: "motion", PID: 1241, State: "running", Gen: 1, StartedAt: atp(-3 * time.Hour)}, // not ready yet
			{Name: "light", PID: 1301, State: "running", Gen: 3, Restarts: 2, StartedAt: atp(-5 * time.Minute), Ready: true,
				LastExit: &control.ExitStatus{At: at(-5 * time.Minute), Signal: &sig, CoreDumped: true, RanMS: 5012}},
			{Name: "logger", PID: 1243, State: "backoff", Gen: 2, Restarts: 1,
				LastExit: &control.ExitStatus{At: at(-2 * time.Second), ExitCode: intp(1), RanMS: 300}},
		},
		Pipes: []control.PipeStatus{
			{Name: "motion-gui", Writer: "motion", Reader: "gui", QueuedBytes: 0, CapacityBytes: 1 << 20},
			{Name: "light-gui", Writer: "light", Reader: "gui", QueuedBytes: 96, CapacityBytes: 1 << 20},
			{Name: "gui-motion", Writer: "gui", Reader: "motion", CapacityBytes: 1 << 20},
			{Name: "gui-light", Writer: "gui", Reader: "light", CapacityBytes: 1 << 20},
			{Name: "motion-logger", Writer: "motion", Reader: "logger", QueuedBytes: 4096, CapacityBytes: 1 << 20},
			{Name: "light-logger", Writer: "light", Reader: "logger", QueuedBytes: 700 << 10, CapacityBytes: 1 << 20},
		},
	}
}

// frame makes a FrameMsg as readPipe would. The reader's counters of
// the fixture: one gap of three light samples.
func frame(src Src, gen uint32, seq uint64, at time.Time, m ipc.Message) FrameMsg {
	f := FrameMsg{Src: src, Header: ipc.Header{Type: m.Type(), Gen: gen, Seq: seq, Wall: at.UnixNano()}, Msg: m}
	if src == SrcLight && (seq == 0 || seq > 300) {
		f.Stats.Gaps, f.Stats.GapSamples = 1, 3
	}
	return f
}

// fixtureModel is a busy dashboard: 10 minutes of light samples, some
// motion, a crashed light sensor, a drop report and a gap.
func fixtureModel(cs Charset, mode Mode) Model {
	start := t0.Add(-10 * time.Minute)
	m := NewModel(mode, cs, "pi-kitchen", "Raspberry Pi 4 Model B Rev 1.4", start)
	step := func(at time.Time, msg Msg) { m, _ = Update(m, at, msg) }
	step(start, StartMsg{})
	step(start, frame(SrcMotion, 1, 0, start, &ipc.SensorStatus{Health: ipc.HealthOK}))
	step(start, frame(SrcMotion, 1, 1, start, &ipc.MotionState{Since: start.Add(-time.Hour).UnixNano()}))
	seq := uint64(0)
	for i := 0; i < 600; i++ {
		at := start.Add(time.Duration(i) * time.Second)
		seq++
		if i == 300 {
			seq += 3 // three samples lost
		}
		lux := 300 + 40*math.Sin(float64(i)/20)
		f := frame(SrcLight, 3, seq, at, &ipc.LightSample{Lux: lux})
		if i == 300 {
			f.Gaps = []ipc.Gap{{Type: ipc.TypeLight, Gen: 3, First: 301, Last: 303}}
		}
		step(at, f)
	}
	motion := func(on bool, at time.Time, last time.Duration) {
		step(at, frame(SrcMotion, 1, 0, at, &ipc.MotionState{Motion: on, Since: at.UnixNano(), Last: last}))
	}
	motion(true, t0.Add(-8*time.Minute), 0)
	motion(false, t0.Add(-7*time.Minute-30*time.Second), 30*time.Second)
	motion(true, t0.Add(-3*time.Minute), 0)
	motion(false, t0.Add(-2*time.Minute-50*time.Second), 10*time.Second)
	motion(true, t0.Add(-12*time.Second), 0)
	step(t0, frame(SrcLight, 3, 0, t0, &ipc.SensorStatus{Health: ipc.HealthOK}))
	step(t0, frame(SrcLight, 3, 0, t0, &ipc.DropReport{Frames: 5, Samples: 5, First: 120, Last: 124}))
	step(t0, frame(SrcLight, 3, 0, t0, &ipc.Reply{ID: 4, Op: ipc.OpInfo, OK: true, Interval: time.Second,
		Model: "BH1750", Driver: "sensord/light bh1750 (i2c)", Where: "i2c-1 0x23", Version: "0.1.0"}))
	step(t0, frame(SrcMotion, 1, 0, t0, &ipc.Reply{ID: 3, Op: ipc.OpInfo, OK: true,
		Model: "HC-SR501 PIR", Driver: "sensord/motion gpio", Where: "GPIO17", Version: "0.1.0"}))
	for i := 0; i < 4; i++ {
		step(t0, SentMsg{To: Src(i % 2)})
	}
	step(t0.Add(-time.Second), StatusMsg{Status: fixtureStatus()})
	step(t0.Add(-400*time.Millisecond), frame(SrcLight, 3, seq+1, t0.Add(-400*time.Millisecond), &ipc.LightSample{Lux: 312.5}))
	step(t0, TickMsg{})
	return m
}

// screenText draws m on a w x h simulation screen and returns the text,
// one line per row, trailing spaces cut.
func screenText(m Model, w, h int) string {
	s := tcell.NewSimulationScreen("UTF-8")
	if err := s.Init(); err != nil {
		panic(err)
	}
	defer s.Fini()
	s.SetSize(w, h)
	Draw(s, m)
	s.Show()
	return simText(s)
}

func simText(s tcell.SimulationScreen) string {
	cells, w, h := s.GetContents()
	var b strings.Builder
	for y := 0; y < h; y++ {
		var line strings.Builder
		for x := 0; x < w; x++ {
			r := cells[y*w+x].Runes
			if len(r) == 0 {
				line.WriteRune(' ')
				continue
			}
			line.WriteString(string(r))
		}
		b.WriteString(strings.TrimRight(line.String(), " "))
		b.WriteByte('\n')
	}
	return b.String()
}

var (
	ipcStatusOffline = ipc.SensorStatus{Health: ipc.HealthOffline, Reason: "i2c-1 0x23: no ACK (unplugged?)"}
	ipcStatusWarming = ipc.SensorStatus{Health: ipc.HealthWarming, Reason: "41s left"}
	ipcStatusUnicode = ipc.SensorStatus{Health: ipc.HealthOffline, Reason: "capteur débranché ✗"}
)
