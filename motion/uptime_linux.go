package motion

import (
	"time"

	"golang.org/x/sys/unix"
)

// bootUptime is the time since the system booted, suspend included: the
// PIR is powered with the board, so it has been settling that long.
func bootUptime() time.Duration {
	var ts unix.Timespec
	if unix.ClockGettime(unix.CLOCK_BOOTTIME, &ts) != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}
