package ipctest

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"sensord/ipc"
)

// Wait is how long a test waits for a frame. Failing after it is how a
// broken test ends, not how a test synchronises.
const Wait = 10 * time.Second

// Msg is one decoded frame.
type Msg struct {
	ipc.Header
	M  ipc.Message
	At time.Time // when the collector read it
}

// Sensor holds the test's side of a sensor role's pipes.
type Sensor struct {
	// Ends are the role's ends, to pass to its Run.
	Ends ipc.SensorEnds
	// GUI and Logger receive the frames sent on those pipes.
	GUI, Logger chan Msg

	t      testing.TB
	cmd    *ipc.Writer
	snd    *ipc.Sender
	nextID uint32
}

// NewSensor makes the role's three pipes; they close when the test ends.
func NewSensor(t testing.TB) *Sensor {
	t.Helper()
	rxR, rxW := Pipe(t)
	guiR, guiW := Pipe(t)
	logR, logW := Pipe(t)
	return &Sensor{
		Ends: ipc.SensorEnds{Rx: rxR, GUI: ipc.NewWriter(guiW), Logger: ipc.NewWriter(logW)},
		GUI:  Collect(t, guiR), Logger: Collect(t, logR),
		t: t, cmd: ipc.NewWriter(rxW), snd: ipc.NewSender(1),
	}
}

// Go runs run(ctx, s.Ends) in a goroutine of its own, the role's Run.
// When the test ends it cancels ctx and waits for run to return nil. A
// run that ends only when a fake clock moves gets nudge, called every
// millisecond while it waits; nudge may be nil.
func (s *Sensor) Go(run func(context.Context, ipc.SensorEnds) error, nudge func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, s.Ends) }()
	s.t.Cleanup(func() {
		cancel()
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		deadline := time.After(Wait)
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
				s.t.Errorf("Run did not return %s after cancel", Wait)
				return
			}
		}
	})
}

// Pipe returns a non-blocking pipe's read end as a pollable file and its
// write end's descriptor.
func Pipe(t testing.TB) (*os.File, int) {
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

// Collect decodes the frames read from f into the returned channel until
// f is closed. A frame that does not decode fails the test.
func Collect(t testing.TB, f *os.File) chan Msg {
	ch := make(chan Msg, 1000)
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
			ch <- Msg{fr.Header, m, time.Now()}
		}
	}()
	return ch
}

// Next returns the next frame on ch, which must be of type want.
func (s *Sensor) Next(ch chan Msg, want ipc.Type) Msg {
	s.t.Helper()
	select {
	case m := <-ch:
		if m.Type != want {
			s.t.Fatalf("got %s frame %+v; want %s", m.Type, m.M, want)
		}
		return m
	case <-time.After(Wait):
		s.t.Fatalf("no %s frame in %s", want, Wait)
	}
	return Msg{}
}

// Both expects the same frame on the GUI and the logger pipe.
func (s *Sensor) Both(want ipc.Type) Msg {
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
