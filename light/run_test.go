package light

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"golang.org/x/sys/unix"

	"sensord/board"
	"sensord/ipc"
)

var noon = time.Date(2026, 6, 21, 12, 0, 0, 0, time.Local)

// msg is one frame as a test sees it.
type msg struct {
	ipc.Header
	m  ipc.Message
	at time.Time // when the collector read it
}

// harness runs Run in-process on real non-blocking pipes and a fake clock.
type harness struct {
	t      *testing.T
	clk    *clockwork.FakeClock
	cmd    *ipc.Writer
	snd    *ipc.Sender
	gui    chan msg
	logger chan msg
	done   chan error
	cancel context.CancelFunc
	nextID uint32
}

// pipe returns a pipe's read end as a pollable file and its write end fd.
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

func start(t *testing.T, cfg Config) *harness {
	t.Helper()
	clk := clockwork.NewFakeClockAt(noon)
	rxR, rxW := pipe(t)
	guiR, guiW := pipe(t)
	logR, logW := pipe(t)
	cfg.Clock = clk
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Board.Kind == "" {
		cfg.Board = board.Config{Kind: "sim", Seed: 1, Faults: cfg.Board.Faults}
	}
	if cfg.Interval == 0 {
		cfg.Interval = time.Second
	}
	if cfg.Address == 0 {
		cfg.Address = AddrLow
	}
	if cfg.Bus == "" {
		cfg.Bus = "1"
	}
	ctx, cancel := context.WithCancel(context.Background())
	h := &harness{t: t, clk: clk, cmd: ipc.NewWriter(rxW), snd: ipc.NewSender(1),
		gui: collect(t, guiR), logger: collect(t, logR), done: make(chan error, 1), cancel: cancel}
	go func() { h.done <- Run(ctx, cfg, Pipes{Rx: rxR, GUI: ipc.NewWriter(guiW), Logger: ipc.NewWriter(logW)}) }()
	t.Cleanup(h.stop)
	return h
}

func (h *harness) stop() {
	h.cancel()
	select {
	case err := <-h.done:
		if err != nil {
			h.t.Errorf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		h.t.Error("Run did not return after cancel")
	}
}

// next returns the next frame on ch; failing after a generous real-time
// deadline is only how a broken test ends, not how it synchronises.
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

// both expects the same frame on the GUI and the logger pipe.
func (h *harness) both(want ipc.Type) msg {
	h.t.Helper()
	g, l := h.next(h.gui, want), h.next(h.logger, want)
	if g.Seq != l.Seq || g.Wall != l.Wall {
		h.t.Fatalf("GUI and logger frames differ: %+v %+v", g.Header, l.Header)
	}
	return g
}

// advance waits until Run waits on its timer, then moves the clock.
func (h *harness) advance(d time.Duration) {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.clk.BlockUntilContext(ctx, 1); err != nil {
		h.t.Fatalf("Run never waited on its timer: %v", err)
	}
	h.clk.Advance(d)
}

// command sends a command and returns the reply from the GUI pipe.
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

func (h *harness) status(want ipc.Health, reason string) {
	h.t.Helper()
	st := h.both(ipc.TypeStatus).m.(*ipc.SensorStatus)
	if st.Health != want || !strings.Contains(st.Reason, reason) {
		h.t.Fatalf("status %s %q; want %s with %q", st.Health, st.Reason, want, reason)
	}
}

func TestRunSamplesOnSchedule(t *testing.T) {
	h := start(t, Config{Gen: 3})
	h.status(ipc.HealthOK, "")
	h.advance(MaxConversion)
	origin := noon.Add(MaxConversion)
	for k := range 5 {
		s := h.both(ipc.TypeLight)
		if s.Seq != uint64(k+1) || s.Gen != 3 {
			t.Errorf("sample %d: gen %d seq %d", k, s.Gen, s.Seq)
		}
		if want := origin.Add(time.Duration(k) * time.Second).UnixNano(); s.Wall != want {
			t.Errorf("sample %d at %v; want %v", k, time.Unix(0, s.Wall), time.Unix(0, want))
		}
		if lux := s.m.(*ipc.LightSample).Lux; lux < 300 || lux > 1000 {
			t.Errorf("sample %d: %v lx at noon", k, lux)
		}
		h.advance(time.Second)
	}
	// A late wake-up skips the missed samples instead of sending a burst.
	h.both(ipc.TypeLight)
	h.advance(3500 * time.Millisecond)
	if s := h.both(ipc.TypeLight); s.Seq != 7 {
		t.Errorf("after a late wake-up seq %d; want 7", s.Seq)
	}
	h.advance(500 * time.Millisecond)
	if s := h.both(ipc.TypeLight); s.Wall != origin.Add(9*time.Second).UnixNano() {
		t.Errorf("schedule drifted after a late wake-up: %v", time.Unix(0, s.Wall).Sub(origin))
	}
}

func TestRunCommands(t *testing.T) {
	h := start(t, Config{})
	h.status(ipc.HealthOK, "")
	r := h.command(ipc.OpInfo, 0)
	if !r.OK || r.Model != "BH1750" || r.Where != "sim i2c-1 0x23" || r.Interval != time.Second ||
		r.Driver == "" || r.Version == "" {
		t.Errorf("info reply %+v", r)
	}
	for _, tc := range []struct {
		op   ipc.Op
		arg  int64
		want string
	}{
		{ipc.OpSetInterval, int64(500 * time.Microsecond), "below"},
		{ipc.OpSetInterval, int64(2 * time.Hour), "longer"},
		{ipc.OpSkipWarmup, 0, "not supported"},
		{ipc.Op(99), 0, "not supported"},
		{ipc.OpSimFault, int64(ipc.SimStuckHigh), "no simulated PIR"},
		{ipc.OpSimFault, 77, "unknown simulation fault"},
	} {
		if r := h.command(tc.op, tc.arg); r.OK || !strings.Contains(r.Error, tc.want) {
			t.Errorf("%s %d: reply %+v; want an error with %q", tc.op, tc.arg, r, tc.want)
		}
	}
	if r := h.command(ipc.OpSetInterval, int64(10*time.Millisecond)); !r.OK || r.Interval != 10*time.Millisecond {
		t.Errorf("set interval 10ms: %+v", r)
	}
	h.advance(10 * time.Millisecond)
	h.both(ipc.TypeLight)
	if err := h.snd.Send(&ipc.Command{ID: 100, Op: ipc.OpResend}, h.cmd); err != nil {
		t.Fatal(err)
	}
	h.status(ipc.HealthOK, "") // the status resent goes to both pipes
	if r := h.next(h.gui, ipc.TypeReply).m.(*ipc.Reply); !r.OK || r.ID != 100 {
		t.Errorf("resend: %+v", r)
	}
	select {
	case m := <-h.logger:
		t.Errorf("the logger got a %s frame; replies go to the GUI only", m.Type)
	default:
	}
}

func TestRunUnplugReplug(t *testing.T) {
	h := start(t, Config{})
	h.status(ipc.HealthOK, "")
	h.advance(MaxConversion)
	h.both(ipc.TypeLight)
	if r := h.command(ipc.OpSimFault, int64(ipc.SimUnplug)); !r.OK {
		t.Fatalf("unplug: %+v", r)
	}
	h.advance(time.Second)
	h.status(ipc.HealthOffline, "read: sim-i2c: no acknowledge")
	h.advance(time.Second)
	h.status(ipc.HealthOffline, "instruction 0x01: sim-i2c: no acknowledge")
	// Retries back off 2 s, 4 s without repeating the status.
	for _, d := range []time.Duration{2 * time.Second, 4 * time.Second} {
		h.advance(d)
	}
	if r := h.command(ipc.OpSimFault, int64(ipc.SimReplug)); !r.OK {
		t.Fatalf("replug: %+v", r)
	}
	h.advance(7 * time.Second) // not yet: the next retry is 8 s after the last
	h.advance(time.Second)
	h.status(ipc.HealthOK, "")
	h.advance(MaxConversion)
	if s := h.both(ipc.TypeLight); s.Seq != 2 || s.m.(*ipc.LightSample).Lux == 0 {
		t.Errorf("first sample after replug: seq %d %+v", s.Seq, s.m)
	}
}

func TestRunScheduledFaults(t *testing.T) {
	h := start(t, Config{Board: board.Config{Faults: "light-unplug@3s-4s"}})
	h.status(ipc.HealthOK, "")
	h.advance(MaxConversion)
	for range 3 {
		h.both(ipc.TypeLight)
		h.advance(time.Second)
	}
	h.status(ipc.HealthOffline, "no acknowledge")
	h.advance(time.Second)
	h.status(ipc.HealthOK, "")
	h.advance(MaxConversion)
	h.both(ipc.TypeLight)
}

func TestRunBusErrorsAreRetried(t *testing.T) {
	h := start(t, Config{Board: board.Config{Faults: "i2c-errors=0.1"}})
	h.status(ipc.HealthOK, "")
	h.advance(MaxConversion)
	for k := range 50 {
		if s := h.both(ipc.TypeLight); s.Seq != uint64(k+1) {
			t.Fatalf("seq %d; want %d", s.Seq, k+1)
		}
		h.advance(time.Second)
	}
}

func TestRunRefusesFastIntervalOnPi(t *testing.T) {
	err := Run(context.Background(), Config{Board: board.Config{Kind: "pi"}, Bus: "1",
		Address: AddrLow, Interval: 100 * time.Millisecond}, Pipes{})
	if err == nil || !strings.Contains(err.Error(), "conversion time") {
		t.Errorf("Run with 100ms on a Pi: %v", err)
	}
}

func TestMainFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--address", "0x40"},
		{"--rx", "-1", "--tx-gui", "-1", "--tx-logger", "-1"},
	} {
		if err := Main(context.Background(), args); err == nil || !strings.HasPrefix(err.Error(), "light: ") {
			t.Errorf("Main(%q) = %v; want a light: error", args, err)
		}
	}
}
