package light

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"strings"
	"testing"
	"time"

	"sensord/board"
	"sensord/ipc"
	"sensord/light/bh1750"
	"sensord/sensor"
	"sensord/sensor/sensortest"
	"sensord/version"

	"periph.io/x/conn/v3/i2c"
	"periph.io/x/conn/v3/i2c/i2ctest"
)

var noon = time.Date(2026, 6, 21, 12, 0, 0, 0, time.Local)

// harness runs Run in-process on real non-blocking pipes and a fake clock.
type harness struct {
	*sensortest.Sensor
	t   *testing.T
	clk *sensortest.Clock
}

// start runs Run on the simulated board (with faults, if not "") with
// real pipes and a fake clock at noon.
func start(t *testing.T, cfg Config, faults string) *harness {
	t.Helper()
	clk := sensortest.NewClock(t, noon, 1) // Run's timer
	if cfg.Address == 0 {
		cfg.Address = bh1750.AddrLow
	}
	b, err := board.Open(board.Config{Kind: "sim", Seed: 1, Faults: faults, Clock: clk, LightAddr: cfg.Address})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	cfg.Board = b
	return startOn(t, cfg, clk)
}

// startOn runs Run on cfg.Board with a fake clock.
func startOn(t *testing.T, cfg Config, clk *sensortest.Clock) *harness {
	t.Helper()
	cfg.Clock, cfg.Stamps = clk, sensor.StampsFrom(clk.Now)
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Interval == 0 {
		cfg.Interval = time.Second
	}
	if cfg.Address == 0 {
		cfg.Address = bh1750.AddrLow
	}
	if cfg.Bus == "" {
		cfg.Bus = "1"
	}
	h := &harness{Sensor: sensortest.NewSensor(t), t: t, clk: clk}
	h.Go(func(ctx context.Context, ends Pipes) error { return Run(ctx, cfg, ends) }, nil)
	return h
}

// advance waits until Run waits on its timer, then moves the clock.
func (h *harness) advance(d time.Duration) {
	h.t.Helper()
	h.clk.Step(d)
}

func TestRunSamplesOnSchedule(t *testing.T) {
	h := start(t, Config{Settings: sensor.Settings{Gen: 3}}, "")
	h.Status(ipc.HealthOK, "")
	h.advance(bh1750.MaxConversion)
	origin := noon.Add(bh1750.MaxConversion)
	for k := range 5 {
		s := h.Both(ipc.TypeLight)
		if s.Seq != uint64(k+1) || s.Gen != 3 {
			t.Errorf("sample %d: gen %d seq %d", k, s.Gen, s.Seq)
		}
		if want := origin.Add(time.Duration(k) * time.Second).UnixNano(); s.Wall != want {
			t.Errorf("sample %d at %v; want %v", k, time.Unix(0, s.Wall), time.Unix(0, want))
		}
		if lux := s.M.(*ipc.LightSample).Lux; lux < 300 || lux > 1000 {
			t.Errorf("sample %d: %v lx at noon", k, lux)
		}
		h.advance(time.Second)
	}
	// A late wake-up skips the missed samples instead of sending a burst.
	h.Both(ipc.TypeLight)
	h.advance(3500 * time.Millisecond)
	if s := h.Both(ipc.TypeLight); s.Seq != 7 {
		t.Errorf("after a late wake-up seq %d; want 7", s.Seq)
	}
	h.advance(500 * time.Millisecond)
	if s := h.Both(ipc.TypeLight); s.Wall != origin.Add(9*time.Second).UnixNano() {
		t.Errorf("schedule drifted after a late wake-up: %v", time.Unix(0, s.Wall).Sub(origin))
	}
}

func TestRunCommands(t *testing.T) {
	h := start(t, Config{}, "")
	h.Status(ipc.HealthOK, "")
	r := h.Command(ipc.OpInfo, 0)
	if !r.OK || r.Model != "BH1750" || r.Where != "sim i2c-1 0x23" || r.Interval != time.Second ||
		r.Driver == "" || r.Version != version.String() { // one version, as `sensord version` prints
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
		{ipc.OpSimFault, int64(board.SimStuckHigh), "no simulated PIR"},
		{ipc.OpSimFault, 77, "unknown simulation fault"},
	} {
		if r := h.Command(tc.op, tc.arg); r.OK || !strings.Contains(r.Error, tc.want) {
			t.Errorf("%s %d: reply %+v; want an error with %q", tc.op, tc.arg, r, tc.want)
		}
	}
	if r := h.Command(ipc.OpSetInterval, int64(10*time.Millisecond)); !r.OK || r.Interval != 10*time.Millisecond {
		t.Errorf("set interval 10ms: %+v", r)
	}
	h.advance(10 * time.Millisecond)
	h.Both(ipc.TypeLight)
	h.Send(&ipc.Command{ID: 100, Op: ipc.OpResend})
	h.Status(ipc.HealthOK, "") // the status resent goes to both pipes
	if r := h.Next(h.GUI, ipc.TypeReply).M.(*ipc.Reply); !r.OK || r.ID != 100 {
		t.Errorf("resend: %+v", r)
	}
	select {
	case m := <-h.Logger:
		t.Errorf("the logger got a %s frame; replies go to the GUI only", m.Type)
	default:
	}
}

func TestRunUnplugReplug(t *testing.T) {
	h := start(t, Config{}, "")
	h.Status(ipc.HealthOK, "")
	h.advance(bh1750.MaxConversion)
	h.Both(ipc.TypeLight)
	if r := h.Command(ipc.OpSimFault, int64(board.SimUnplug)); !r.OK {
		t.Fatalf("unplug: %+v", r)
	}
	h.advance(time.Second)
	h.Status(ipc.HealthOffline, "read: sim-i2c: no acknowledge")
	h.advance(time.Second)
	h.Status(ipc.HealthOffline, "instruction 0x01: sim-i2c: no acknowledge")
	// Retries back off 2 s, 4 s without repeating the status.
	for _, d := range []time.Duration{2 * time.Second, 4 * time.Second} {
		h.advance(d)
	}
	if r := h.Command(ipc.OpSimFault, int64(board.SimReplug)); !r.OK {
		t.Fatalf("replug: %+v", r)
	}
	h.advance(7 * time.Second) // not yet: the next retry is 8 s after the last
	h.advance(time.Second)
	h.Status(ipc.HealthOK, "")
	h.advance(bh1750.MaxConversion)
	if s := h.Both(ipc.TypeLight); s.Seq != 2 || s.M.(*ipc.LightSample).Lux == 0 {
		t.Errorf("first sample after replug: seq %d %+v", s.Seq, s.M)
	}
}

func TestRunScheduledFaults(t *testing.T) {
	h := start(t, Config{}, "light-unplug@3s-4s")
	h.Status(ipc.HealthOK, "")
	h.advance(bh1750.MaxConversion)
	for range 3 {
		h.Both(ipc.TypeLight)
		h.advance(time.Second)
	}
	h.Status(ipc.HealthOffline, "no acknowledge")
	h.advance(time.Second)
	h.Status(ipc.HealthOK, "")
	h.advance(bh1750.MaxConversion)
	h.Both(ipc.TypeLight)
}

func TestRunBusErrorsAreRetried(t *testing.T) {
	h := start(t, Config{}, "i2c-errors=0.1")
	h.Status(ipc.HealthOK, "")
	h.advance(bh1750.MaxConversion)
	for k := range 50 {
		if s := h.Both(ipc.TypeLight); s.Seq != uint64(k+1) {
			t.Fatalf("seq %d; want %d", s.Seq, k+1)
		}
		h.advance(time.Second)
	}
}

func TestRunRefusesFastIntervalOnPi(t *testing.T) {
	b, err := board.Open(board.Config{Kind: "pi"})
	if err != nil {
		t.Fatal(err)
	}
	err = Run(context.Background(), Config{Board: b, Bus: "1",
		Address: bh1750.AddrLow, Interval: 100 * time.Millisecond}, Pipes{})
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

// testBoard is a Board with one I2C bus of the test's: the seam through
// which a test hands the role an i2ctest bus.
type testBoard struct{ bus i2c.Bus }

func (testBoard) Kind() string                          { return "test" }
func (testBoard) Seed() int64                           { return 0 }
func (testBoard) Simulated() bool                       { return false }
func (testBoard) Fault(board.SimFault) error            { return board.ErrNotSimulated }
func (b testBoard) I2C(string) (i2c.Bus, string, error) { return b.bus, "test i2c-1", nil }

// TestRunOnI2CPlayback: the role drives a bus it is handed exactly as
// the datasheet says (power on, reset, continuous H, read) and sends
// the lux the chip's counts mean, with no board of its own.
func TestRunOnI2CPlayback(t *testing.T) {
	w := func(b byte) i2ctest.IO { return i2ctest.IO{Addr: 0x23, W: []byte{b}} }
	bus := &i2ctest.Playback{Ops: []i2ctest.IO{w(0x01), w(0x07), w(0x10),
		{Addr: 0x23, R: []byte{0x01, 0x90}}, w(0x00)}, DontPanic: true}
	h := startOn(t, Config{Board: testBoard{bus}}, sensortest.NewClock(t, noon, 1))
	h.Status(ipc.HealthOK, "")
	h.advance(bh1750.MaxConversion)
	if lux := h.Both(ipc.TypeLight).M.(*ipc.LightSample).Lux; math.Abs(lux-400/1.2) > 1e-9 {
		t.Errorf("lux %v; want %v", lux, 400/1.2)
	}
	if r := h.Command(ipc.OpSimFault, int64(board.SimUnplug)); r.OK || !strings.Contains(r.Error, "simulated board") {
		t.Errorf("sim-fault on a real bus: %+v", r)
	}
}

// absentBusBoard is a board whose bus is missing for the first opens,
// as /dev/i2c-1 is before i2c-dev is loaded.
type absentBusBoard struct {
	testBoard
	absent int
}

func (b *absentBusBoard) I2C(name string) (i2c.Bus, string, error) {
	if b.absent > 0 {
		b.absent--
		return nil, "", errors.New("board: /dev/i2c-1 does not exist")
	}
	return b.testBoard.I2C(name)
}

// confineCounter is a Settings.Confine that counts its calls.
func confineCounter() (func() error, chan struct{}) {
	calls := make(chan struct{}, 10)
	return func() error { calls <- struct{}{}; return nil }, calls
}

// TestRunConfinesOnceTheBusOpens: the role enters its sandbox when the
// bus first opens, not before (a device node that appears later is a
// new inode the sandbox would refuse), and only once (README.md,
// "Security: file system").
func TestRunConfinesOnceTheBusOpens(t *testing.T) {
	confine, calls := confineCounter()
	bus := &i2ctest.Playback{DontPanic: true} // the chip does not answer: offline again
	h := startOn(t, Config{Board: &absentBusBoard{testBoard{bus}, 1}, Settings: sensor.Settings{Confine: confine}},
		sensortest.NewClock(t, noon, 1))
	h.Status(ipc.HealthOffline, "does not exist")
	if n := len(calls); n != 0 {
		t.Fatalf("confined %d times before the bus opened", n)
	}
	h.advance(BackoffMin)
	h.Status(ipc.HealthOffline, "")
	h.advance(2 * BackoffMin)
	h.Command(ipc.OpInfo, 0) // the loop has been round again
	if n := len(calls); n != 1 {
		t.Errorf("confined %d times once the bus opened; want 1", n)
	}
}
