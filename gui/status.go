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

// status asks the daemon at c for its status.
func status(ctx context.Context, c control.Client) (*control.Status, error) {
	if c.Path == "" {
		return nil, errNoControl
	}
	return c.Status(ctx)
}

// statusPeriod is how often the dashboard polls the daemon.
const statusPeriod = 500 * time.Millisecond

// pollStatus asks for the status at once and then every statusPeriod,
// and sends each result to out until ctx ends. Polls never overlap: a
// slow daemon slows the poll, not the GUI.
func pollStatus(ctx context.Context, clock clockwork.Clock, c control.Client, out chan<- Msg) {
	t := clock.NewTicker(statusPeriod)
	defer t.Stop()
	for {
		s, err := status(ctx, c)
		select {
		case out <- StatusMsg{Status: s, Err: err, Uplink: uplinkStatus(s, c)}:
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
