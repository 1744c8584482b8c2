// Package motion is the motion role of sensord: it watches a PIR sensor
// (HC-SR501 or alike) on a GPIO pin and reports motion as state.
//
// # Contract
//
// The daemon starts it as
//
//	sensord motion --gen N --rx 3 --tx-gui 4 --tx-logger 5 --board sim|pi
//	    --seed S --sim-faults STR --pin GPIO17 --warmup 60s [--stuck-after D]
//
// Main parses that and calls Run, which tests call in-process with real
// pipes and a fake clock. As for light, every message but replies goes
// to both the motion-gui and motion-logger pipes through one ipc.Sender.
//
// State, not edges: on start, and so after every restart, it sends its
// status and then the current level at once (ipc.MotionState, Since =
// the start, as the process cannot know better). Each change after that
// is a MotionState with the time it began (Since, when the watcher saw
// it); when motion ends, Last is how long it lasted.
//
// Commands on --rx, each answered with an ipc.Reply on the GUI pipe
// only: OpInfo (model, driver, pin; interval 0: event driven),
// OpSkipWarmup, OpResend (status and state again, to both pipes),
// OpSimFault (passed to board.Board.Fault: SimStuckHigh, SimRelease).
// Anything else gets OK false and an Error.
//
// # Edges
//
// A watcher goroutine calls WaitForEdge on both edges with a positive
// timeout (Poll, 1 min) in a loop that checks its context, because
// periph's drivers disagree on what -1 and 0 mean. It reads the level
// after every wake-up, edge or timeout, and sends only changes, so a
// lost edge is made good within Poll; an idle PIR wakes the process only
// for that and the watchdog. Halt on the pin ends a wait when the
// process stops, repeated until the watcher is gone (a Halt just before
// a wait begins is lost). One goroutine owns all other state; the watcher
// waits until it has dealt with a change before it waits on the pin
// again (edges meanwhile queue in the kernel). That goroutine stops its
// timer while it handles an event, so a test's fake clock
// (sensor/sensortest.Clock) sees both goroutines wait on it only when both are
// idle.
//
// # Warm-up
//
// A PIR needs about a minute after power-up to settle. For Warmup
// (default 60 s on a Pi, 0 on the simulated board) after power-up the
// status is "warming up" and level changes are not reported; at the end
// the current level is reported if it differs. Power-up is taken as
// system boot (CLOCK_BOOTTIME), since the PIR is powered with the board:
// a motion process restarted by the daemon, or started long after boot,
// does not warm up again. OpSkipWarmup ends it at once.
//
// # Failure
//
// A pin that cannot be opened or set up is reported offline with the
// reason (board's errors say which group to join) and retried after 1 s,
// doubling to 30 s. An output high for longer than StuckAfter (10 min on
// a Pi; 30 s simulated, above the simulated PIR's 20 s longest pulse) is
// reported offline as stuck, while the state stays "motion"; the status
// is ok again when it goes low. The process never exits because of the
// sensor.
package motion
