// Package sdnotify speaks systemd's notify protocol (sd_notify(3))
// without cgo and without libsystemd: one datagram per call to the unix
// socket named by $NOTIFY_SOCKET.
//
// Contract with the daemon: it sends, with Notify, READY=1 (with a
// STATUS= line) once every child has started, WATCHDOG=1 from its watch
// loop every half WatchdogInterval, and STOPPING=1 when it begins to
// shut down. The children use the same calls towards the daemon's own
// notify.sock: READY=1 once when ready, and WATCHDOG=1 from their main
// loop through a Watchdog, which folds the next ping into the loop's
// own deadline and pings early when the loop is awake anyway, so a busy
// loop never wakes for a ping. Without $NOTIFY_SOCKET
// (SysV init, a terminal) every call is a no-op that returns nil, so
// callers need not know whether systemd runs them.
//
// Decisions:
//   - A socket is opened, used and closed in each call, with
//     SOCK_CLOEXEC, so no descriptor is held between calls and none can
//     leak into a child the daemon forks meanwhile.
//   - A name starting with '@' is an abstract socket (a leading NUL on
//     the wire), as systemd documents.
//   - The daemon replaces NOTIFY_SOCKET and WATCHDOG_USEC in its
//     children's environment with its own notify.sock and the role's
//     watchdog, and drops WATCHDOG_PID (it cannot know a child's pid
//     before the exec; an absent WATCHDOG_PID means "this process"); with
//     NotifyAccess=main systemd would ignore the children anyway.
//   - WatchdogInterval honours $WATCHDOG_PID: a variable meant for
//     another process (inherited by mistake) is ignored.
package sdnotify
