package sdnotify

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Notify sends state, one or more newline-separated VAR=value
// assignments such as "READY=1", to $NOTIFY_SOCKET. Without
// NOTIFY_SOCKET it does nothing and returns nil.
func Notify(state string) error {
	addr := os.Getenv("NOTIFY_SOCKET")
	if addr == "" {
		return nil
	}
	return Send(addr, state)
}

// Send sends state to the notify socket addr: a path, or an abstract
// socket name starting with '@'.
func Send(addr, state string) error {
	if !strings.HasPrefix(addr, "/") && !strings.HasPrefix(addr, "@") {
		return fmt.Errorf("sdnotify: NOTIFY_SOCKET=%q is neither a path nor an abstract name (@...); check the service manager", addr)
	}
	if err := send(addr, []byte(state)); err != nil {
		return fmt.Errorf("sdnotify: %s: %w", addr, err)
	}
	return nil
}

// WatchdogInterval returns $WATCHDOG_USEC when the service manager
// expects watchdog pings from this process (WatchdogSec= is set and
// $WATCHDOG_PID, if present, is our pid). Ping at half of it, as
// sd_watchdog_enabled(3) advises.
func WatchdogInterval() (time.Duration, bool) {
	us, err := strconv.ParseInt(os.Getenv("WATCHDOG_USEC"), 10, 64)
	if err != nil || us <= 0 {
		return 0, false
	}
	if p := os.Getenv("WATCHDOG_PID"); p != "" && p != strconv.Itoa(os.Getpid()) {
		return 0, false
	}
	return time.Duration(us) * time.Microsecond, true
}
