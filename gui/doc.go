// Package gui is the gui role of sensord: the dashboard on the
// appliance's terminal, and the one way a person sends commands to the
// sensors.
//
// # What it owns
//
// The read ends of motion-gui and light-gui, the write ends of
// gui-motion and gui-light (from the daemon, as --rx-motion 3 --rx-light 4
// --tx-motion 5 --tx-light 6), and the terminal on fd 0/1 in --tty
// terminal and console modes. It never opens a tty path itself and
// never closes the write ends (the daemon holds every pipe end anyway).
// Once the screen is made, Main confines the process with Landlock to
// reading the runtime directory (sandbox.go; README.md, "Security: file
// system").
//
// # Shape
//
// A Model holds everything shown. Update(model, now, msg) returns the
// next model and a list of effects (send this command, ask the daemon to
// stop, repaint); it is a pure function: the model's histories are
// fixed-size arrays, copied with it, and the daemon's Status is replaced
// whole, never edited. Returning effects as data, rather than sending
// from inside Update, is what lets the key handling be tested as a
// table. Draw(screen, model) paints every cell from the model alone,
// so a new GUI after a crash, a resize or a SIGCONT redraws everything
// at once.
//
// One goroutine, the loop in run.go, owns the model and the
// ipc.Writers. It waits in one select on: tcell's event channel
// (ChannelEvents), the frames channel fed by one reader goroutine per
// pipe (ipc.Reader over ipc.OpenReader, i.e. the runtime poller), the
// status channel fed by the daemon's status subscription, the results
// of effects run elsewhere (the stop request), the signal channel, and
// one timer for the clock's redraw (on each second, only while there is
// a screen) and the watchdog's ping (a wake.Timer, so a ping sent early
// costs no wake-up at the old time). With --tty none and no watchdog
// it has no timer at all. After a message it handles any frames already
// queued before it draws, so a backlog after SIGSTOP costs one redraw
// per batch. Time comes from an injected clockwork.Clock.
//
// The loop does not draw itself: it hands the model (a value; its
// Status is never edited) to the drawer goroutine (drawer.go), which
// owns the screen's output, draws the latest model it was given and
// drops those it had no time for.
//
// # Readiness, watchdog and a stopped terminal
//
// READY=1 (sd_notify, package sdnotify) goes to $NOTIFY_SOCKET once the
// first screen is on the terminal (after the drawer's first Show), or,
// with --tty none, when the loop starts. WATCHDOG=1 comes from the loop,
// every half $WATCHDOG_USEC, through sdnotify.Watchdog.
//
// A terminal stopped with XOFF (Ctrl-S on the console) blocks every
// write to it, so tcell's Show blocks. Decision: that blocks only the
// drawer, never the loop, so the GUI goes on pinging, reading its pipes
// and sending commands, and the watchdog does not kill it, nor its
// successor, in a loop; the screen is frozen, which is what Ctrl-S
// asks for, and the next draw after XON shows the latest model. The
// watchdog therefore watches the GUI's own state, not the terminal. Two
// consequences: a GUI started on a stopped terminal is not ready until
// XON (its first screen is not drawn), and one asked to stop meanwhile
// waits for its drawer, so it ends with the daemon's SIGKILL after the
// grace period (the daemon restores the terminal).
//
// # Contract with its neighbours
//
//   - Sensors: on start the GUI sends OpResend and then OpInfo to both,
//     so the motion state, statuses and sensor info show at once after a
//     GUI restart. Keys: + and - step the light interval through 100ms,
//     250ms, 500ms, 1s, 2s, 5s (OpSetInterval); i asks both for info; w
//     skips the PIR warm-up; u unplugs the simulated light sensor (or
//     replugs it when it is offline); s sticks or releases the simulated
//     PIR. Commands are written with ipc.Writer: on a full pipe they are
//     dropped and counted ("lost" on the pipes line), never waited for.
//     Replies go to the message line, info replies to the Sensors panel.
//   - Daemon: {"cmd":"subscribe"} on one connection of its own
//     (control.Client.Subscribe): a status at once and one more at each
//     change; reconnected 1 s after a failure, which shows "daemon: not
//     reachable" and keeps the last status; a daemon without
//     subscriptions is polled every 2 s instead. The pipes' fill is not
//     a change, so it comes from {"cmd":"status"} every 5 s, of which
//     only the pipes are taken. With --tty none nothing is asked
//     (nobody would see it; it would only wake the daemon). q and
//     Ctrl-C send {"cmd":"stop"} in terminal mode only; on the console
//     they only say that q is disabled there. The GUI then waits for the
//     daemon's SIGTERM like every child.
//   - Pipes line: fill and capacity come from the daemon's status; drops
//     on motion-gui and light-gui are the sum of the senders' DropReports,
//     gaps are the samples the GUI's own ipc.Reader found missing by
//     sequence number, "bad" the bytes it skipped; on gui-motion and
//     gui-light the GUI counts the commands it sent and lost.
//
// # Terminal handling
//
// The role handles its own signals (main.go gives it a bare context):
// SIGTERM, SIGINT (seen only without a screen: in raw mode Ctrl-C is a
// key) and SIGHUP end the loop, and Run's deferred screen.Fini restores
// the terminal on every way out, panics included. SIGCONT repaints.
// SIGWINCH is tcell's. SIGTTOU is ignored so that setting up the
// terminal can never stop the GUI. If the GUI is killed outright the
// daemon restores the terminal (README, "The dashboard").
//
// # Characters and colours
//
// The charset comes from LC_ALL, LC_CTYPE, LANG (first set wins): not
// UTF-8 means ASCII only (seven-segment digits, #=-. bars). With UTF-8
// on TERM=linux the console's fonts hold little beyond CP437, so the
// dashboard uses only half and full blocks, shades, box lines and the
// middle dot there; elsewhere it uses block eighths for the chart.
// Colours are the eight of the Linux console plus bold and reverse. The
// layout is made for 80x24; more rows go to the chart and the events
// list, more columns to the chart, timeline and details. The chart and
// the motion timeline share a time axis of 5 s per column.
package gui
