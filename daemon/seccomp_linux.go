package daemon

import (
	"fmt"
	"log/slog"
	"strconv"
	"unsafe"

	"github.com/elastic/go-seccomp-bpf/arch"
	"golang.org/x/sys/unix"
)

// SeccompFDName is the FDNAME under which a child hands the daemon its
// seccomp listener ("FDSTORE=1\nFDNAME=seccomp" with the descriptor,
// sd_notify's fd-store message, on the notify socket): the daemon then
// answers the child's denied system calls with EPERM and logs each
// (README.md, "Security: system calls"). The child is the filter's
// user; the daemon is its notifier, so that a denied call made by the
// Go runtime with its locks held, or with GOMAXPROCS=1, cannot wait on
// the child itself.
const SeccompFDName = "seccomp"

// seccompLogEvery is how often a call denied again is logged again: its
// first denial, then every seccompLogEvery-th, with the count, so that a
// role looping on a missing entry does not flood the journal.
const seccompLogEvery = 1000

// listener is one child's seccomp listener, watched by the loop's wait
// point until the child is gone.
type listener struct {
	fd     int
	child  string
	pid    int
	denied map[int32]uint64 // system call number -> times denied
}

// struct seccomp_notif and struct seccomp_notif_resp (linux/seccomp.h).
type seccompNotif struct {
	id    uint64
	pid   uint32
	flags uint32
	nr    int32
	arch  uint32
	ip    uint64
	args  [6]uint64
}

type seccompResp struct {
	id    uint64
	val   int64
	error int32
	flags uint32
}

// seccompListen takes c's listener fd: the loop answers it from now on.
func (s *supervisor) seccompListen(c *child, fd int) {
	if s.wait == nil {
		unix.Close(fd)
		return
	}
	l := &listener{fd: fd, child: c.name, pid: c.pid, denied: map[int32]uint64{}}
	if err := s.wait.watch(fd, func() { s.seccompReady(l) }); err != nil {
		s.log.Warn("seccomp: cannot watch the listener; the child's denied calls fail with ENOSYS unlogged", "child", c.name, "err", err)
		unix.Close(fd)
	}
}

// seccompReady answers the notification waiting on l, or drops l once
// its child is gone (the listener hangs up). The fd is blocking, so
// poll says first which of the two it is.
func (s *supervisor) seccompReady(l *listener) {
	pfd := []unix.PollFd{{Fd: int32(l.fd), Events: unix.POLLIN}}
	if _, err := unix.Poll(pfd, 0); err != nil {
		return
	}
	if pfd[0].Revents&unix.POLLIN == 0 {
		if pfd[0].Revents&(unix.POLLHUP|unix.POLLERR|unix.POLLNVAL) != 0 {
			s.wait.unwatch(l.fd)
			unix.Close(l.fd)
		}
		return
	}
	var n seccompNotif
	if err := ioctlPtr(l.fd, unix.SECCOMP_IOCTL_NOTIF_RECV, unsafe.Pointer(&n)); err != nil {
		return // the caller went away meanwhile (ENOENT), or EINTR
	}
	r := seccompResp{id: n.id, error: -int32(unix.EPERM)}
	_ = ioctlPtr(l.fd, unix.SECCOMP_IOCTL_NOTIF_SEND, unsafe.Pointer(&r))
	l.denied[n.nr]++
	if k := l.denied[n.nr]; logDenial(k) {
		s.log.Warn("seccomp: denied system call", slog.String("child", l.child), slog.Int("pid", l.pid),
			slog.Int("tid", int(n.pid)), slog.String("syscall", syscallName(n.arch, n.nr)),
			slog.String("args", fmt.Sprintf("%#x", n.args)), slog.Uint64("times", k))
	}
}

// logDenial says whether the k-th denial of one call is logged.
func logDenial(k uint64) bool { return k == 1 || k%seccompLogEvery == 0 }

func ioctlPtr(fd int, req uint, p unsafe.Pointer) error {
	_, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), uintptr(req), uintptr(p))
	if e != 0 {
		return e
	}
	return nil
}

// syscallName is nr's name on the architecture a (an AUDIT_ARCH_*
// value), or its number where the table has none.
func syscallName(a uint32, nr int32) string {
	for _, info := range []*arch.Info{arch.X86_64, arch.AARCH64, arch.ARM, arch.I386} {
		if uint32(info.ID) == a {
			if name, ok := info.SyscallNumbers[int(nr)]; ok {
				return name
			}
		}
	}
	return strconv.Itoa(int(nr))
}
