package sensortest

import (
	"context"
	"strings"
	"testing"
	"time"

	"sensord/ipc"
	"sensord/ipc/ipctest"
	"sensord/sensor"
)

// Sensor holds the test's side of a sensor role's pipes.
type Sensor struct {
	// Ends are the role's ends, to pass to its Run.
	Ends sensor.Ends
	// GUI and Logger receive the frames sent on those pipes.
	GUI, Logger chan ipctest.Msg

	t      testing.TB
	cmd    *ipc.Writer
	snd    *ipc.Sender
	nextID uint32
}

// NewSensor makes the role's three pipes; they close when the test ends.
func NewSensor(t testing.TB) *Sensor {
	t.Helper()
	rxR, rxW := ipctest.ReadPipe(t, 0)
	guiR, guiW := ipctest.ReadPipe(t, 0)
	logR, logW := ipctest.ReadPipe(t, 0)
	return &Sensor{
		Ends: sensor.Ends{Rx: rxR, GUI: ipc.NewWriter(guiW), Logger: ipc.NewWriter(logW)},
		GUI:  ipctest.Collect(t, guiR), Logger: ipctest.Collect(t, logR),
		t: t, cmd: ipc.NewWriter(rxW), snd: ipc.NewSender(1),
	}
}

// Go runs run(ctx, s.Ends) in a goroutine of its own, the role's Run.
// When the test ends it cancels ctx and waits for run to return nil. A
// run that ends only when a fake clock moves gets nudge, called every
// millisecond while it waits; nudge may be nil.
func (s *Sensor) Go(run func(context.Context, sensor.Ends) error, nudge func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, s.Ends) }()
	s.t.Cleanup(func() {
		cancel()
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		deadline := time.After(ipctest.Wait)
		for {
			select {
			case err := <-done:
				if err != nil {
					s.t.Errorf("Run: %v", err)
				}
				return
			case <-tick.C:
				if nudge != nil {
					nudge()
				}
			case <-deadline:
				s.t.Errorf("Run did not return %s after cancel", ipctest.Wait)
				return
			}
		}
	})
}

// Next returns the next frame on ch, which must be of type want.
func (s *Sensor) Next(ch chan ipctest.Msg, want ipc.Type) ipctest.Msg {
	s.t.Helper()
	select {
	case m := <-ch:
		if m.Type != want {
			s.t.Fatalf("got %s frame %+v; want %s", m.Type, m.M, want)
		}
		return m
	case <-time.After(ipctest.Wait):
		s.t.Fatalf("no %s frame in %s", want, ipctest.Wait)
	}
	return ipctest.Msg{}
}

// Both expects the same frame on the GUI and the logger pipe.
func (s *Sensor) Both(want ipc.Type) ipctest.Msg {
	s.t.Helper()
	g, l := s.Next(s.GUI, want), s.Next(s.Logger, want)
	if g.Seq != l.Seq || g.Wall != l.Wall {
		s.t.Fatalf("GUI and logger frames differ: %+v %+v", g.Header, l.Header)
	}
	return g
}

// Status expects a status frame on both pipes with health want and a
// reason that contains reason.
func (s *Sensor) Status(want ipc.Health, reason string) {
	s.t.Helper()
	st := s.Both(ipc.TypeStatus).M.(*ipc.SensorStatus)
	if st.Health != want || !strings.Contains(st.Reason, reason) {
		s.t.Fatalf("status %s %q; want %s with %q", st.Health, st.Reason, want, reason)
	}
}

// Send writes c to the role's command pipe.
func (s *Sensor) Send(c *ipc.Command) {
	s.t.Helper()
	if err := s.snd.Send(c, s.cmd); err != nil {
		s.t.Fatal(err)
	}
}

// Command sends a command and returns its reply from the GUI pipe.
func (s *Sensor) Command(op ipc.Op, arg int64) *ipc.Reply {
	s.t.Helper()
	s.nextID++
	s.Send(&ipc.Command{ID: s.nextID, Op: op, Arg: arg})
	r := s.Next(s.GUI, ipc.TypeReply).M.(*ipc.Reply)
	if r.ID != s.nextID || r.Op != op {
		s.t.Fatalf("reply %+v to command %d %s", r, s.nextID, op)
	}
	return r
}
