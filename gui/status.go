package gui

import (
	"context"
	"errors"
	"time"

	"github.com/jonboulle/clockwork"

	"sensord/control"
)

// errNoControl is the status error of a GUI started without a socket.
var errNoControl = errors.New("gui: no control socket; pass --control PATH")

// pipesPeriod is how often the dashboard asks for the pipes' fill,
// which the daemon's subscription does not report as a change.
const pipesPeriod = 5 * time.Second

// followStatus subscribes to the daemon's status (control.Subscribe)
// and sends each status, or why there is none, to out until ctx ends.
func followStatus(ctx context.Context, clock clockwork.Clock, c control.Client, out chan<- Msg) {
	send := func(s *control.Status, err error) {
		select {
		case out <- StatusMsg{Status: s, Err: err, Uplink: uplinkStatus(s, c)}:
		case <-ctx.Done():
		}
	}
	if c.Path == "" {
		send(nil, errNoControl)
		return
	}
	c.Subscribe(ctx, clock, send)
}

// pollPipes asks for the status every pipesPeriod and sends the pipes'
// fill and the uplink's status file to out until ctx ends. Only the fill is taken from it, so a poll
// answered just before a change never shows an older state of the
// children. Failures are left to followStatus to report.
func pollPipes(ctx context.Context, clock clockwork.Clock, c control.Client, out chan<- Msg) {
	if c.Path == "" {
		return
	}
	for {
		select {
		case <-clock.After(pipesPeriod):
		case <-ctx.Done():
			return
		}
		s, err := c.Status(ctx)
		if err != nil {
			continue
		}
		select {
		case out <- PipesMsg{Pipes: s.Pipes, Uplink: uplinkStatus(s, c)}:
		case <-ctx.Done():
			return
		}
	}
}
