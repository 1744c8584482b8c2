// Package wake is the one timer of an event loop (a sensor's, the
// logger's writer, the dashboard's), armed for the loop's next deadline
// each time round without costing a wake-up for a deadline that has
// moved later.
//
// Why: since Go 1.23 the runtime moves a timer that is reset to a later
// time lazily. Its old place stays at the top of the runtime's timer heap,
// and the thread that sleeps until the earliest timer (the network
// poller, and sysmon in its deep sleep) still wakes at the old time, to
// find nothing due. A loop that pings its watchdog early, or fsyncs
// early, moves its deadline later every time round, and so paid one
// wake-up of two threads for nothing each time (BENCHMARKS.md,
// "Supervisor core"). Timer gives such a loop a new runtime timer
// instead, and stops the old one; a stopped timer is taken out of the
// heap at the runtime's next look, as long as stopped timers are more
// than a quarter of that processor's timers, which in a loop with one
// timer they always are. Moving a deadline earlier, or setting it again
// after it fired, reuses the timer: the runtime handles that at once.
//
// The clock is a clockwork.Clock, so a loop's tests run it on a fake
// clock; like the loop, a Timer is used by one goroutine only.
package wake
