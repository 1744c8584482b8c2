package gui

import (
	"github.com/gdamore/tcell/v2"

	"sensord/sdnotify"
)

// drawer owns the screen's output: it draws the latest model the loop
// handed it, on a goroutine of its own, because a write to a stopped
// terminal (XOFF, Ctrl-S) blocks, and the loop must go on pinging its
// watchdog, reading the pipes and handling keys meanwhile (doc.go,
// "Terminal handling"). Models handed over while it is busy replace
// each other: only the latest is drawn.
type drawer struct {
	screen tcell.Screen
	next   chan drawing // holds at most the latest frame
	done   chan struct{}
}

// drawing is one model to draw, and whether to repaint the whole
// terminal first.
type drawing struct {
	model  Model
	resync bool
}

func startDrawer(screen tcell.Screen) *drawer {
	d := &drawer{screen: screen, next: make(chan drawing, 1), done: make(chan struct{})}
	go d.run()
	return d
}

// draw queues m, replacing a frame not yet drawn. Only the loop calls
// it, so the send never blocks.
func (d *drawer) draw(m Model, resync bool) {
	select {
	case old := <-d.next:
		resync = resync || old.resync
	default:
	}
	d.next <- drawing{m, resync}
}

// stop ends the drawer after the frame it is drawing and waits for it,
// so that Run's screen.Fini comes after the last Show. On a terminal
// that stays stopped that wait lasts until the daemon's SIGKILL, which
// is what a write to it would do anyway.
func (d *drawer) stop() {
	close(d.next)
	<-d.done
}

func (d *drawer) run() {
	defer close(d.done)
	first := true
	for f := range d.next {
		if f.resync {
			d.screen.Sync()
		}
		Draw(d.screen, f.model)
		d.screen.Show()
		if first {
			first = false
			notifyReady() // the first screen is on the terminal
		}
	}
}

// notifyReady tells the daemon the GUI is ready (sd_notify READY=1; a
// no-op without $NOTIFY_SOCKET). An error is not logged: the GUI's
// stderr may be the terminal it draws on; the daemon sees it not ready.
func notifyReady() { _ = sdnotify.Notify("READY=1") }
