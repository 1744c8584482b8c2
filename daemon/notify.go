package daemon

import (
	"log/slog"
	"time"

	"sensord/sdnotify"
)

// notifier tells the service manager about readiness, liveness and
// shutdown; with --background it is wrapped to keep the pidfile
// (background_linux.go).
type notifier interface {
	send(state string)
	watchdogInterval() (time.Duration, bool)
}

// systemd speaks to $NOTIFY_SOCKET; without it, it does nothing.
type systemd struct{ log *slog.Logger }

func (n systemd) send(state string) {
	if err := sdnotify.Notify(state); err != nil {
		n.log.Warn("notify service manager", "err", err)
	}
}

// watchdogInterval is half of $WATCHDOG_USEC, as sd_watchdog_enabled(3)
// advises.
func (n systemd) watchdogInterval() (time.Duration, bool) {
	d, ok := sdnotify.WatchdogInterval()
	return d / 2, ok && d > 0
}
