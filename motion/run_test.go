package motion

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"

	"sensord/board"
	"sensord/ipc"
	"sensord/ipc/ipctest"
	"sensord/sensor"
	"sensord/sensor/sensortest"
)

var noon = time.Date(2026, 6, 21, 12, 0, 0, 0, time.Local)

type harness struct {
	*sensortest.Sensor
	t   *testing.T
	clk *sensortest.Clock // idle: Run's timer and the watcher's wait
	pin *edgePin          // set by startPin
}

// edgePin is a gpiotest.Pin for a test that moves a fake clock. Its
// WaitForEdge stops its timer as soon as an edge comes, and edge returns
// only then: a timer left armed (gpiotest's Clock.After stays one of the
// clock's waiters until it expires) makes the loop look idle while the
// edge is still on its way to it, and a Step then moves the clock under
// it.
type edgePin struct {
	*gpiotest.Pin
	clk   clockwork.Clock
	edges chan gpio.Level
	taken chan struct{}
}

func newEdgePin(clk clockwork.Clock) *edgePin {
	return &edgePin{Pin: &gpiotest.Pin{N: "GPIO17", Num: 17, EdgesChan: make(chan gpio.Level)}, clk: clk,
		edges: make(chan gpio.Level), taken: make(chan struct{})}
}

func (p *edgePin) WaitForEdge(timeout time.Duration) bool {
	t := p.clk.NewTimer(timeout)
	select {
	case <-t.Chan():
		return false
	case l := <-p.edges:
		t.Stop()
		_ = p.Out(l)
		p.taken <- struct{}{}
		return true
	}
}

// edge hands the watcher an edge to level l.
func (p *edgePin) edge(l gpio.Level) {
	p.edges <- l
	<-p.taken
}

// pinBoard is a Board with one pin of the test's that fails to open
// the first fails times: the seam through which a test hands the role a
// gpiotest pin. It counts as simulated, for the defaults.
type pinBoard struct {
	pin   gpio.PinIn
	fails int
}

func (*pinBoard) Kind() string               { return "test" }
func (*pinBoard) Seed() int64                { return 0 }
func (*pinBoard) Simulated() bool            { return true }
func (*pinBoard) Fault(board.SimFault) error { return board.ErrNotSimulated }

func (b *pinBoard) Pin(string) (gpio.PinIn, error) {
	if b.fails > 0 {
		b.fails--
		return nil, errors.New("board: /dev/gpiochip0: permission denied; add the sensord user to group gpio")
	}
	return b.pin, nil
}

// startPin runs Run on an edgePin (h.pin) that fails to open the
// first fails times.
func startPin(t *testing.T, cfg Config, fails int) *harness {
	t.Helper()
	clk := sensortest.NewClock(t, noon, 2)
	pin := newEdgePin(clk)
	cfg.Board = &pinBoard{pin: pin, fails: fails}
	h := startAt(t, cfg, clk)
	h.pin = pin
	return h
}

// start runs Run on the simulated board (with faults, if not "") with
// real pipes and a fake clock at noon.
func start(t *testing.T, cfg Config, faults string) *harness {
	t.Helper()
	clk := sensortest.NewClock(t, noon, 2)
	b, err := board.Open(board.Config{Kind: "sim", Seed: 1, Faults: faults, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	cfg.Board = b
	return startAt(t, cfg, clk)
}

// testPoll is the watcher's WaitForEdge timeout in these tests, and the
// step they move the fake clock by.
const testPoll = time.Second

func startAt(t *testing.T, cfg Config, clk *sensortest.Clock) *harness {
	t.Helper()
	if cfg.Poll == 0 {
		cfg.Poll = testPoll
	}
	cfg.Clock, cfg.Stamps, cfg.Log = clk, sensor.StampsFrom(clk.Now), slog.New(slog.DiscardHandler)
	if cfg.Pin == "" {
		cfg.Pin = "GPIO17"
	}
	if cfg.Uptime == nil {
		cfg.Uptime = func() time.Duration { return 0 }
	}
	h := &harness{Sensor: sensortest.NewSensor(t), t: t, clk: clk}
	// A gpiotest.Pin ignores Halt, so at the end its WaitForEdge returns
	// only when the fake clock passes its timeout: keep moving it.
	h.Go(func(ctx context.Context, ends Pipes) error { return Run(ctx, cfg, ends) },
		func() { clk.Advance(testPoll) })
	return h
}

func (h *harness) state(motion bool, since time.Time, last time.Duration) {
	h.t.Helper()
	m := h.Both(ipc.TypeMotion).M.(*ipc.MotionState)
	got := time.Unix(0, m.Since)
	if m.Motion != motion || got.Sub(since).Abs() > testPoll || (m.Last-last).Abs() > testPoll {
		h.t.Fatalf("state %v since %s last %s; want %v since %s last %s",
			m.Motion, got.Sub(noon), m.Last, motion, since.Sub(noon), last)
	}
}

// advance moves the clock by d in steps of at most testPoll, each once Run
// and its watcher both wait on it.
func (h *harness) advance(d time.Duration) {
	h.t.Helper()
	for d > 0 {
		step := min(d, testPoll)
		h.clk.Step(step)
		d -= step
	}
}

func TestRunStateAtStartAndCommands(t *testing.T) {
	h := start(t, Config{Settings: sensor.Settings{Gen: 2}}, "")
	h.Status(ipc.HealthOK, "")
	if m := h.Both(ipc.TypeMotion); m.Seq != 1 || m.Gen != 2 {
		t.Errorf("first state: gen %d seq %d", m.Gen, m.Seq)
	}
	r := h.Command(ipc.OpInfo, 0)
	if !r.OK || r.Model == "" || r.Where != "sim GPIO17" || r.Interval != 0 || r.Version == "" {
		t.Errorf("info: %+v", r)
	}
	for _, tc := range []struct {
		op   ipc.Op
		arg  int64
		want string
	}{
		{ipc.OpSetInterval, int64(time.Second), "event driven"},
		{ipc.Op(42), 0, "not supported"},
		{ipc.OpSimFault, int64(board.SimUnplug), "no simulated light sensor"},
	} {
		if r := h.Command(tc.op, tc.arg); r.OK || !strings.Contains(r.Error, tc.want) {
			t.Errorf("%s: %+v; want error with %q", tc.op, r, tc.want)
		}
	}
	h.Send(&ipc.Command{ID: 50, Op: ipc.OpResend})
	h.Status(ipc.HealthOK, "")
	if m := h.Both(ipc.TypeMotion); m.Seq != 2 {
		t.Errorf("resent state seq %d; want 2", m.Seq)
	}
	if r := h.Next(h.GUI, ipc.TypeReply).M.(*ipc.Reply); !r.OK || r.ID != 50 {
		t.Errorf("resend: %+v", r)
	}
}

func TestRunEdges(t *testing.T) {
	h := startPin(t, Config{}, 0)
	pin := h.pin
	h.Status(ipc.HealthOK, "")
	h.state(false, noon, 0)
	pin.edge(gpio.High)
	h.state(true, noon, 0)
	h.advance(3 * time.Second)
	pin.edge(gpio.Low)
	h.state(false, noon.Add(3*time.Second), 3*time.Second)
	pin.edge(gpio.High)
	h.state(true, noon.Add(3*time.Second), 0)
}

func TestRunWarmup(t *testing.T) {
	h := startPin(t, Config{Warmup: time.Minute}, 0)
	pin := h.pin
	h.Status(ipc.HealthWarming, "settling")
	h.state(false, noon, 0)
	pin.edge(gpio.High) // ignored while warming up
	pin.edge(gpio.Low)
	pin.edge(gpio.High)
	h.advance(time.Minute)
	h.Status(ipc.HealthOK, "")
	h.state(true, noon.Add(time.Minute), 0)
}

func TestRunWarmupCountsFromBoot(t *testing.T) {
	h := start(t, Config{Warmup: time.Minute, Uptime: func() time.Duration { return time.Hour }}, "")
	h.Status(ipc.HealthOK, "")
}

func TestRunSkipWarmup(t *testing.T) {
	h := start(t, Config{Warmup: time.Minute}, "")
	h.Status(ipc.HealthWarming, "")
	h.Both(ipc.TypeMotion)
	h.Send(&ipc.Command{ID: 9, Op: ipc.OpSkipWarmup})
	h.Status(ipc.HealthOK, "")
	if r := h.Next(h.GUI, ipc.TypeReply).M.(*ipc.Reply); !r.OK {
		t.Errorf("skip warm-up: %+v", r)
	}
}

func TestRunStuckFault(t *testing.T) {
	h := start(t, Config{StuckAfter: 5 * time.Second}, "")
	h.Status(ipc.HealthOK, "")
	h.state(false, noon, 0)
	if r := h.Command(ipc.OpSimFault, int64(board.SimStuckHigh)); !r.OK {
		t.Fatalf("stuck: %+v", r)
	}
	h.state(true, noon, 0)
	h.advance(5 * time.Second)
	h.Status(ipc.HealthOffline, "stuck")
	if r := h.Command(ipc.OpSimFault, int64(board.SimRelease)); !r.OK {
		t.Fatalf("release: %+v", r)
	}
	h.state(false, noon.Add(5*time.Second), 5*time.Second)
	h.Status(ipc.HealthOK, "")
}

func TestRunScheduledStuck(t *testing.T) {
	h := start(t, Config{StuckAfter: 5 * time.Second}, "pir-stuck@1s-10s")
	h.Status(ipc.HealthOK, "")
	h.state(false, noon, 0)
	// Wait for each frame before moving the clock on: the harness cannot
	// tell a busy main loop from an idle one by its timers alone.
	h.advance(time.Second)
	h.state(true, noon.Add(time.Second), 0)
	h.advance(5 * time.Second)
	h.Status(ipc.HealthOffline, "stuck")
	h.advance(4 * time.Second)
	h.state(false, noon.Add(10*time.Second), 9*time.Second)
	h.Status(ipc.HealthOK, "")
}

func TestRunPinRetry(t *testing.T) {
	h := startPin(t, Config{}, 2)
	h.clk.SetIdle(1) // no watcher while offline
	h.Status(ipc.HealthOffline, "group gpio")
	h.advance(time.Second)
	h.advance(2*time.Second - testPoll)
	// The pin opens on the last step and the watcher starts.
	h.clk.WaitFor(1)
	h.clk.SetIdle(2)
	h.clk.Advance(testPoll)
	h.Status(ipc.HealthOK, "")
	h.state(false, noon.Add(3*time.Second), 0)
}

// haltOncePin is a pin whose first Halt is lost, as one is that lands
// just before the watcher's next wait begins; the second ends the wait.
type haltOncePin struct {
	*gpiotest.Pin
	waiting chan struct{} // closed when WaitForEdge is entered
	halted  chan struct{} // closed by the second Halt
	halts   int
}

func (p *haltOncePin) WaitForEdge(time.Duration) bool {
	close(p.waiting)
	<-p.halted
	return false
}

func (p *haltOncePin) Halt() error {
	if p.halts++; p.halts == 2 {
		close(p.halted)
	}
	return nil
}

// TestStopRepeatsHalt: a stop does not wait for the watcher's Poll when
// its first Halt is lost; it halts again.
func TestStopRepeatsHalt(t *testing.T) {
	pin := &haltOncePin{Pin: &gpiotest.Pin{N: "GPIO17"}, waiting: make(chan struct{}), halted: make(chan struct{})}
	s := &role{Base: sensor.Base{Clock: clockwork.NewRealClock()}, pin: pin, cfg: Config{Poll: time.Hour}}
	s.startWatch(context.Background())
	<-pin.waiting
	stopped := make(chan struct{})
	go func() { s.stopWatch(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(ipctest.Wait):
		t.Fatalf("stop still waiting after %s; want a second Halt within %s", ipctest.Wait, haltRetry)
	}
}

// TestRunConfinesOnceThePinOpens: the role enters its sandbox when the
// pin first opens, not while it is offline before (README.md,
// "Security: file system"), and only once.
func TestRunConfinesOnceThePinOpens(t *testing.T) {
	calls := make(chan struct{}, 10)
	confine := func() error { calls <- struct{}{}; return nil }
	h := startPin(t, Config{Settings: sensor.Settings{Confine: confine}}, 1)
	h.clk.SetIdle(1) // no watcher while offline
	h.Status(ipc.HealthOffline, "group gpio")
	if n := len(calls); n != 0 {
		t.Fatalf("confined %d times before the pin opened", n)
	}
	h.clk.WaitFor(1)
	h.clk.SetIdle(2)
	h.clk.Advance(BackoffMin)
	h.Status(ipc.HealthOK, "")
	if n := len(calls); n != 1 {
		t.Errorf("confined %d times once the pin opened; want 1", n)
	}
}
