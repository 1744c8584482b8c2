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
// Measured here (BENCHMARKS.md): the daemon's idle wake-ups, most of
// them sysmon's, drop by that. Both functions are kept for callers
// outside the runtime (go.dev/issue/67401: "Do not remove or change the
// type signature").

//go:linkname entersyscallblock runtime.entersyscallblock
func entersyscallblock()

//go:linkname exitsyscall runtime.exitsyscall
func exitsyscall()

// epollWaitBlock is epoll_wait(ep, events, -1). It is nosplit and calls
// only nosplit code between the two runtime calls, as it must: the
// goroutine may not grow its stack without a P.
//
//go:nosplit
func epollWaitBlock(ep int, events []unix.EpollEvent) (int, syscall.Errno) {
	entersyscallblock()
	r, _, e := syscall.RawSyscall6(unix.SYS_EPOLL_PWAIT, uintptr(ep), uintptr(unsafe.Pointer(&events[0])),
		uintptr(len(events)), ^uintptr(0), 0, 0)
	exitsyscall()
	return int(r), e
}
