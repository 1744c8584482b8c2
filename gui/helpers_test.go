package gui

import (
	"bufio"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"
	"golang.org/x/sys/unix"

	"sensord/control"
	"sensord/ipc"
)

// fakeDaemon serves the control socket protocol: status, stop.
type fakeDaemon struct {
	path   string
	mu     sync.Mutex
	status *control.Status
	stops  int
	reqs   []string
}

func newFakeDaemon(t *testing.T, st *control.Status) *fakeDaemon {
	t.Helper()
	dir, err := os.MkdirTemp("", "guitest")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	d := &fakeDaemon{path: filepath.Join(dir, "sensord.sock"), status: st}
	ln, err := net.Listen("unix", d.path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go d.serve(c)
		}
	}()
	return d
}

func (d *fakeDaemon) serve(c net.Conn) {
	defer c.Close()
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return
	}
	var req struct{ Cmd string }
	_ = json.Unmarshal([]byte(line), &req)
	d.mu.Lock()
	d.reqs = append(d.reqs, req.Cmd)
	var reply any = map[string]string{"error": "unknown command " + req.Cmd}
	switch req.Cmd {
	case "status":
		reply = d.status
	case "stop":
		d.stops++
		reply = map[string]bool{"ok": true}
	}
	d.mu.Unlock()
	b, _ := json.Marshal(reply)
	c.Write(append(b, '\n'))
}

func (d *fakeDaemon) count(cmd string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := 0
	for _, r := range d.reqs {
		if r == cmd {
			n++
		}
	}
	return n
}

// pipe is one non-blocking pipe as the daemon makes them.
type pipe struct{ r, w int }

func newPipe(t *testing.T) pipe {
	t.Helper()
	var fds [2]int
	if err := unix.Pipe2(fds[:], unix.O_NONBLOCK|unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	return pipe{fds[0], fds[1]}
}

// guiPipes are the four pipes of the GUI. Run owns and closes the read
// ends of motion-gui and light-gui; the test closes the rest.
type guiPipes struct {
	motionGUI, lightGUI, guiMotion, guiLight pipe
	sender                                   *ipc.Sender
	toMotion, toLight                        *ipc.Writer
	fromMotion, fromLight                    *ipc.Reader
}

func newGUIPipes(t *testing.T) *guiPipes {
	p := &guiPipes{motionGUI: newPipe(t), lightGUI: newPipe(t), guiMotion: newPipe(t), guiLight: newPipe(t)}
	p.sender = ipc.NewSender(1)
	p.toMotion, p.toLight = ipc.NewWriter(p.motionGUI.w), ipc.NewWriter(p.lightGUI.w)
	fm, err := ipc.OpenReader(p.guiMotion.r, "gui-motion")
	if err != nil {
		t.Fatal(err)
	}
	fl, err := ipc.OpenReader(p.guiLight.r, "gui-light")
	if err != nil {
		t.Fatal(err)
	}
	p.fromMotion, p.fromLight = ipc.NewReader(fm), ipc.NewReader(fl)
	t.Cleanup(func() {
		fm.Close()
		fl.Close()
		for _, fd := range []int{p.motionGUI.w, p.lightGUI.w, p.guiMotion.w, p.guiLight.w} {
			unix.Close(fd)
		}
	})
	return p
}

func (p *guiPipes) config(mode Mode, control string) Config {
	return Config{Gen: 1, RxMotion: p.motionGUI.r, RxLight: p.lightGUI.r,
		TxMotion: p.guiMotion.w, TxLight: p.guiLight.w, Mode: mode, Control: control,
		Host: "testhost", BoardModel: "test board", Charset: CharsetUTF8,
		ControlPollEnabled: mode != ModeNone}
}

// send writes m to a sensor's pipe towards the GUI, as that sensor.
func (p *guiPipes) send(t *testing.T, s *ipc.Sender, to *ipc.Writer, m ipc.Message) {
	t.Helper()
	if err := s.Send(m, to); err != nil {
		t.Fatal(err)
	}
}

// command reads the next command the GUI wrote to a sensor, with a
// deadline.
func command(t *testing.T, r *ipc.Reader) ipc.Command {
	t.Helper()
	type result struct {
		c   ipc.Command
		err error
	}
	ch := make(chan result, 1)
	go func() {
		fr, err := r.Next()
		if err != nil {
			ch <- result{err: err}
			return
		}
		var c ipc.Command
		if fr.Type != ipc.TypeCommand {
			ch <- result{err: os.ErrInvalid}
			return
		}
		ch <- result{c, c.UnmarshalPayload(fr.Payload)}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			t.Fatalf("reading a command: %v", r.err)
		}
		return r.c
	case <-time.After(10 * time.Second):
		t.Fatal("no command from the GUI within 10s")
	}
	return ipc.Command{}
}

// waitFor polls cond until it holds or 10 s pass.
func waitFor(t *testing.T, what string, cond func() bool, show func() string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; screen:\n%s", what, show())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func contains(text string, words ...string) bool {
	for _, w := range words {
		if !strings.Contains(text, w) {
			return false
		}
	}
	return true
}

// capScreen is a simulation screen that keeps a copy of its text at
// every Show, taken on the goroutine that draws, so a test may read it
// from another goroutine: GetContents hands out the live cells.
type capScreen struct {
	tcell.SimulationScreen
	inited chan struct{} // closed once Init returns
	mu     sync.Mutex
	text   string
	shows  int
}

func newCapScreen() *capScreen {
	return &capScreen{SimulationScreen: tcell.NewSimulationScreen("UTF-8"), inited: make(chan struct{})}
}

// Init initialises the screen and then lets InjectKey in: keys injected
// before Init returns race with it and may be lost.
func (c *capScreen) Init() error {
	defer close(c.inited)
	return c.SimulationScreen.Init()
}

func (c *capScreen) Show() {
	c.SimulationScreen.Show()
	text := simText(c.SimulationScreen)
	c.mu.Lock()
	c.text = text
	c.shows++
	c.mu.Unlock()
}

// Text is the screen as of the last Show.
func (c *capScreen) Text() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.text
}
