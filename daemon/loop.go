package daemon

import (
	"context"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// events is everything that wakes the loop. Signal handlers only send on
// channels (Go's signal package is a self-pipe); all work is done here.
type events struct {
	sigchld chan os.Signal
	sigs    chan os.Signal
	ctl     chan request
	reload  func() // SIGHUP
	notify  notifier
}

// loop is the daemon's only wait point. It wakes on SIGCHLD, on every
// poll tick, on the next backoff or kill deadline, on a signal or on a
// control request; then it reaps, starts what is due and moves shutdown
// along. It returns when every child has stopped after a stop request.
func (s *supervisor) loop(ctx context.Context, ev events) {
	// Pdeathsig fires when the thread that forked a child exits: keep
	// every fork on this one thread for the daemon's life.
	runtime.LockOSThread()
	poll := s.cfg.Supervisor.Poll.D()
	tick := s.clock.NewTicker(poll)
	defer tick.Stop()
	timer := s.clock.NewTimer(time.Hour)
	defer timer.Stop()
	dog, watched := ev.notify.watchdogInterval()
	lastDog := s.clock.Now()
	done := ctx.Done()
	s.startAll(ev.notify)
	for !s.finished() {
		select {
		case <-ev.sigchld:
		case <-tick.Chan():
		case <-timer.Chan():
		case sig := <-ev.sigs:
			s.onSignal(sig.(syscall.Signal), ev)
		case req := <-ev.ctl:
			req.reply <- s.handle(req, ev.notify)
		case <-done:
			done = nil
			s.beginStop(ev.notify)
		}
		s.reapAll()
		s.advance(ev.notify)
		timer.Reset(s.untilNext())
		if p := s.cfg.Supervisor.Poll.D(); p != poll { // changed by a reload
			poll = p
			tick.Reset(poll)
		}
		if now := s.clock.Now(); watched && now.Sub(lastDog) >= dog {
			ev.notify.send("WATCHDOG=1")
			lastDog = now
		}
	}
}

func (s *supervisor) startAll(n notifier) {
	for _, name := range s.names {
		s.start(s.children[name])
	}
	s.ready = true
	n.send("READY=1\nSTATUS=" + s.summary())
	s.log.Info("all children started", "children", len(s.names))
}

func (s *supervisor) onSignal(sig syscall.Signal, ev events) {
	switch sig {
	case syscall.SIGHUP:
		ev.reload()
	case syscall.SIGTERM, syscall.SIGINT:
		s.log.Info("stop requested", "signal", unix.SignalName(sig))
		s.beginStop(ev.notify)
	}
}

// reapAll collects every child process that has exited.
func (s *supervisor) reapAll() {
	for _, name := range s.names {
		c := s.children[name]
		if c.pid <= 0 {
			continue
		}
		if ws, ru, ok := reap(c.pid); ok {
			s.exited(c, ws, ru)
		}
	}
}

// advance starts children whose backoff is over, kills those that
// outstayed their grace period, and moves shutdown to its next phase.
func (s *supervisor) advance(n notifier) {
	now := s.clock.Now()
	for _, name := range s.names {
		c := s.children[name]
		switch {
		case c.state == stateBackoff && c.wanted && !now.Before(c.next):
			s.start(c)
		case c.state == stateStopping && !now.Before(c.killAt):
			s.log.Warn("child did not stop in time; killing it", "child", c.name, "pid", c.pid,
				"grace", s.cfg.Supervisor.Grace.D())
			s.signal(c, syscall.SIGKILL)
			c.killAt = now.Add(time.Hour)
		}
	}
	for s.stopping >= 0 && s.stopping < len(stopOrder) && s.phaseDone() {
		if slices.Contains(stopOrder[s.stopping], "logger") {
			s.checkDrained()
		}
		s.stopping++
		if s.stopping < len(stopOrder) {
			s.stopPhase(n)
		}
	}
}

// checkDrained runs once the logger has stopped for good: frames still
// in its pipes die with the daemon, which must not happen in silence.
func (s *supervisor) checkDrained() {
	for _, e := range roleEnds["logger"] {
		if q := s.pipes[e.pipe].queued(); q > 0 {
			s.log.Error("samples not written: the logger did not drain its pipe", "pipe", e.pipe, "bytes", q,
				"logger_last_exit", s.children["logger"].lastExit.reason())
		}
	}
}

// untilNext is how long until the next backoff or kill deadline.
func (s *supervisor) untilNext() time.Duration {
	next := time.Hour
	now := s.clock.Now()
	for _, c := range s.children {
		switch c.state {
		case stateBackoff:
			next = min(next, c.next.Sub(now))
		case stateStopping:
			next = min(next, c.killAt.Sub(now))
		}
	}
	return max(next, time.Millisecond)
}

// beginStop starts the ordered shutdown; a second call kills everything.
func (s *supervisor) beginStop(n notifier) {
	if s.stopping >= 0 {
		s.log.Warn("second stop request: killing all children now")
		s.killed = true
		for _, c := range s.children {
			c.wanted = false
			s.signal(c, syscall.SIGKILL)
			if c.state == stateBackoff {
				c.state = stateStopped
			}
		}
		return
	}
	n.send("STOPPING=1\nSTATUS=stopping")
	s.stopping = 0
	s.stopPhase(n)
}

// stopPhase stops the children of the current shutdown phase.
func (s *supervisor) stopPhase(n notifier) {
	names := stopOrder[s.stopping]
	n.send("STATUS=stopping " + strings.Join(names, ", "))
	for _, name := range names {
		c := s.children[name]
		if c == nil {
			continue // the uplink, when no broker is configured
		}
		c.wanted = false
		c.restartNow = false
		s.stop(c)
	}
}

func (s *supervisor) phaseDone() bool {
	for _, name := range stopOrder[s.stopping] {
		if c := s.children[name]; c != nil && c.pid > 0 {
			return false
		}
	}
	return true
}

// finished reports whether shutdown is complete.
func (s *supervisor) finished() bool {
	if s.stopping < 0 {
		return false
	}
	for _, c := range s.children {
		if c.pid > 0 {
			return false
		}
	}
	return s.killed || s.stopping >= len(stopOrder)
}

// installSignals routes the daemon's signals to channels. SIGTTOU is
// ignored so that the daemon can restore its terminal while the GUI is
// the foreground process group.
func installSignals(withSIGCHLD bool) (sigchld, sigs chan os.Signal) {
	signal.Ignore(syscall.SIGTTOU, syscall.SIGPIPE)
	sigchld = make(chan os.Signal, 1)
	if withSIGCHLD {
		signal.Notify(sigchld, syscall.SIGCHLD)
	}
	sigs = make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	return sigchld, sigs
}
