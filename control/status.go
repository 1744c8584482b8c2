package control

import "time"

// Status is the reply to {"cmd":"status"} and the output of `sensord
// status --json`.
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

// Child states.
const (
	Running  = "running"
	Backoff  = "backoff"
	Stopping = "stopping"
	Stopped  = "stopped"
)

// ChildStatus is one child in Status.
type ChildStatus struct {
	Name      string      `json:"name"`
	PID       int         `json:"pid"`
	State     string      `json:"state"` // Running, Backoff, Stopping or Stopped
	Gen       uint32      `json:"gen"`
	Restarts  int         `json:"restarts"`
	StartedAt *time.Time  `json:"started_at"` // nil while no process runs
	LastExit  *ExitStatus `json:"last_exit"`  // nil before the first exit
	// StartedMonoNS is CLOCK_MONOTONIC in ns when the current process
	// exec'd: restart latency can be measured against a kill's time.
	StartedMonoNS int64  `json:"started_mono_ns"`
	NextStartInMS *int64 `json:"next_start_in_ms,omitempty"` // in backoff
	Exec          string `json:"exec"`
	// Ready is whether the current process said READY=1 (sd_notify
	// protocol; a program set with exec and no watchdog counts as ready
	// when it starts); ReadyMS is start to READY=1, once ready.
	Ready   bool   `json:"ready"`
	ReadyMS *int64 `json:"ready_ms,omitempty"`
	// WatchdogMS is the child's watchdog, 0 for none.
	WatchdogMS int64 `json:"watchdog_ms"`
}

// ExitStatus is how a child's last process ended.
type ExitStatus struct {
	At         time.Time `json:"at"`
	ExitCode   *int      `json:"exit_code"` // nil when killed by a signal
	Signal     *string   `json:"signal"`    // "SIGSEGV"; nil on a plain exit
	CoreDumped bool      `json:"core_dumped"`
	RanMS      int64     `json:"ran_ms"`
	MaxRSSKiB  int64     `json:"max_rss_kib"`
	Reason     string    `json:"reason"`
}

// SignalName is the signal that ended the process, or "".
func (e *ExitStatus) SignalName() string {
	if e == nil || e.Signal == nil {
		return ""
	}
	return *e.Signal
}

// PipeStatus is one pipe in Status.
type PipeStatus struct {
	Name          string `json:"name"`
	Writer        string `json:"writer"`
	Reader        string `json:"reader"`
	QueuedBytes   int    `json:"queued_bytes"`
	CapacityBytes int    `json:"capacity_bytes"`
}

// Child returns the child called name, or nil.
func (s *Status) Child(name string) *ChildStatus {
	for i := range s.Children {
		if s.Children[i].Name == name {
			return &s.Children[i]
		}
	}
	return nil
}
