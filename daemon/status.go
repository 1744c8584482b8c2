package daemon

import (
	"fmt"
	"sensord/control"
	"sensord/version"
	"time"
)

// status snapshots the supervisor's state.
func (s *supervisor) status() control.Status {
	st := control.Status{PID: pidSelf(), StartedAt: s.started.UTC(), CoreLimit: s.core,
		Board: s.env.board, Model: s.env.model, State: "running", Version: version.String()}
	if s.stopping >= 0 {
		st.State = "stopping"
	}
	now := s.clock.Now()
	for _, name := range s.names {
		st.Children = append(st.Children, s.children[name].status(now, s.env.self))
	}
	for _, t := range pipeTable {
		p := s.pipes[t.writer+"-"+t.reader]
		st.Pipes = append(st.Pipes, control.PipeStatus{Name: p.name, Writer: p.writer, Reader: p.reader,
			QueuedBytes: p.queued(), CapacityBytes: p.capacity})
	}
	return st
}

func (c *child) status(now time.Time, self string) control.ChildStatus {
	cs := control.ChildStatus{Name: c.name, PID: c.pid, State: c.state, Gen: c.gen,
		Restarts: c.restarts, Exec: c.set.exec}
	if cs.Exec == "" {
		cs.Exec = self
	}
	if c.pid > 0 {
		t := c.started.UTC()
		cs.StartedAt, cs.StartedMonoNS = &t, c.startedMono
		cs.Ready, cs.WatchdogMS = c.live.ready, c.live.watchdog.Milliseconds()
		if c.live.ready {
			ms := c.live.readyIn.Milliseconds()
			cs.ReadyMS = &ms
		}
	}
	if c.state == stateBackoff {
		ms := max(c.next.Sub(now), 0).Milliseconds()
		cs.NextStartInMS = &ms
	}
	if e := c.lastExit; e != nil {
		cs.LastExit = &control.ExitStatus{At: e.At.UTC(), ExitCode: e.Code, CoreDumped: e.CoreDumped,
			RanMS: e.Ran.Milliseconds(), MaxRSSKiB: e.MaxRSSKiB, Reason: e.reason()}
		if e.Signal != "" {
			sig := e.Signal
			cs.LastExit.Signal = &sig
		}
	}
	return cs
}

// summary is the one-line STATUS= for the service manager.
func (s *supervisor) summary() string {
	up := 0
	for _, c := range s.children {
		if c.state == stateRunning {
			up++
		}
	}
	return fmt.Sprintf("%d of %d children running, board %s", up, len(s.children), s.env.board)
}
