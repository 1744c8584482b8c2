package daemon

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The loop blocks in epoll_wait with no P (the runtime's processor) in
// hand, as the runtime's own blocking waits do: entersyscallblock gives
// the P back at once, where a plain syscall keeps it until sysmon, the
// runtime's monitor thread, takes it back, and sysmon spins meanwhile.
// Both functions are kept for callers outside the runtime
// (go.dev/issue/67401: "Do not remove or change the type signature").
//
// Taking the P back (exitsyscall) costs more wake-ups than the wait
// itself: it wakes sysmon from its deep sleep, and sysmon looks around a
// few times before it sleeps again; another thread may be started to
// poll the network meanwhile (BENCHMARKS.md, "Supervisor core"). So what
// needs no decision is done here, in the no-P section, and the thread
// goes back to epoll_wait without returning to the runtime: one wake-up
// of one thread each. That is
//
//   - an empty poll tick: the supervisor.poll sweep that finds no child
//     exited;
//   - a child's plain watchdog ping ("WATCHDOG=1" alone, from a pid the
//     sweep knows): taken off the notify socket and stamped, and handed
//     to the loop when it next runs (waiter.wait), which is at the
//     latest when the earliest watchdog deadline comes, as before.
//
// Everything else (a pidfd, an exited child, the deadline, a wake, any
// other notice) leaves the section.

//go:linkname entersyscallblock runtime.entersyscallblock
func entersyscallblock()

//go:linkname exitsyscall runtime.exitsyscall
func exitsyscall()

// maxSwept is how many pids the no-P sweep can hold: more than the
// roles there are (README.md, "How it works"). A pid beyond it turns the
// no-P sweep off (sweep.spill), and every tick goes to the loop again.
const maxSwept = 8

// plainPing is the one datagram the section takes off the notify socket.
const plainPing = "WATCHDOG=1"

// credMsg is the control data of a notify datagram: the sender's
// credentials (SO_PASSCRED) and nothing else. Its size is the buffer the
// kernel is given, so anything more (descriptors) would not fit and sets
// MSG_CTRUNC; newSweepNotify checks that its layout is the kernel's.
type credMsg struct {
	hdr  unix.Cmsghdr
	cred unix.Ucred
}

// sweep is what the no-P section works on, in memory allocated once
// with the waiter and never moved (the heap does not move). It is used
// by the loop goroutine only: outside the section by Go code, inside it
// by the section and the kernel, which write numbers only. Its pointers
// (msg's, into sweep itself) are set once, before the first wait, so
// nothing in the section writes a pointer (a write barrier needs a P).
type sweep struct {
	ep, tick, notify int32           // notify: -1 while pings are not taken here
	n                int32           // pids[:n] in use
	spill            bool            // a pid did not fit in pids: no sweep here
	pids             [maxSwept]int32 // the children, peeked at each tick
	pinged           [maxSwept]int64 // CLOCK_MONOTONIC ns of pids[i]'s last ping taken here; 0: none
	events           [16]unix.EpollEvent
	info             unix.Siginfo // waitid's answer
	buf              [8]byte      // the tick's expiration count, read and dropped
	msg              unix.Msghdr  // a notify datagram: data and cred
	iov              unix.Iovec
	data             [len(plainPing) + 1]byte // one more: a longer datagram is no plain ping
	cred             credMsg
	now              unix.Timespec
	got              int           // recv's length
	errno            syscall.Errno // recv's error
	quiet            uint64        // ticks done in the section (for tests)
	pings            uint64        // pings taken in the section (for tests)
}

func newSweep(ep, tick int) *sweep {
	return &sweep{ep: int32(ep), tick: int32(tick), notify: -1}
}

// takePings makes the section take plain pings off the notify socket fd.
// It does nothing where the kernel's control message layout is not
// credMsg's.
func (sw *sweep) takePings(fd int) {
	if unsafe.Sizeof(sw.cred) != uintptr(unix.CmsgSpace(unix.SizeofUcred)) ||
		unsafe.Offsetof(sw.cred.cred) != uintptr(unix.CmsgLen(0)) {
		return
	}
	sw.iov.Base = &sw.data[0]
	sw.iov.SetLen(len(sw.data))
	sw.msg.Iov = &sw.iov
	sw.msg.SetIovlen(1)
	sw.msg.Control = (*byte)(unsafe.Pointer(&sw.cred))
	sw.notify = int32(fd)
}

// add makes pid part of the tick's sweep.
func (sw *sweep) add(pid int) {
	if sw.n == int32(len(sw.pids)) {
		sw.spill = true
		return
	}
	sw.pids[sw.n], sw.pinged[sw.n] = int32(pid), 0
	sw.n++
}

// remove drops pid from the sweep.
func (sw *sweep) remove(pid int) {
	for i := range sw.n {
		if sw.pids[i] == int32(pid) {
			sw.n--
			sw.pids[i], sw.pinged[i] = sw.pids[sw.n], sw.pinged[sw.n]
			return
		}
	}
}

// block is epoll_wait(ep, events, -1) with no P, returning to the
// runtime only when something needs the loop.
//
// It is nosplit, and so is everything it calls between the two runtime
// calls, because the goroutine is in the _Gsyscall state there: it may
// not grow its stack (growing needs a P; a nosplit chain is checked by
// the linker to fit in what the stack has), must not allocate, take a
// lock, touch a channel, defer, or write a pointer (write barriers), and
// the garbage collector may scan its stack at any moment, from the
// frame of block up, as it was at entersyscallblock. So the section
// uses only its receiver, which stays where it was and alive (the waiter
// holds it), scalars in registers and its own frames, and raw system
// calls. norace: the race detector's hooks need a P too; the section
// shares no memory with another goroutine, and the loop goroutine reads
// what it wrote only after exitsyscall.
//
//go:nosplit
//go:norace
func (sw *sweep) block() (int, syscall.Errno) {
	entersyscallblock()
	n, err := sw.untilWork()
	exitsyscall()
	return n, err
}

// untilWork waits until epoll reports something the loop must see.
// EINTR (a signal handled on this thread) is waited through: a signal
// the daemon acts on comes back as a wake through the eventfd.
//
//go:nosplit
//go:norace
func (sw *sweep) untilWork() (int, syscall.Errno) {
	for {
		r, _, e := syscall.RawSyscall6(unix.SYS_EPOLL_PWAIT, uintptr(sw.ep), uintptr(unsafe.Pointer(&sw.events[0])),
			uintptr(len(sw.events)), ^uintptr(0), 0, 0)
		if e == unix.EINTR {
			continue
		}
		if e != 0 {
			return 0, e
		}
		if n := int(r); !sw.quietEvents(n) {
			return n, 0
		}
	}
}

// quietEvents handles the n events of one epoll_wait if they are only
// the tick and plain pings, and reports whether they were.
//
//go:nosplit
//go:norace
func (sw *sweep) quietEvents(n int) bool {
	if sw.spill {
		return false
	}
	tick, notify := false, false
	for i := 0; i < n && i < len(sw.events); i++ {
		switch fd := sw.events[i].Fd; {
		case fd == sw.tick:
			tick = true
		case fd == sw.notify && sw.notify >= 0:
			notify = true
		default:
			return false
		}
	}
	if notify && !sw.takeAllPings() {
		return false
	}
	if tick {
		syscall.RawSyscall(unix.SYS_READ, uintptr(sw.tick), uintptr(unsafe.Pointer(&sw.buf[0])), uintptr(len(sw.buf)))
		if sw.exited() {
			return false
		}
		sw.quiet++
	}
	return true
}

// exited is the supervisor.poll sweep, the safety net under the pidfds
// (README.md, "How it works"): whether any child has exited. It peeks
// with waitid(WNOWAIT), which leaves the child a zombie, so the loop's
// reap (wait4, exit_linux.go) still collects it with its status and
// rusage; nothing is taken here. An error (ECHILD: not ours, which
// should not be) also goes to the loop, which knows what to do.
//
//go:nosplit
//go:norace
func (sw *sweep) exited() bool {
	for i := 0; i < int(sw.n) && i < len(sw.pids); i++ {
		sw.info.Signo = 0
		_, _, e := syscall.RawSyscall6(unix.SYS_WAITID, unix.P_PID, uintptr(sw.pids[i]),
			uintptr(unsafe.Pointer(&sw.info)), unix.WEXITED|unix.WNOHANG|unix.WNOWAIT, 0, 0)
		if e != 0 || sw.info.Signo == int32(unix.SIGCHLD) {
			return true
		}
	}
	return false
}

// takeAllPings takes the plain pings waiting on the notify socket and
// reports whether that emptied it. A datagram that is anything else is
// left where it is, for the loop (notifySocket.read), and so is every
// datagram after it.
//
//go:nosplit
//go:norace
func (sw *sweep) takeAllPings() bool {
	for {
		// Taken by a second recvmsg, the same datagram: only this thread
		// reads the socket.
		i, ok := sw.peekPing()
		switch {
		case !ok:
			return false
		case i < 0:
			return true // nothing more waiting
		case i >= len(sw.pinged) || !sw.recv(unix.MSG_DONTWAIT):
			return false
		}
		syscall.RawSyscall(unix.SYS_CLOCK_GETTIME, unix.CLOCK_MONOTONIC, uintptr(unsafe.Pointer(&sw.now)), 0)
		sw.pinged[i] = int64(sw.now.Sec)*1e9 + int64(sw.now.Nsec)
		sw.pings++
	}
}

// peekPing looks at the next datagram without taking it. It returns the
// sender's index in pids if it is a plain ping from a child (ok), -1 if
// there is none (ok), and ok false for anything else.
//
//go:nosplit
//go:norace
func (sw *sweep) peekPing() (int, bool) {
	if !sw.recv(unix.MSG_PEEK | unix.MSG_DONTWAIT) {
		return -1, sw.errno == unix.EAGAIN
	}
	if sw.got != len(plainPing) || sw.msg.Flags&(unix.MSG_TRUNC|unix.MSG_CTRUNC) != 0 ||
		sw.cred.hdr.Level != unix.SOL_SOCKET || sw.cred.hdr.Type != unix.SCM_CREDENTIALS {
		return 0, false
	}
	for i := 0; i < len(plainPing) && i < len(sw.data); i++ {
		if sw.data[i] != plainPing[i] {
			return 0, false
		}
	}
	for i := 0; i < int(sw.n) && i < len(sw.pids); i++ {
		if sw.pids[i] == sw.cred.cred.Pid {
			return i, true
		}
	}
	return 0, false
}

// recv is recvmsg on the notify socket into data and cred.
//
//go:nosplit
//go:norace
func (sw *sweep) recv(flags int) bool {
	sw.msg.SetControllen(int(unsafe.Sizeof(sw.cred)))
	sw.msg.Flags = 0
	r, _, e := syscall.RawSyscall(unix.SYS_RECVMSG, uintptr(sw.notify), uintptr(unsafe.Pointer(&sw.msg)),
		uintptr(flags|unix.MSG_CMSG_CLOEXEC))
	sw.got, sw.errno = int(r), e
	return e == 0
}
