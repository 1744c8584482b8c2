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

	"sensord/control"
	"sensord/ipc"
	"sensord/ipc/ipctest"
)

// fakeDaemon serves the control socket protocol: status, stop, and
// subscribe (the status at once, then the connection held open until
// the test ends), or with noSubscribe an error for it, as an older
// daemon answers.
type fakeDaemon struct {
	path        string
	noSubscribe bool
	closed      chan struct{}
	mu          sync.Mutex
	status      *control.Status
	stops       int
	reqs        []string
}

func newFakeDaemon(t *testing.T, st *control.Status) *fakeDaemon {
	t.Helper()
	dir, err := os.MkdirTemp("", "guitest")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	d := &fakeDaemon{path: filepath.Join(dir, "sensord.sock"), status: st, closed: make(chan struct{})}
	ln, err := net.Listen("unix", d.path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close(); close(d.closed) })
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
	case "subscribe":
		if !d.noSubscribe {
			reply = d.status
			defer func() { <-d.closed }()
		}
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

// guiPipes are the four pipes of the GUI. Run owns and closes the read
// ends of motion-gui and light-gui; the test closes the rest.
type guiPipes struct {
	motionGUI, lightGUI, guiMotion, guiLight ipctest.Pipe
	sender                                   *ipc.Sender
	toMotion, toLight                        *ipc.Writer
	fromMotion, fromLight                    *ipc.Reader
	t                                        *testing.T
}

func newGUIPipes(t *testing.T) *guiPipes {
	p := &guiPipes{motionGUI: ipctest.NewPipe(t, 0), lightGUI: ipctest.NewPipe(t, 0),
		guiMotion: ipctest.NewPipe(t, 0), guiLight: ipctest.NewPipe(t, 0)}
	p.sender, p.t = ipc.NewSender(1), t
	p.toMotion, p.toLight = ipc.NewWriter(p.motionGUI.W), ipc.NewWriter(p.lightGUI.W)
	fm, err := ipc.OpenReader(ipctest.Dup(t, p.guiMotion.R), "gui-motion")
	if err != nil {
		t.Fatal(err)
	}
	fl, err := ipc.OpenReader(ipctest.Dup(t, p.guiLight.R), "gui-light")
	if err != nil {
		t.Fatal(err)
	}
	p.fromMotion, p.fromLight = ipc.NewReader(fm), ipc.NewReader(fl)
	t.Cleanup(func() {
		fm.Close()
		fl.Close()
	})
	return p
}

func (p *guiPipes) config(mode Mode, control string) Config {
	return Config{Gen: 1, RxMotion: ipctest.Dup(p.t, p.motionGUI.R), RxLight: ipctest.Dup(p.t, p.lightGUI.R),
		TxMotion: p.guiMotion.W, TxLight: p.guiLight.W, Mode: mode, Control: control,
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
	// gate, if not nil, holds each Show until it receives: a terminal
	// stopped with XOFF, whose writes block.
	gate chan struct{}
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
	if c.gate != nil {
		<-c.gate
	}
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
