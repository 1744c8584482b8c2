package motion

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"golang.org/x/sys/unix"
	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"

	"sensord/board"
	"sensord/ipc"
)

var noon = time.Date(2026, 6, 21, 12, 0, 0, 0, time.Local)

type msg struct {
	ipc.Header
	m  ipc.Message
	at time.Time // when the collector read it
}

type harness struct {
	t       *testing.T
	clk     *clockwork.FakeClock
	cmd     *ipc.Writer
	snd     *ipc.Sender
	gui     chan msg
	logger  chan msg
	done    chan error
	cancel  context.CancelFunc
	nextID  uint32
	waiters int           // fake-clock waiters when Run is idle
	pin     *gpiotest.Pin // set by startPin
}

func pipe(t testing.TB) (*os.File, int) {
	t.Helper()
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_NONBLOCK|unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	r, err := ipc.OpenReader(p[0], "test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); unix.Close(p[1]) })
	return r, p[1]
}

func collect(t testing.TB, f *os.File) chan msg {
	ch := make(chan msg, 1000)
	go func() {
		rd := ipc.NewReader(f)
		for {
			fr, err := rd.Next()
			if err != nil {
				return
			}
			m, err := ipc.Decode(fr)
			if err != nil {
				t.Errorf("bad frame: %v", err)
				return
			}
			ch <- msg{fr.Header, m, time.Now()}
		}
	}()
	return ch
}

// startPin runs Run on a gpiotest.Pin (h.pin) that fails to open the
// first fails times.
func startPin(t *testing.T, cfg Config, fails int) *harness {
	t.Helper()
	clk := clockwork.NewFakeClockAt(noon)
	pin := &gpiotest.Pin{N: "GPIO17", Num: 17, Clock: clk, EdgesChan: make(chan gpio.Level)}
	cfg.OpenPin = func(string) (gpio.PinIn, error) {
		if fails > 0 {
			fails--
			return nil, errors.New("board: /dev/gpiochip0: permission denied; add the sensord user to group gpio")
		}
		return pin, nil
	}
	h := startAt(t, cfg, clk)
	h.pin = pin
	return h
}

// start runs Run on the simulated board with real pipes and a fake
// clock at noon.
func start(t *testing.T, cfg Config) *harness {
	t.Helper()
	return startAt(t, cfg, clockwork.NewFakeClockAt(noon))
}

func startAt(t *testing.T, cfg Config, clk *clockwork.FakeClock) *harness {
	t.Helper()
	rxR, rxW := pipe(t)
	guiR, guiW := pipe(t)
	logR, logW := pipe(t)
	cfg.Clock, cfg.Log = clk, slog.New(slog.DiscardHandler)
	cfg.Board.Kind = "sim"
	if cfg.Board.Seed == 0 {
		cfg.Board.Seed = 1
	}
	if cfg.Pin == "" {
		cfg.Pin = "GPIO17"
	}
	if cfg.Uptime == nil {
		cfg.Uptime = func() time.Duration { return 0 }
	}
	ctx, cancel := context.WithCancel(context.Background())
	h := &harness{t: t, clk: clk, cmd: ipc.NewWriter(rxW), snd: ipc.NewSender(1),
		gui: collect(t, guiR), logger: collect(t, logR), done: make(chan error, 1), cancel: cancel, waiters: 2}
	go func() { h.done <- Run(ctx, cfg, Pipes{Rx: rxR, GUI: ipc.NewWriter(guiW), Logger: ipc.NewWriter(logW)}) }()
	t.Cleanup(h.stop)
	return h
}

// stop cancels Run. A gpiotest.Pin ignores Halt, so its WaitForEdge
// ends only when the fake clock passes its timeout: keep moving it.
func (h *harness) stop() {
	h.cancel()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case err := <-h.done:
			if err != nil {
				h.t.Errorf("Run: %v", err)
			}
			return
		case <-time.After(time.Millisecond):
			h.clk.Advance(Poll)
		case <-deadline:
			h.t.Error("Run did not return after cancel")
			return
		}
	}
}

func (h *harness) next(ch chan msg, want ipc.Type) msg {
	h.t.Helper()
	select {
	case m := <-ch:
		if m.Type != want {
			h.t.Fatalf("got %s frame %+v; want %s", m.Type, m.m, want)
		}
		return m
	case <-time.After(10 * time.Second):
		h.t.Fatalf("no %s frame", want)
	}
	return msg{}
}

func (h *harness) both(want ipc.Type) msg {
	h.t.Helper()
	g, l := h.next(h.gui, want), h.next(h.logger, want)
	if g.Seq != l.Seq || g.Wall != l.Wall {
		h.t.Fatalf("GUI and logger frames differ: %+v %+v", g.Header, l.Header)
	}
	return g
}

func (h *harness) status(want ipc.Health, reason string) {
	h.t.Helper()
	st := h.both(ipc.TypeStatus).m.(*ipc.SensorStatus)
	if st.Health != want || !strings.Contains(st.Reason, reason) {
		h.t.Fatalf("status %s %q; want %s with %q", st.Health, st.Reason, want, reason)
	}
}

func (h *harness) state(motion bool, since time.Time, last time.Duration) {
	h.t.Helper()
	m := h.both(ipc.TypeMotion).m.(*ipc.MotionState)
	got := time.Unix(0, m.Since)
	if m.Motion != motion || got.Sub(since).Abs() > Poll || (m.Last-last).Abs() > Poll {
		h.t.Fatalf("state %v since %s last %s; want %v since %s last %s",
			m.Motion, got.Sub(noon), m.Last, motion, since.Sub(noon), last)
	}
}

// advance waits until Run and its watcher both wait on the clock, then
// moves it by d in steps of at most Poll.
func (h *harness) advance(d time.Duration) {
	h.t.Helper()
	for d > 0 {
		step := min(d, Poll)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := h.clk.BlockUntilContext(ctx, h.waiters)
		cancel()
		if err != nil {
			h.t.Fatalf("Run never waited on its timers: %v", err)
		}
		h.clk.Advance(step)
		d -= step
	}
}

func (h *harness) command(op ipc.Op, arg int64) *ipc.Reply {
	h.t.Helper()
	h.nextID++
	if err := h.snd.Send(&ipc.Command{ID: h.nextID, Op: op, Arg: arg}, h.cmd); err != nil {
		h.t.Fatal(err)
	}
	r := h.next(h.gui, ipc.TypeReply).m.(*ipc.Reply)
	if r.ID != h.nextID || r.Op != op {
		h.t.Fatalf("reply %+v to command %d %s", r, h.nextID, op)
	}
	return r
}

func TestRunStateAtStartAndCommands(t *testing.T) {
	h := start(t, Config{Gen: 2})
	h.status(ipc.HealthOK, "")
	if m := h.both(ipc.TypeMotion); m.Seq != 1 || m.Gen != 2 {
		t.Errorf("first state: gen %d seq %d", m.Gen, m.Seq)
	}
	r := h.command(ipc.OpInfo, 0)
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
		{ipc.OpSimFault, int64(ipc.SimUnplug), "no simulated light sensor"},
	} {
		if r := h.command(tc.op, tc.arg); r.OK || !strings.Contains(r.Error, tc.want) {
			t.Errorf("%s: %+v; want error with %q", tc.op, r, tc.want)
		}
	}
	if err := h.snd.Send(&ipc.Command{ID: 50, Op: ipc.OpResend}, h.cmd); err != nil {
		t.Fatal(err)
	}
	h.status(ipc.HealthOK, "")
	if m := h.both(ipc.TypeMotion); m.Seq != 2 {
		t.Errorf("resent state seq %d; want 2", m.Seq)
	}
	if r := h.next(h.gui, ipc.TypeReply).m.(*ipc.Reply); !r.OK || r.ID != 50 {
		t.Errorf("resend: %+v", r)
	}
}

func TestRunEdges(t *testing.T) {
	h := startPin(t, Config{}, 0)
	pin := h.pin
	h.status(ipc.HealthOK, "")
	h.state(false, noon, 0)
	pin.EdgesChan <- gpio.High
	h.state(true, noon, 0)
	h.advance(3 * time.Second)
	pin.EdgesChan <- gpio.Low
	h.state(false, noon.Add(3*time.Second), 3*time.Second)
	pin.EdgesChan <- gpio.High
	h.state(true, noon.Add(3*time.Second), 0)
}

func TestRunWarmup(t *testing.T) {
	h := startPin(t, Config{Warmup: time.Minute}, 0)
	pin := h.pin
	h.status(ipc.HealthWarming, "settling")
	h.state(false, noon, 0)
	pin.EdgesChan <- gpio.High // ignored while warming up
	pin.EdgesChan <- gpio.Low
	pin.EdgesChan <- gpio.High
	h.advance(time.Minute)
	h.status(ipc.HealthOK, "")
	h.state(true, noon.Add(time.Minute), 0)
}

func TestRunWarmupCountsFromBoot(t *testing.T) {
	h := start(t, Config{Warmup: time.Minute, Uptime: func() time.Duration { return time.Hour }})
	h.status(ipc.HealthOK, "")
}

func TestRunSkipWarmup(t *testing.T) {
	h := start(t, Config{Warmup: time.Minute})
	h.status(ipc.HealthWarming, "")
	h.both(ipc.TypeMotion)
	if err := h.snd.Send(&ipc.Command{ID: 9, Op: ipc.OpSkipWarmup}, h.cmd); err != nil {
		t.Fatal(err)
	}
	h.status(ipc.HealthOK, "")
	if r := h.next(h.gui, ipc.TypeReply).m.(*ipc.Reply); !r.OK {
		t.Errorf("skip warm-up: %+v", r)
	}
}

func TestRunStuckFault(t *testing.T) {
	h := start(t, Config{StuckAfter: 5 * time.Second})
	h.status(ipc.HealthOK, "")
	h.state(false, noon, 0)
	if r := h.command(ipc.OpSimFault, int64(ipc.SimStuckHigh)); !r.OK {
		t.Fatalf("stuck: %+v", r)
	}
	h.state(true, noon, 0)
	h.advance(5 * time.Second)
	h.status(ipc.HealthOffline, "stuck")
	if r := h.command(ipc.OpSimFault, int64(ipc.SimRelease)); !r.OK {
		t.Fatalf("release: %+v", r)
	}
	h.state(false, noon.Add(5*time.Second), 5*time.Second)
	h.status(ipc.HealthOK, "")
}

func TestRunScheduledStuck(t *testing.T) {
	h := start(t, Config{StuckAfter: 5 * time.Second, Board: board.Config{Faults: "pir-stuck@1s-10s"}})
	h.status(ipc.HealthOK, "")
	h.state(false, noon, 0)
	// Wait for each frame before moving the clock on: the harness cannot
	// tell a busy main loop from an idle one by its timers alone.
	h.advance(time.Second)
	h.state(true, noon.Add(time.Second), 0)
	h.advance(5 * time.Second)
	h.status(ipc.HealthOffline, "stuck")
	h.advance(4 * time.Second)
	h.state(false, noon.Add(10*time.Second), 9*time.Second)
	h.status(ipc.HealthOK, "")
}

func TestRunPinRetry(t *testing.T) {
	h := startPin(t, Config{}, 2)
	h.waiters = 1 // no watcher while offline
	h.status(ipc.HealthOffline, "group gpio")
	h.advance(time.Second)
	h.advance(2 * time.Second)
	h.status(ipc.HealthOK, "")
	h.state(false, noon.Add(3*time.Second), 0)
}
