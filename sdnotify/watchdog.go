package sdnotify

import "time"

// Watchdog is the ping schedule of one main loop: it sends WATCHDOG=1
// at most every half WatchdogInterval, and tells the loop when it must
// wake next to send the following one. The loop calls Ping each time
// round, with the time and its own next deadline, and sleeps until the
// deadline Ping returns, so a loop that is stuck stops pinging; there
// is no goroutine or ticker of its own. Without a watchdog Ping returns
// the loop's deadline unchanged and never sends, so the loop gets no
// extra wake-up. Like the loop, it is not safe for concurrent use.
type Watchdog struct {
	every  time.Duration // 0: no watchdog
	next   time.Time     // next ping due
	notify func(string) error
	err    error
}

// NewWatchdog returns the schedule for a loop that starts at start,
// from $WATCHDOG_USEC and $WATCHDOG_PID (WatchdogInterval). The first
// ping is due half an interval after start.
func NewWatchdog(start time.Time) *Watchdog {
	d, _ := WatchdogInterval()
	return newWatchdog(d, start, Notify)
}

func newWatchdog(interval time.Duration, start time.Time, notify func(string) error) *Watchdog {
	w := &Watchdog{every: interval / 2, notify: notify}
	w.next = start.Add(w.every)
	return w
}

// Every is the time between pings, 0 without a watchdog.
func (w *Watchdog) Every() time.Duration { return w.every }

// Ping sends WATCHDOG=1 if one is due at now, and returns the earlier of
// deadline and the next ping (a zero deadline means the loop has none of
// its own; without a watchdog the result is then zero too).
func (w *Watchdog) Ping(now, deadline time.Time) time.Time {
	if w == nil || w.every <= 0 {
		return deadline
	}
	if !now.Before(w.next) {
		if err := w.notify("WATCHDOG=1"); err != nil && w.err == nil {
			w.err = err
		}
		w.next = now.Add(w.every)
	}
	if deadline.IsZero() || w.next.Before(deadline) {
		return w.next
	}
	return deadline
}

// Err is the first error a ping got, for the loop's log; the daemon
// sees the missing pings anyway.
func (w *Watchdog) Err() error {
	if w == nil {
		return nil
	}
	return w.err
}
