package gui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/jonboulle/clockwork"

	"sensord/control"
	"sensord/ipc"
	"sensord/sdnotify"
	"sensord/wake"
)

// Config is what Run needs: the pipe descriptors, the mode and where
// the daemon listens.
type Config struct {
	Gen                uint32
	RxMotion, RxLight  int // read ends: motion-gui, light-gui
	TxMotion, TxLight  int // write ends: gui-motion, gui-light
	Mode               Mode
	Control            string // control socket path
	BoardModel, Host   string
	Charset            Charset
	Clock              clockwork.Clock // nil: the real clock
	Signals            <-chan os.Signal
	ControlPollEnabled bool // follow the daemon's status (off with no screen)
}

// Run runs the dashboard until ctx ends. screen is nil in mode none;
// otherwise Run initialises it and finalises it on every way out, so
// the terminal is given back as it was found.
func Run(ctx context.Context, cfg Config, screen tcell.Screen) error {
	if cfg.Clock == nil {
		cfg.Clock = clockwork.NewRealClock()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	l := &loop{cfg: cfg, screen: screen, control: control.Client{Path: cfg.Control}, ctx: ctx}
	if err := l.openPipes(); err != nil {
		return err
	}
	defer l.closePipes()
	if screen != nil {
		if err := screen.Init(); err != nil {
			return fmt.Errorf("gui: terminal: %w; check TERM and that fd 0/1 are a terminal", err)
		}
		defer screen.Fini()
		screen.HideCursor()
		l.events = make(chan tcell.Event, 16)
		quit := make(chan struct{})
		defer close(quit)
		go screen.ChannelEvents(l.events, quit)
	}
	return l.run()
}

// loop is the one goroutine that owns the model, the screen and the
// command writers. Everything else reaches it through channels.
type loop struct {
	cfg     Config
	ctx     context.Context
	screen  tcell.Screen
	control control.Client
	model   Model
	events  chan tcell.Event
	frames  chan Msg // from the two pipe readers
	status  chan Msg // from the status poller
	results chan Msg // from effects carried out on other goroutines
	readers [nSrc]*os.File
	sender  *ipc.Sender
	writers [nSrc]*ipc.Writer
	drawer  *drawer // nil without a screen
	resync  bool    // the next draw repaints the whole terminal
}

func (l *loop) openPipes() error {
	for _, p := range []struct {
		fd   int
		name string
		src  Src
	}{{l.cfg.RxMotion, "motion-gui", SrcMotion}, {l.cfg.RxLight, "light-gui", SrcLight}} {
		f, err := ipc.OpenReader(p.fd, p.name)
		if err != nil {
			l.closePipes()
			return fmt.Errorf("gui: --rx-%s: %w", p.src, err)
		}
		l.readers[p.src] = f
	}
	for _, p := range []struct {
		fd  int
		src Src
	}{{l.cfg.TxMotion, SrcMotion}, {l.cfg.TxLight, SrcLight}} {
		if err := ipc.CheckWriteEnd(p.fd, "gui-"+p.src.String()); err != nil {
			l.closePipes()
			return fmt.Errorf("gui: --tx-%s: %w", p.src, err)
		}
		l.writers[p.src] = ipc.NewWriter(p.fd)
	}
	l.sender = ipc.NewSender(l.cfg.Gen)
	return nil
}

// closePipes closes the read ends, which also ends the readers' Read.
// The write ends are raw descriptors the GUI never closes: the process
// exits right after.
func (l *loop) closePipes() {
	for _, f := range l.readers {
		if f != nil {
			f.Close()
		}
	}
}

func (l *loop) run() error {
	clock := l.cfg.Clock
	l.frames = make(chan Msg, 256)
	l.status = make(chan Msg, 1)
	l.results = make(chan Msg, 4)
	for src, f := range l.readers {
		go readPipe(l.ctx, Src(src), f, l.frames)
	}
	if l.cfg.ControlPollEnabled {
		go followStatus(l.ctx, clock, l.control, l.status)
		go pollPipes(l.ctx, clock, l.control, l.status)
	}
	if l.screen != nil {
		l.drawer = startDrawer(l.screen)
		defer l.drawer.stop()
	} else {
		notifyReady() // nothing to draw: ready as the loop starts
	}
	// One timer for the clock's redraw (only with a screen, on the
	// second) and the watchdog's ping; neither: no wake-up at all.
	wd := sdnotify.NewWatchdog(clock.Now())
	var redrawAt time.Time
	if l.screen != nil {
		redrawAt = nextSecond(clock.Now())
	}
	timer := wake.New(clock)
	defer timer.Stop()
	l.model = NewModel(l.cfg.Mode, l.cfg.Charset, l.cfg.Host, l.cfg.BoardModel, clock.Now())
	l.handle(StartMsg{})
	l.draw()
	for {
		due := timer.At(wd.Ping(clock.Now(), redrawAt))
		var msg Msg
		select {
		case <-l.ctx.Done():
			return nil
		case sig := <-l.cfg.Signals:
			if !l.onSignal(sig) {
				return nil
			}
			continue
		case ev, ok := <-l.events:
			if !ok {
				return errors.New("gui: terminal input closed")
			}
			if msg = l.onEvent(ev); msg == nil {
				continue
			}
		case msg = <-l.frames:
		case msg = <-l.status:
		case msg = <-l.results:
		case <-due:
			now := clock.Now()
			if redrawAt.IsZero() || now.Before(redrawAt) {
				continue // a watchdog ping only
			}
			redrawAt = nextSecond(now)
			msg = TickMsg{}
		}
		l.handle(msg)
		l.drainFrames()
		l.draw()
	}
}

// nextSecond is the start of the second after now: the clock on screen
// changes then.
func nextSecond(now time.Time) time.Time { return now.Truncate(time.Second).Add(time.Second) }

// drainFrames handles frames already waiting before drawing, so a
// backlog (after SIGSTOP, say) costs one redraw per batch, not per frame.
func (l *loop) drainFrames() {
	for range cap(l.frames) {
		select {
		case msg := <-l.frames:
			l.handle(msg)
		default:
			return
		}
	}
}

// handle runs msg through Update, carries out the effects and feeds
// their results back in.
func (l *loop) handle(msg Msg) {
	queue := []Msg{msg}
	for len(queue) > 0 {
		var effects []Effect
		l.model, effects = Update(l.model, l.cfg.Clock.Now(), queue[0])
		queue = queue[1:]
		for _, e := range effects {
			if r := l.do(e); r != nil {
				queue = append(queue, r)
			}
		}
	}
}

// do carries out one effect. Writes to pipes never block; the stop
// request goes to the daemon on its own goroutine.
func (l *loop) do(e Effect) Msg {
	switch e := e.(type) {
	case SendEffect:
		cmd := e.Cmd
		err := l.sender.Send(&cmd, l.writers[e.To])
		return SentMsg{To: e.To, Cmd: e.Cmd, Err: err}
	case StopEffect:
		go func() {
			err := l.control.Stop(l.ctx)
			select {
			case l.results <- StopDoneMsg{Err: err}:
			case <-l.ctx.Done():
			}
		}()
	case ResyncEffect:
		l.resync = true
	}
	return nil
}

// draw hands the model to the drawer; it never waits for the terminal.
func (l *loop) draw() {
	if l.drawer == nil {
		return
	}
	l.drawer.draw(l.model, l.resync)
	l.resync = false
}

// onEvent turns a terminal event into a message; resizes repaint.
func (l *loop) onEvent(ev tcell.Event) Msg {
	switch ev := ev.(type) {
	case *tcell.EventKey:
		return KeyMsg{Key: ev.Key(), Rune: ev.Rune()}
	case *tcell.EventResize:
		l.resync = true
		return TickMsg{}
	}
	return nil
}

// readPipe reads frames from one sensor's pipe and sends them, decoded,
// to out until the file is closed or ctx ends.
func readPipe(ctx context.Context, src Src, f *os.File, out chan<- Msg) {
	r := ipc.NewReader(f)
	var gaps []ipc.Gap
	r.OnGap = func(g ipc.Gap) { gaps = append(gaps, g) }
	for {
		fr, err := r.Next()
		var msg Msg
		switch {
		case err != nil:
			if ctx.Err() != nil || errors.Is(err, os.ErrClosed) {
				return
			}
			msg = ReadErrMsg{Src: src, Err: err}
		default:
			m, derr := ipc.Decode(fr)
			if derr != nil {
				continue
			}
			msg = FrameMsg{Src: src, Header: fr.Header, Msg: m, Stats: r.Stats, Gaps: gaps}
			gaps = nil
		}
		select {
		case out <- msg:
		case <-ctx.Done():
			return
		}
		if err != nil {
			return
		}
	}
}

// onSignal handles a signal from Config.Signals and reports whether to
// go on. SIGCONT repaints: whoever stopped the GUI may have drawn over
// the screen meanwhile. Every other signal there means stop.
func (l *loop) onSignal(sig os.Signal) bool {
	if sig == sigCont {
		l.resync = true
		l.handle(TickMsg{})
		l.draw()
		return true
	}
	return false
}
