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
// few times before it sleeps again (BENCHMARKS.md, "Supervisor core").
// So an empty poll tick, the supervisor.poll sweep that finds nothing,
// is done here, in the no-P section, and the thread goes back to
// epoll_wait without ever returning to the runtime: one wake-up of one
// thread per tick. Only something to act on (a pidfd, a child that the
// sweep found exited, the deadline, a wake, a notice) leaves it.

//go:linkname entersyscallblock runtime.entersyscallblock
func entersyscallblock()

//go:linkname exitsyscall runtime.exitsyscall
func exitsyscall()

// maxSwept is how many pids the no-P sweep can hold: more than the
// roles there are (README.md, "How it works"). A pid beyond it turns the
// no-P sweep off (sweep.spill), and every tick goes to the loop again.
const maxSwept = 8

// sweep is what the no-P section works on: numbers only, in memory
// allocated once with the waiter and never moved (the heap does not
// move), written by the loop goroutine only, and only outside that
// section. It holds no pointer, so nothing in the section writes one
// (which would need a write barrier, and so a P).
type sweep struct {
	ep, tick int32
	n        int32           // pids[:n] in use
	spill    bool            // a pid did not fit in pids: no sweep here
	pids     [maxSwept]int32 // the children, peeked at each tick
	events   [16]unix.EpollEvent
	info     unix.Siginfo // waitid's answer
	buf      [8]byte      // the tick's expiration count, read and dropped
	quiet    uint64       // ticks done in the section (for tests)
}

// add makes pid part of the tick's sweep.
func (sw *sweep) add(pid int) {
	if sw.n == int32(len(sw.pids)) {
		sw.spill = true
		return
	}
	sw.pids[sw.n] = int32(pid)
	sw.n++
}

// remove drops pid from the sweep.
func (sw *sweep) remove(pid int) {
	for i := range sw.n {
		if sw.pids[i] == int32(pid) {
			sw.n--
			sw.pids[i] = sw.pids[sw.n]
			return
		}
	}
}

// block is epoll_wait(ep, events, -1) with no P, returning to the
// runtime only when something other than an empty tick is ready.
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

// untilWork waits until epoll reports something that is not the tick,
// or a tick whose sweep found a child to reap. EINTR (a signal handled
// on this thread) is waited through: a signal the daemon acts on comes
// back as a wake through the eventfd.
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
		n := int(r)
		if !sw.onlyTick(n) || sw.exited() {
			return n, 0
		}
		sw.quiet++
	}
}

// onlyTick reports whether the tick is all that is ready, and if so
// consumes its expiration so that the next epoll_wait blocks.
//
//go:nosplit
//go:norace
func (sw *sweep) onlyTick(n int) bool {
	if sw.spill {
		return false
	}
	for i := 0; i < n && i < len(sw.events); i++ {
		if sw.events[i].Fd != sw.tick {
			return false
		}
	}
	syscall.RawSyscall(unix.SYS_READ, uintptr(sw.tick), uintptr(unsafe.Pointer(&sw.buf[0])), uintptr(len(sw.buf)))
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
