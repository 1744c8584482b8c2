package gui

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/jonboulle/clockwork"
	"golang.org/x/sys/unix"

	"sensord/board"
	"sensord/ipc"
	"sensord/ipc/ipctest"
)

// startRun runs the GUI on a simulation screen and returns the screen
// and a function that stops Run and returns its error.
func startRun(t *testing.T, cfg Config) (*capScreen, func() error) {
	t.Helper()
	return startRunOn(t, cfg, newCapScreen())
}

// startRunOn is startRun on screen s.
func startRunOn(t *testing.T, cfg Config, s *capScreen) (*capScreen, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- Run(ctx, cfg, s) }()
	select {
	case <-s.inited:
	case err := <-errc:
		t.Fatalf("Run returned before it set up the screen: %v", err)
	}
	stop := func() error {
		cancel()
		select {
		case err := <-errc:
			return err
		case <-time.After(10 * time.Second):
			t.Fatal("Run did not return within 10s of cancel")
			return nil
		}
	}
	t.Cleanup(func() { cancel() })
	return s, stop
}

func expectCommands(t *testing.T, r *ipc.Reader, ops ...ipc.Op) []ipc.Command {
	t.Helper()
	var out []ipc.Command
	for _, op := range ops {
		c := command(t, r)
		if c.Op != op {
			t.Fatalf("command %v, want %v", c.Op, op)
		}
		out = append(out, c)
	}
	return out
}

// TestRun drives the whole GUI through real pipes and a fake daemon:
// the commands at start, frames shown on screen, keys sending commands
// and q stopping the appliance.
func TestRun(t *testing.T) {
	p := newGUIPipes(t)
	d := newFakeDaemon(t, fixtureStatus())
	cfg := p.config(ModeTerminal, d.path)
	clock := clockwork.NewFakeClockAt(t0)
	cfg.Clock = clock
	s, stop := startRun(t, cfg)
	show := s.Text

	expectCommands(t, p.fromMotion, ipc.OpResend, ipc.OpInfo)
	expectCommands(t, p.fromLight, ipc.OpResend, ipc.OpInfo)

	motion, light := ipc.NewSender(1), ipc.NewSender(3)
	wall := func() (int64, int64) { return 1, t0.UnixNano() }
	motion.SetClock(wall)
	light.SetClock(wall)
	p.send(t, motion, p.toMotion, &ipc.SensorStatus{Health: ipc.HealthOK})
	p.send(t, motion, p.toMotion, &ipc.MotionState{Motion: true, Since: t0.Add(-5 * time.Second).UnixNano()})
	p.send(t, light, p.toLight, &ipc.LightSample{Lux: 123.4})
	for range 3 {
		light.Send(&ipc.LightSample{Lux: 1}) // to no pipe: a gap of 3
	}
	p.send(t, light, p.toLight, &ipc.LightSample{Lux: 125})
	p.send(t, light, p.toLight, &ipc.DropReport{Frames: 3, Samples: 3, First: 2, Last: 4})
	p.send(t, light, p.toLight, &ipc.SensorStatus{Health: ipc.HealthOffline, Reason: "bus error"})
	ipctest.Eventually(t, "frames and status on screen", func() bool {
		return contains(show(), "MOTION  for 5.0s", "OFFLINE: bus error", "drop 3 gap 3",
			"logger  1243    backoff", "light-logger  ██░░")
	}, show)

	s.InjectKey(tcell.KeyRune, '-', tcell.ModNone)
	if c := expectCommands(t, p.fromLight, ipc.OpSetInterval)[0]; c.Arg != int64(500*time.Millisecond) {
		t.Errorf("set interval %v, want 500ms", time.Duration(c.Arg))
	}
	s.InjectKey(tcell.KeyRune, 'w', tcell.ModNone)
	expectCommands(t, p.fromMotion, ipc.OpSkipWarmup)
	s.InjectKey(tcell.KeyRune, 'u', tcell.ModNone)
	if c := expectCommands(t, p.fromLight, ipc.OpSimFault)[0]; c.Arg != int64(board.SimReplug) {
		t.Errorf("sim fault %d, want replug: the light sensor is offline", c.Arg)
	}
	p.send(t, light, p.toLight, &ipc.Reply{ID: 7, Op: ipc.OpSimFault, Error: "not a simulated board"})
	ipctest.Eventually(t, "the error reply", func() bool { return contains(show(), "sim-fault failed: not a simulated board") }, show)

	s.InjectKey(tcell.KeyRune, 'q', tcell.ModNone)
	ipctest.Eventually(t, "stop request", func() bool { return d.count("stop") == 1 }, show)
	ipctest.Eventually(t, "stop acknowledged", func() bool { return contains(show(), "stopping the appliance") }, show)

	if n := d.count("subscribe"); n != 1 {
		t.Errorf("%d subscriptions; want 1", n)
	}
	ipctest.Eventually(t, "a poll of the pipes' fill", func() bool {
		clock.Advance(pipesPeriod)
		return d.count("status") >= 1
	}, show)
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
}

// TestRunConsole checks that q on the console stops nothing.
func TestRunConsole(t *testing.T) {
	p := newGUIPipes(t)
	d := newFakeDaemon(t, fixtureStatus())
	cfg := p.config(ModeConsole, d.path)
	cfg.Clock = clockwork.NewFakeClockAt(t0)
	s, stop := startRun(t, cfg)
	show := s.Text
	expectCommands(t, p.fromMotion, ipc.OpResend, ipc.OpInfo)
	s.InjectKey(tcell.KeyRune, 'q', tcell.ModNone)
	ipctest.Eventually(t, "the console message", func() bool { return contains(show(), "q is disabled on the console") }, show)
	s.InjectKey(tcell.KeyRune, 'i', tcell.ModNone)
	ipctest.Eventually(t, "the info message", func() bool { return contains(show(), "asked both sensors") }, show)
	s.InjectKey(tcell.KeyCtrlC, 0, tcell.ModCtrl)
	ipctest.Eventually(t, "the console message again", func() bool { return contains(show(), "q is disabled on the console") }, show)
	expectCommands(t, p.fromMotion, ipc.OpInfo)
	if n := d.count("stop"); n != 0 {
		t.Errorf("q on the console sent %d stop requests", n)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

// TestRunDaemonUnreachable: no control socket, the screen says so.
func TestRunDaemonUnreachable(t *testing.T) {
	p := newGUIPipes(t)
	cfg := p.config(ModeTerminal, filepath.Join(t.TempDir(), "none.sock"))
	s, stop := startRun(t, cfg)
	show := s.Text
	ipctest.Eventually(t, "not reachable", func() bool { return contains(show(), "daemon: not reachable") }, show)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

// TestRunHeadless runs with no screen: it still sends the resends,
// drains its pipes and stops on SIGTERM.
func TestRunHeadless(t *testing.T) {
	p := newGUIPipes(t)
	cfg := p.config(ModeNone, "")
	sigs := make(chan os.Signal, 1)
	cfg.Signals = sigs
	errc := make(chan error, 1)
	go func() { errc <- Run(context.Background(), cfg, nil) }()
	expectCommands(t, p.fromMotion, ipc.OpResend, ipc.OpInfo)
	expectCommands(t, p.fromLight, ipc.OpResend, ipc.OpInfo)
	light := ipc.NewSender(1)
	for range 100 {
		p.send(t, light, p.toLight, &ipc.LightSample{Lux: 1})
	}
	ipctest.Eventually(t, "the light pipe drained", func() bool {
		n, err := unix.IoctlGetInt(p.lightGUI.W, unix.TIOCINQ)
		return err == nil && n == 0
	}, func() string { return "(no screen)" })
	sigs <- syscall.SIGTERM
	select {
	case err := <-errc:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("SIGTERM did not stop Run")
	}
}

// TestRunBlockingPipe: a pipe in blocking mode is refused with a
// message that says what is wrong.
func TestRunBlockingPipe(t *testing.T) {
	p := newGUIPipes(t)
	if err := unix.SetNonblock(p.guiLight.W, false); err != nil {
		t.Fatal(err)
	}
	err := Run(context.Background(), p.config(ModeNone, ""), nil)
	if err == nil || !contains(err.Error(), "--tx-light", "blocking") {
		t.Fatalf("got %v, want a blocking-mode error naming --tx-light", err)
	}
}
