package sdnotify

import "time"

// Watchdog is the ping schedule of one main loop. It sends WATCHDOG=1
// from the loop itself: when the loop is awake anyway and a quarter of
// WatchdogInterval has passed since the last ping, or else when half of
// it has, for which it tells the loop to wake. So a loop that wakes at
// least every quarter interval (a sensor sampling every second, a
// dashboard redrawing its clock) never wakes for a ping, and an idle one
// wakes once per half interval, as sd_watchdog_enabled(3) advises. The
// loop calls Ping each time round, with the time and its own next
// deadline, and sleeps until the deadline Ping returns, so a loop that
// is stuck stops pinging; there is no goroutine or ticker of its own.
// Without a watchdog Ping returns the loop's deadline unchanged and
// never sends, so the loop gets no extra wake-up. Like the loop, it is
// not safe for concurrent use.
type Watchdog struct {
	every  time.Duration // at most this between pings; 0: no watchdog
	next   time.Time     // next ping due: the loop wakes for it
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

// Every is the longest time between pings, half the interval; 0 without
// a watchdog.
func (w *Watchdog) Every() time.Duration { return w.every }

// Ping sends WATCHDOG=1 if one is due at now, or may be sent early
// because the loop is awake anyway (half of Every since the last), and
// returns the earlier of deadline and the next ping due (a zero deadline
// means the loop has none of its own; without a watchdog the result is
// then zero too).
func (w *Watchdog) Ping(now, deadline time.Time) time.Time {
	if w == nil || w.every <= 0 {
		return deadline
	}
	if !now.Before(w.next.Add(-w.every / 2)) {
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
