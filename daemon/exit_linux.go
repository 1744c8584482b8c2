package daemon

import (
	"strconv"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// exitInfo is how a child ended, as reported in logs and status.
type exitInfo struct {
	At         time.Time
	Code       *int   // exit code, if it exited
	Signal     string // signal name, if a signal killed it
	CoreDumped bool
	Ran        time.Duration
	MaxRSSKiB  int64
	Watchdog   bool // aborted for a missed watchdog
}

// reason is a short human description: "exit 1", "SIGSEGV (core dumped)".
func (e *exitInfo) reason() string {
	if e == nil {
		return ""
	}
	s := e.Signal
	if e.Code != nil {
		s = "exit " + strconv.Itoa(*e.Code)
	}
	if e.CoreDumped {
		s += " (core dumped)"
	}
	if e.Watchdog {
		s = "watchdog: " + s
	}
	return s
}

func describeExit(ws syscall.WaitStatus, ru *syscall.Rusage, at time.Time, ran time.Duration) *exitInfo {
	e := &exitInfo{At: at, Ran: ran, MaxRSSKiB: int64(ru.Maxrss)}
	switch {
	case ws.Exited():
		code := ws.ExitStatus()
		e.Code = &code
	case ws.Signaled():
		e.Signal = unix.SignalName(ws.Signal())
		if e.Signal == "" {
			e.Signal = "signal " + strconv.Itoa(int(ws.Signal()))
		}
		e.CoreDumped = ws.CoreDump()
	}
	return e
}

// reap collects pid if it has exited, without blocking. It never waits
// for any pid the daemon did not spawn.
func reap(pid int) (syscall.WaitStatus, *syscall.Rusage, bool) {
	var ws syscall.WaitStatus
	var ru syscall.Rusage
	for {
		got, err := syscall.Wait4(pid, &ws, syscall.WNOHANG, &ru)
		if err == syscall.EINTR {
			continue
		}
		if err != nil || got != pid {
			return 0, nil, false
		}
		return ws, &ru, true
	}
}
