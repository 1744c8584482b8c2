package daemon

import (
	"syscall"
	"time"
)

// liveness is what the daemon knows of a child's readiness and
// watchdog (sd_notify protocol, childnotify_linux.go). It is reset at
// every start and changed only by the loop goroutine.
type liveness struct {
	ready    bool
	readyIn  time.Duration // start to READY=1
	watchdog time.Duration // 0: none
	lastPing time.Time     // start, then each WATCHDOG=1
	aborted  bool          // SIGABRT sent for a missed watchdog
}

// started resets l for a process started at now. A child with no
// watchdog that runs another program (exec) may not speak the protocol:
// it counts as ready at once.
func (l *liveness) started(now time.Time, watchdog time.Duration, speaks bool) {
	*l = liveness{watchdog: watchdog, lastPing: now}
	if !speaks && watchdog == 0 {
		l.ready = true
	}
}

// overdue says whether the watchdog has run out at now.
func (l *liveness) overdue(now time.Time) bool {
	return l.watchdog > 0 && !l.aborted && now.Sub(l.lastPing) >= l.watchdog
}

// deadline is when the watchdog runs out, if it can.
func (l *liveness) deadline() (time.Time, bool) {
	if l.watchdog <= 0 || l.aborted {
		return time.Time{}, false
	}
	return l.lastPing.Add(l.watchdog), true
}

// noticed applies a datagram from c's process.
func (s *supervisor) noticed(c *child, f map[string]string) {
	now := s.clock.Now()
	if f["READY"] == "1" && !c.live.ready {
		c.live.ready, c.live.readyIn = true, now.Sub(c.started)
		s.log.Info("child ready", "child", c.name, "pid", c.pid, "gen", c.gen,
			"ready_in", c.live.readyIn.Round(time.Microsecond))
		s.changed = true
	}
	if f["WATCHDOG"] == "1" {
		c.live.lastPing = now
	}
}

// pingedAgo applies a WATCHDOG=1 from pid that came ago, taken off the
// socket by the wait point (epoll_linux.go).
func (s *supervisor) pingedAgo(pid int, ago time.Duration) {
	if c := s.childByPid(pid); c != nil {
		if at := s.clock.Now().Add(-ago); at.After(c.live.lastPing) {
			c.live.lastPing = at
		}
	}
}

// notices applies every datagram waiting on the notify socket. One
// from a pid that is not a current child (a grandchild, a process
// already reaped) is ignored.
func (s *supervisor) notices(ns *notifySocket) {
	for _, n := range ns.read() {
		c := s.childByPid(n.pid)
		switch {
		case n.fd >= 0 && c != nil && n.fields["FDSTORE"] == "1" && n.fields["FDNAME"] == SeccompFDName:
			s.seccompListen(c, n.fd)
		case n.fd >= 0:
			syscall.Close(n.fd) // the daemon keeps no other descriptor
		}
		if c != nil {
			s.noticed(c, n.fields)
		}
	}
}

// childByPid is the child whose current process is pid.
func (s *supervisor) childByPid(pid int) *child {
	for _, c := range s.children {
		if c.pid == pid && pid > 0 {
			return c
		}
	}
	return nil
}

// checkWatchdogs aborts every running child whose watchdog ran out:
// SIGABRT, so that it leaves a core showing where it hung, and SIGCONT,
// so that a stopped child acts on it; SIGKILL follows after the grace
// period (advance). Its death is then logged with reason watchdog and
// it is restarted as usual.
func (s *supervisor) checkWatchdogs(now time.Time) {
	for _, name := range s.names {
		c := s.children[name]
		if c.state != stateRunning || !c.live.overdue(now) {
			continue
		}
		s.log.Warn("child missed its watchdog; aborting it for a core, then restarting it", "child", c.name,
			"pid", c.pid, "gen", c.gen, "watchdog", c.live.watchdog, "last_ping_ago", now.Sub(c.live.lastPing).Round(time.Millisecond))
		c.live.aborted = true
		s.signal(c, syscall.SIGABRT)
		s.signal(c, syscall.SIGCONT)
		c.killAt = now.Add(s.cfg.Supervisor.Grace.D())
	}
}

// allReady reports whether every child has said READY=1 (or counts as
// ready), for the daemon's own READY=1 to the service manager.
func (s *supervisor) allReady() bool {
	for _, c := range s.children {
		if c.state != stateRunning || !c.live.ready {
			return false
		}
	}
	return true
}
