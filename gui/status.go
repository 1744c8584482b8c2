package gui

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/jonboulle/clockwork"
)

// Status is the daemon's answer to {"cmd":"status"} (DESIGN section 4).
// Times are kept as the strings the daemon sent and parsed when drawn,
// so that an empty or null time in one child never loses the whole
// answer. Fields the GUI does not know are ignored.
type Status struct {
	PID       int           `json:"pid"`
	StartedAt string        `json:"started_at"`
	CoreLimit string        `json:"core_limit"`
	Board     string        `json:"board"`
	Model     string        `json:"board_model"` // not in DESIGN: may be empty
	State     string        `json:"state"`       // not in DESIGN: running or stopping
	Children  []ChildStatus `json:"children"`
	Pipes     []PipeStatus  `json:"pipes"`
	Error     string        `json:"error"`
}

// ChildStatus is one child process in Status.
type ChildStatus struct {
	Name      string    `json:"name"`
	PID       int       `json:"pid"`
	State     string    `json:"state"`
	Gen       int       `json:"gen"`
	Restarts  int       `json:"restarts"`
	StartedAt string    `json:"started_at"`
	LastExit  *LastExit `json:"last_exit"`
}

// LastExit is how a child's previous run ended.
type LastExit struct {
	At         string `json:"at"`
	ExitCode   *int   `json:"exit_code"`
	Signal     string `json:"signal"`
	CoreDumped bool   `json:"core_dumped"`
	RanMS      int64  `json:"ran_ms"`
}

// PipeStatus is one pipe in Status.
type PipeStatus struct {
	Name          string `json:"name"`
	Writer        string `json:"writer"`
	Reader        string `json:"reader"`
	QueuedBytes   int64  `json:"queued_bytes"`
	CapacityBytes int64  `json:"capacity_bytes"`
}

// parseTime reads an RFC 3339 time; zero if s is empty or malformed.
func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// controlTimeout bounds one request on the control socket: the daemon
// answers from its watch loop, so a slow answer means it is stuck.
const controlTimeout = 2 * time.Second

// Control is a client of the daemon's control socket: one connection
// per request, one JSON line each way.
type Control struct {
	Path string
}

// Do sends req and decodes the reply line into reply.
func (c Control) Do(ctx context.Context, req, reply any) error {
	if c.Path == "" {
		return errors.New("gui: no control socket; pass --control PATH")
	}
	ctx, cancel := context.WithTimeout(ctx, controlTimeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", c.Path)
	if err != nil {
		return fmt.Errorf("gui: control socket: %w", err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	b, _ := json.Marshal(req)
	if _, err := conn.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("gui: control socket: %w", err)
	}
	line, err := bufio.NewReader(conn).ReadBytes('\n')
	if err != nil && len(line) == 0 {
		return fmt.Errorf("gui: control socket: no reply: %w", err)
	}
	return decodeReply(line, reply)
}

func decodeReply(line []byte, reply any) error {
	var e struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(line, &e) == nil && e.Error != "" {
		return fmt.Errorf("gui: daemon: %s", e.Error)
	}
	if err := json.Unmarshal(line, reply); err != nil {
		return fmt.Errorf("gui: control socket: bad reply: %w", err)
	}
	return nil
}

// Status asks for the daemon's status.
func (c Control) Status(ctx context.Context) (*Status, error) {
	var s Status
	if err := c.Do(ctx, map[string]string{"cmd": "status"}, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// Stop asks the daemon to stop the whole appliance.
func (c Control) Stop(ctx context.Context) error {
	var r map[string]any
	return c.Do(ctx, map[string]string{"cmd": "stop"}, &r)
}

// statusPeriod is how often the dashboard polls the daemon.
const statusPeriod = 500 * time.Millisecond

// pollStatus asks for the status at once and then every statusPeriod,
// and sends each result to out until ctx ends. Polls never overlap: a
// slow daemon slows the poll, not the GUI.
func pollStatus(ctx context.Context, clock clockwork.Clock, c Control, out chan<- Msg) {
	t := clock.NewTicker(statusPeriod)
	defer t.Stop()
	for {
		s, err := c.Status(ctx)
		select {
		case out <- StatusMsg{Status: s, Err: err}:
		case <-ctx.Done():
			return
		}
		select {
		case <-t.Chan():
		case <-ctx.Done():
			return
		}
	}
}
