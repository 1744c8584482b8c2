package daemon

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// events is what other goroutines hand the loop. Each sender also
// wakes the loop's wait point (waiter.wake); signal handlers do nothing
// else (Go's signal package is a self-pipe); all work is done here.
type events struct {
	sigs   chan os.Signal
	ctl    chan request
	reload func() // SIGHUP
	notify notifier
}

// loop is the daemon's only wait point: it blocks in epoll_wait itself,
// on the thread it is locked to, until a child dies (its pidfd), the
// poll tick or the next deadline fires, a child sends a notice, or
// another goroutine wakes it (a signal, a control request, the context).
// Then it takes every pending event, reaps, starts what is due, checks
// watchdogs and moves shutdown along. It returns when every child has
// stopped after a stop request.
func (s *supervisor) loop(ctx context.Context, ev events) {
	// Pdeathsig fires when the thread that forked a child exits: keep
	// every fork on this one thread for the daemon's life.
	runtime.LockOSThread()
	slice := s.cfg.Supervisor.Slice.D()
	s.applySlice(slice)
	w := s.wait
	go func() { <-ctx.Done(); w.wake() }()
	poll := s.cfg.Supervisor.Poll.D()
	dog, watched := ev.notify.watchdogInterval()
	lastDog := s.clock.Now()
	stopAsked := false
	s.startAll()
	for !s.finished() {
		next := s.untilNext()
		if watched {
			next = min(next, max(lastDog.Add(dog).Sub(s.clock.Now()), 0))
		}
		if err := w.arm(next); err == nil {
			err = w.wait()
		} else {
			s.log.Error("wait point failed; sweeping every poll", "err", err)
			time.Sleep(poll)
		}
		s.drain(ev)
		if ctx.Err() != nil && !stopAsked {
			stopAsked = true
			s.beginStop(ev.notify)
		}
		s.reapAll()
		s.advance(ev.notify)
		s.announce(ev.notify)
		if p := s.cfg.Supervisor.Poll.D(); p != poll { // changed by a reload
			poll = p
			_ = w.setPoll(poll)
		}
		if d := s.cfg.Supervisor.Slice.D(); d != slice {
			slice = d
			s.applySlice(slice)
		}
		if now := s.clock.Now(); watched && now.Sub(lastDog) >= dog {
			ev.notify.send("WATCHDOG=1")
			lastDog = now
		}
	}
}

// applySlice sets supervisor.slice on the loop's thread; where it cannot,
// the appliance runs on with the kernel's default. The packaged unit's
// system call filter refuses sched_setattr (it denies @resources), which
// is expected there and said once at Info, with what would allow it.
func (s *supervisor) applySlice(d time.Duration) {
	err := setSlice(d)
	switch {
	case errors.Is(err, unix.EPERM):
		s.log.Info("supervisor.slice not applied: a system call filter refuses sched_setattr (the packaged unit denies @resources); the kernel's default slice applies",
			"slice", d, "to_allow", "a unit drop-in with SystemCallFilter=sched_setattr")
	case err != nil:
		s.log.Warn("cannot set the scheduler time slice; the kernel's default applies", "err", err)
	}
}

// drain takes every signal and control request waiting, without
// blocking.
func (s *supervisor) drain(ev events) {
	for {
		select {
		case sig := <-ev.sigs:
			s.onSignal(sig.(syscall.Signal), ev)
		case req := <-ev.ctl:
			req.reply <- s.handle(req, ev.notify)
		default:
			return
		}
	}
}

// announce tells the service manager READY=1 once every child is
// ready, and hands a changed status to the subscribers.
func (s *supervisor) announce(n notifier) {
	if !s.ready && s.stopping < 0 && s.allReady() {
		s.ready = true
		n.send("READY=1\nSTATUS=" + s.summary())
		s.log.Info("all children ready", "children", len(s.names))
	}
	if s.changed {
		s.changed = false
		s.publish()
	}
}

func (s *supervisor) startAll() {
	for _, name := range s.names {
		s.start(s.children[name])
	}
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
		if ws, ru, ok := s.procs.reap(c.pid); ok {
			s.exited(c, ws, ru)
		}
	}
}

// advance starts children whose backoff is over, kills those that
// outstayed their grace period, and moves shutdown to its next phase.
func (s *supervisor) advance(n notifier) {
	now := s.clock.Now()
	s.checkWatchdogs(now)
	for _, name := range s.names {
		c := s.children[name]
		switch {
		case c.state == stateBackoff && c.wanted && !now.Before(c.next):
			s.start(c)
		case c.state == stateRunning && c.live.aborted && !now.Before(c.killAt):
			s.log.Warn("child did not die of SIGABRT in time; killing it", "child", c.name, "pid", c.pid)
			s.signal(c, syscall.SIGKILL)
			c.killAt = now.Add(time.Hour)
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

// untilNext is how long until the next backoff, kill or watchdog
// deadline.
func (s *supervisor) untilNext() time.Duration {
	next := time.Hour
	now := s.clock.Now()
	for _, c := range s.children {
		switch {
		case c.state == stateBackoff:
			next = min(next, c.next.Sub(now))
		case c.state == stateStopping, c.state == stateRunning && c.live.aborted:
			next = min(next, c.killAt.Sub(now))
		case c.state == stateRunning:
			if d, ok := c.live.deadline(); ok {
				next = min(next, d.Sub(now))
			}
		}
	}
	return max(next, 0)
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

// installSignals routes the daemon's signals to the loop: a goroutine
// queues each on the returned channel and wakes the wait point. SIGCHLD
// is only asked for where there are no pidfds (withSIGCHLD): then it is
// what wakes the loop at a death. SIGTTOU is ignored so that the daemon
// can restore its terminal while the GUI is the foreground process
// group.
func installSignals(w *waiter, withSIGCHLD bool) chan os.Signal {
	signal.Ignore(syscall.SIGTTOU, syscall.SIGPIPE)
	in := make(chan os.Signal, 8)
	signal.Notify(in, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	if withSIGCHLD {
		signal.Notify(in, syscall.SIGCHLD)
	}
	out := make(chan os.Signal, 8)
	go func() {
		for sig := range in {
			if sig != syscall.SIGCHLD {
				out <- sig
			}
			w.wake()
		}
	}()
	return out
}
