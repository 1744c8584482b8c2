package daemon

import (
	"fmt"
	"time"
)

// Status is the reply to {"cmd":"status"} and the output of `sensord
// status --json`: the schema of DESIGN section 4. Fields may be added;
// none may change meaning.
type Status struct {
	PID       int           `json:"pid"`
	StartedAt time.Time     `json:"started_at"`
	CoreLimit string        `json:"core_limit"`
	Board     string        `json:"board"`
	Model     string        `json:"board_model"`
	State     string        `json:"state"` // running or stopping
	Version   string        `json:"version"`
	Children  []ChildStatus `json:"children"`
	Pipes     []PipeStatus  `json:"pipes"`
}

// ChildStatus is one child in Status.
type ChildStatus struct {
	Name      string      `json:"name"`
	PID       int         `json:"pid"`
	State     string      `json:"state"`
	Gen       uint32      `json:"gen"`
	Restarts  int         `json:"restarts"`
	StartedAt *time.Time  `json:"started_at"`
	LastExit  *ExitStatus `json:"last_exit"`
	// StartedMonoNS is CLOCK_MONOTONIC in ns when the current process
	// exec'd: restart latency can be measured against a kill's time.
	StartedMonoNS int64  `json:"started_mono_ns"`
	NextStartInMS *int64 `json:"next_start_in_ms,omitempty"` // in backoff
	Exec          string `json:"exec"`
}

// ExitStatus is how a child's last process ended.
type ExitStatus struct {
	At         time.Time `json:"at"`
	ExitCode   *int      `json:"exit_code"`
	Signal     *string   `json:"signal"`
	CoreDumped bool      `json:"core_dumped"`
	RanMS      int64     `json:"ran_ms"`
	MaxRSSKiB  int64     `json:"max_rss_kib"`
	Reason     string    `json:"reason"`
}

// PipeStatus is one pipe in Status.
type PipeStatus struct {
	Name          string `json:"name"`
	Writer        string `json:"writer"`
	Reader        string `json:"reader"`
	QueuedBytes   int    `json:"queued_bytes"`
	CapacityBytes int    `json:"capacity_bytes"`
}

// status snapshots the supervisor's state.
func (s *supervisor) status() Status {
	st := Status{PID: pidSelf(), StartedAt: s.started.UTC(), CoreLimit: s.core,
		Board: s.env.board, Model: s.env.model, State: "running", Version: Version}
	if s.stopping >= 0 {
		st.State = "stopping"
	}
	now := s.clock.Now()
	for _, name := range childNames {
		st.Children = append(st.Children, s.children[name].status(now, s.env.self))
	}
	for _, t := range pipeTable {
		p := s.pipes[t.writer+"-"+t.reader]
		st.Pipes = append(st.Pipes, PipeStatus{Name: p.name, Writer: p.writer, Reader: p.reader,
			QueuedBytes: p.queued(), CapacityBytes: p.capacity})
	}
	return st
}

func (c *child) status(now time.Time, self string) ChildStatus {
	cs := ChildStatus{Name: c.name, PID: c.pid, State: c.state, Gen: c.gen,
		Restarts: c.restarts, Exec: c.set.exec}
	if cs.Exec == "" {
		cs.Exec = self
	}
	if c.pid > 0 {
		t := c.started.UTC()
		cs.StartedAt, cs.StartedMonoNS = &t, c.startedMono
	}
	if c.state == stateBackoff {
		ms := max(c.next.Sub(now), 0).Milliseconds()
		cs.NextStartInMS = &ms
	}
	if e := c.lastExit; e != nil {
		cs.LastExit = &ExitStatus{At: e.At.UTC(), ExitCode: e.Code, CoreDumped: e.CoreDumped,
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
