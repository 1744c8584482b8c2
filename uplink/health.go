package uplink

import (
	"context"
	"encoding/json"
	"time"

	"sensord/control"
)

// health is the payload of <prefix>/health: children keyed by name so
// Home Assistant templates can address them (value_json.children.light).
type health struct {
	Children map[string]childHealth `json:"children"`
	Pipes    map[string]pipeHealth  `json:"pipes"`
	Uplink   uplinkHealth           `json:"uplink"`
}

type childHealth struct {
	State    string `json:"state"`
	Restarts int    `json:"restarts"`
	LastExit string `json:"last_exit"` // reason, signal or exit code; "" before any
}

type pipeHealth struct {
	Queued   int `json:"queued_bytes"`
	Capacity int `json:"capacity_bytes"`
}

// uplinkHealth is the uplink's own figures.
type uplinkHealth struct {
	Connected      bool    `json:"connected"`
	Error          string  `json:"error,omitempty"`
	BacklogBytes   int64   `json:"backlog_bytes"`
	BacklogRecords int64   `json:"backlog_records"` // estimate: bytes / mean line length
	LastAckAgeS    float64 `json:"last_ack_age_s"`  // -1 before the first
	Sent           uint64  `json:"sent"`
	GapFiles       int     `json:"gap_files"`
}

func healthOf(st *control.Status, u uplinkHealth) health {
	h := health{Children: map[string]childHealth{}, Pipes: map[string]pipeHealth{}, Uplink: u}
	if st == nil {
		return h
	}
	for _, c := range st.Children {
		h.Children[c.Name] = childHealth{State: c.State, Restarts: c.Restarts, LastExit: exitReason(c.LastExit)}
	}
	for _, p := range st.Pipes {
		h.Pipes[p.Name] = pipeHealth{p.QueuedBytes, p.CapacityBytes}
	}
	return h
}

func exitReason(e *control.ExitStatus) string {
	switch {
	case e == nil:
		return ""
	case e.Reason != "":
		return e.Reason
	case e.Signal != nil:
		return *e.Signal
	case e.ExitCode != nil:
		b, _ := json.Marshal(*e.ExitCode)
		return "exit " + string(b)
	}
	return ""
}

// daemonStatus asks the daemon; nil when there is no control socket or
// it does not answer (health then says so by having no children).
func daemonStatus(ctx context.Context, path string) (*control.Status, string) {
	if path == "" {
		return nil, ""
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	st, err := control.Client{Path: path}.Status(ctx)
	if err != nil {
		return nil, err.Error()
	}
	return st, ""
}
