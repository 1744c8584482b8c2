package daemon

import "time"

// Restart policy (README, "How it works"; ARCHITECTURE.md).
const (
	quickDeath   = time.Second           // dying sooner than this counts as a failure
	backoffFirst = 50 * time.Millisecond // delay after the second quick death in a row
	backoffMax   = 5 * time.Second       // the delay never grows past this
	stableAfter  = 10 * time.Second      // running this long forgets past failures
)

// restartDelay returns how long to wait before starting a child again
// after fails quick deaths in a row: none for the first, then 50 ms,
// doubling up to 5 s. It never gives up.
func restartDelay(fails int) time.Duration {
	if fails <= 1 {
		return 0
	}
	d := backoffFirst
	for i := 2; i < fails && d < backoffMax; i++ {
		d *= 2
	}
	return min(d, backoffMax)
}
