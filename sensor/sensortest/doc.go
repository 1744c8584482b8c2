// Package sensortest runs a sensor role's Run inside a test: real
// non-blocking pipes for its three ends (commands in, GUI and logger
// out), collectors that decode every frame it sends, and a fake clock
// that a test moves only when the loop under test is idle.
//
// The clock matters because a loop that computes its next deadline
// (Until) while its old timer is still armed looks idle to
// BlockUntilContext: a test that moves the clock between the Until and
// the Reset makes the timer fire one step late, and the frame it waits
// for never comes. Clock fails the test at the Until instead, every
// time, so a loop must stop its timer before it handles an event. For
// the same reason a helper goroutine that hands the loop an event (a
// GPIO watcher) must wait until the loop has dealt with it before it
// waits on the clock again, and Clock's timers drop a tick not taken
// when stopped, as Go's own timers do.
package sensortest
