// Package sensor is the runtime the two sensor roles (light and motion)
// share, so that each rule they have in common lives once:
//
//   - Main: the flags every sensor takes (--gen, --rx, --tx-gui,
//     --tx-logger, --drop-ledger and the board's), parsed with package
//     cli, the pipe ends opened (OpenEnds: each descriptor checked, the
//     drop ledger mapped), the board opened; then the role's own Run,
//     which calls Base.Confine once its device is open: the Landlock
//     sandbox then allows the device files the board opened
//     (board.Devices) and nothing else (README.md, "Security: file
//     system").
//   - Base: the clock, log, board and sending side (Out) a role's loop
//     owns, and Command, which answers info and sim-fault for both roles
//     and ends every command the same way (a reply with OK false and a
//     log line for a refused one).
//   - Out: one ipc.Sender to the GUI and logger pipes, the last status
//     (sent only when it changes), a write error logged once.
//   - Readiness and liveness (sd_notify, package sdnotify): Out sends
//     READY=1 once, right after the first status frame; the loop pings
//     WATCHDOG=1 through Base.Wake, which it calls each time round to
//     get its one timer's next deadline, so a stuck loop stops pinging.
//     board.SimHang (sim-fault 7) blocks the loop in Command, and a
//     scheduled light-hang@T / motion-hang@T (board.Board.HangAt) in
//     Wake, until the role's ctx ends, to test the daemon's watchdog.
//   - StartCommands: the goroutine that decodes the GUI's commands from
//     the role's command pipe, stoppable through the runtime poller.
//
// A role takes a Board interface, not *board.Board, so a test hands it
// an i2ctest bus or a gpiotest pin directly; and Settings.Stamps, not a
// look at the clock's type, to stamp frames with a fake clock's time.
// ipc stays the wire format and pipe endpoints only.
package sensor
