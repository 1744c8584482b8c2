package daemon

import (
	"errors"
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// waiter is the loop's one wait point: an epoll set, waited on by the
// loop itself on the thread it is locked to, so that a child's death,
// the poll tick or a deadline wakes that one thread and no other. In it:
//
//   - a pidfd per child (pidfd_open), readable when the child exits;
//   - a periodic timerfd for supervisor.poll, the wait4 sweep that is the
//     safety net under the pidfds (and all there is where pidfd_open
//     says ENOSYS: kernels before 5.3, where SIGCHLD wakes the loop
//     instead, through wake);
//   - a one-shot timerfd for the next deadline (backoff, grace,
//     watchdog);
//   - an eventfd that other goroutines write to (wake): the signal
//     forwarder, the control socket, the context;
//   - the children's notify socket (notify_linux.go).
//
// It is owned by the loop goroutine; only wake may be called from others.
type waiter struct {
	ep, tick, deadline, event int
	pidfds                    map[int]int // pid -> pidfd
	noPidfd                   bool        // pidfd_open said ENOSYS
	extra                     map[int]func()
	sw                        *sweep // what the no-P section needs (epoll_linux.go)
	pinged                    func(pid int, ago time.Duration)
}

// newWaiter makes the wait point, its tick every poll. pidfds says
// whether to watch children through pidfds (supervisor.sigchld: off
// only to measure the poll sweep alone); without kernel support it is
// off too, and noPidfd says so.
func newWaiter(poll time.Duration, pidfds bool) (*waiter, error) {
	w := &waiter{ep: -1, tick: -1, deadline: -1, event: -1, pidfds: map[int]int{},
		extra:   map[int]func(){},
		noPidfd: !pidfds || !havePidfd() || os.Getenv(envNoPidfd) != ""}
	var err error
	if w.ep, err = unix.EpollCreate1(unix.EPOLL_CLOEXEC); err != nil {
		return nil, fmt.Errorf("daemon: epoll_create1: %w", err)
	}
	for _, fd := range []*int{&w.tick, &w.deadline} {
		if *fd, err = unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_CLOEXEC|unix.TFD_NONBLOCK); err != nil {
			w.close()
			return nil, fmt.Errorf("daemon: timerfd_create: %w", err)
		}
	}
	if w.event, err = unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK); err != nil {
		w.close()
		return nil, fmt.Errorf("daemon: eventfd: %w", err)
	}
	for _, fd := range []int{w.tick, w.deadline, w.event} {
		if err := w.add(fd); err != nil {
			w.close()
			return nil, err
		}
	}
	if err := w.setPoll(poll); err != nil {
		w.close()
		return nil, err
	}
	w.sw = newSweep(w.ep, w.tick)
	return w, nil
}

// envNoPidfd, set to anything, makes the daemon act as on a kernel
// without pidfd_open, so that tests cover the SIGCHLD path too.
const envNoPidfd = "SENSORD_NO_PIDFD"

// havePidfd probes pidfd_open on the daemon itself.
func havePidfd() bool {
	fd, err := unix.PidfdOpen(os.Getpid(), 0)
	if err != nil {
		return !errors.Is(err, unix.ENOSYS)
	}
	unix.Close(fd)
	return true
}

func (w *waiter) add(fd int) error {
	ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(fd)}
	if err := unix.EpollCtl(w.ep, unix.EPOLL_CTL_ADD, fd, &ev); err != nil {
		return fmt.Errorf("daemon: epoll_ctl: %w", err)
	}
	return nil
}

// watch adds fd to the set; ready is called in wait when it is readable.
func (w *waiter) watch(fd int, ready func()) error {
	if err := w.add(fd); err != nil {
		return err
	}
	w.extra[fd] = ready
	return nil
}

// unwatch drops fd from the set; the caller closes it.
func (w *waiter) unwatch(fd int) {
	_ = unix.EpollCtl(w.ep, unix.EPOLL_CTL_DEL, fd, nil)
	delete(w.extra, fd)
}

// takePings lets the no-P section take plain watchdog pings off the
// notify socket fd (watched with its reader); wait hands each to pinged
// with the child's pid and how long ago it came.
func (w *waiter) takePings(fd int, pinged func(pid int, ago time.Duration)) {
	w.pinged = pinged
	w.sw.takePings(fd)
}

// setPoll makes the tick fire every d.
func (w *waiter) setPoll(d time.Duration) error {
	ts := unix.NsecToTimespec(int64(d))
	return timerSet(w.tick, &unix.ItimerSpec{Interval: ts, Value: ts})
}

// arm makes the deadline timer fire once, d from now.
func (w *waiter) arm(d time.Duration) error {
	return timerSet(w.deadline, &unix.ItimerSpec{Value: unix.NsecToTimespec(int64(max(d, time.Microsecond)))})
}

func timerSet(fd int, spec *unix.ItimerSpec) error {
	if err := unix.TimerfdSettime(fd, 0, spec, nil); err != nil {
		return fmt.Errorf("daemon: timerfd_settime: %w", err)
	}
	return nil
}

// track watches pid's exit through a pidfd and the tick's sweep.
// Without pidfds (ENOSYS) it returns nil: SIGCHLD and the sweep wake the
// loop instead.
func (w *waiter) track(pid int) error {
	w.sw.add(pid)
	if w.noPidfd {
		return nil
	}
	fd, err := unix.PidfdOpen(pid, 0)
	if errors.Is(err, unix.ENOSYS) {
		w.noPidfd = true
		return nil
	}
	if err != nil {
		return fmt.Errorf("daemon: pidfd_open %d: %w", pid, err)
	}
	unix.CloseOnExec(fd)
	if err := w.add(fd); err != nil {
		unix.Close(fd)
		return err
	}
	w.pidfds[pid] = fd
	return nil
}

// forget drops pid's pidfd and sweep once it has been reaped.
func (w *waiter) forget(pid int) {
	w.sw.remove(pid)
	if fd, ok := w.pidfds[pid]; ok {
		_ = unix.EpollCtl(w.ep, unix.EPOLL_CTL_DEL, fd, nil)
		unix.Close(fd)
		delete(w.pidfds, pid)
	}
}

// wake makes wait return; it may be called from any goroutine.
func (w *waiter) wake() {
	one := [8]byte{1}
	_, _ = unix.Write(w.event, one[:])
}

// wait blocks until something in the set is ready, other than what the
// no-P section handles without leaving the wait (a tick whose sweep
// found no child exited, plain pings: epoll_linux.go), hands over the
// pings taken meanwhile, and consumes the timer expirations and
// wake-ups, so that the next wait blocks again. The caller then looks at
// everything: wait tells nothing of why.
func (w *waiter) wait() error {
	n, err := w.sw.block()
	w.handPings()
	if err != 0 {
		return fmt.Errorf("daemon: epoll_wait: %w", err)
	}
	var buf [8]byte
	for _, ev := range w.sw.events[:n] {
		fd := int(ev.Fd)
		switch {
		case fd == w.tick || fd == w.deadline || fd == w.event:
			_, _ = unix.Read(fd, buf[:])
		case w.extra[fd] != nil:
			w.extra[fd]()
		}
		// A pidfd stays readable until forget: the reap sweep that
		// follows every wait collects its child.
	}
	return nil
}

// handPings gives the loop the pings the section took, before any
// notice read after them.
func (w *waiter) handPings() {
	var now unix.Timespec
	_ = unix.ClockGettime(unix.CLOCK_MONOTONIC, &now)
	for i := range w.sw.n {
		if at := w.sw.pinged[i]; at != 0 {
			w.sw.pinged[i] = 0
			w.pinged(int(w.sw.pids[i]), time.Duration(now.Nano()-at))
		}
	}
}

func (w *waiter) close() {
	for pid := range w.pidfds {
		w.forget(pid)
	}
	for _, fd := range []int{w.tick, w.deadline, w.event, w.ep} {
		if fd >= 0 {
			unix.Close(fd)
		}
	}
}
