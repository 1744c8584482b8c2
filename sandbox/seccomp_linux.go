package sandbox

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"strings"
	"unsafe"

	seccomp "github.com/elastic/go-seccomp-bpf"
	"github.com/elastic/go-seccomp-bpf/arch"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// Filtered says whether role runs under a system-call allow-list: the
// child roles do, the daemon and the user's commands do not.
func Filtered(role string) bool {
	_, ok := roleCalls[role]
	return ok
}

// program is role's filter for this architecture as BPF: a call in
// its list is allowed, socket(2) goes by its family for the offline
// roles, kill(2) and tgkill(2) by their target, and everything else (a foreign architecture, x32) gets deny.
// go-seccomp-bpf gives the names' numbers; the program is written here
// because its conditional groups leave an argument in the accumulator
// for the group after them.
func program(role string, deny seccomp.Action) ([]unix.SockFilter, error) {
	extra, ok := roleCalls[role]
	if !ok {
		return nil, fmt.Errorf("sandbox: no system-call list for role %q", role)
	}
	info, err := arch.GetInfo("")
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	insts := head(info, deny)
	for _, n := range known(info, goRuntime, extra) {
		insts = append(insts, retIf(uint32(info.SyscallNames[n]), seccomp.ActionAllow)...)
	}
	if nr, ok := info.SyscallNames["socket"]; ok && !online[role] {
		insts = append(insts, socketByFamily(uint32(nr), deny)...)
	}
	for _, n := range []string{"kill", "tgkill"} {
		if nr, ok := info.SyscallNames[n]; ok {
			insts = append(insts, selfOnly(uint32(nr), deny)...)
		}
	}
	insts = append(insts, bpf.RetConstant{Val: uint32(deny)})
	return assemble(insts)
}

// Offsets in struct seccomp_data.
const (
	offNr     = 0
	offArch   = 4
	offArg0Lo = 16 // little-endian: the low half of args[0]
)

// head refuses a foreign architecture (and on amd64 the x32 ABI) and
// loads the call's number.
func head(info *arch.Info, deny seccomp.Action) []bpf.Instruction {
	insts := []bpf.Instruction{
		bpf.LoadAbsolute{Off: offArch, Size: 4},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: uint32(info.ID), SkipTrue: 1},
		bpf.RetConstant{Val: uint32(deny)},
		bpf.LoadAbsolute{Off: offNr, Size: 4},
	}
	if info.ID == arch.X86_64.ID {
		insts = append(insts,
			bpf.JumpIf{Cond: bpf.JumpLessThan, Val: uint32(arch.X32.SeccompMask), SkipTrue: 1},
			bpf.RetConstant{Val: uint32(deny)})
	}
	return insts
}

// retIf returns action when the accumulator is v, else goes on.
func retIf(v uint32, action seccomp.Action) []bpf.Instruction {
	return []bpf.Instruction{
		bpf.JumpIf{Cond: bpf.JumpNotEqual, Val: v, SkipTrue: 1},
		bpf.RetConstant{Val: uint32(action)},
	}
}

// socketByFamily lets socket(AF_UNIX, ...) through and answers AF_INET
// and AF_INET6 with EAFNOSUPPORT, as systemd's RestrictAddressFamilies
// does; other families get deny. The family is an int: its low half is
// all the kernel reads.
func socketByFamily(nr uint32, deny seccomp.Action) []bpf.Instruction {
	noAF := seccomp.ActionErrno | seccomp.Action(unix.EAFNOSUPPORT)
	insts := []bpf.Instruction{
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: nr, SkipTrue: 1},
		bpf.Jump{Skip: 8},
		bpf.LoadAbsolute{Off: offArg0Lo, Size: 4},
	}
	insts = append(insts, retIf(unix.AF_UNIX, seccomp.ActionAllow)...)
	insts = append(insts, retIf(unix.AF_INET, noAF)...)
	insts = append(insts, retIf(unix.AF_INET6, noAF)...)
	return append(insts, bpf.RetConstant{Val: uint32(deny)})
}

// selfOnly lets kill(2) or tgkill(2) through when its first argument is
// this process: the Go runtime signals itself (preemption, and a crash
// re-raising SIGABRT so that it dumps core), never another process.
func selfOnly(nr uint32, deny seccomp.Action) []bpf.Instruction {
	insts := []bpf.Instruction{
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: nr, SkipTrue: 1},
		bpf.Jump{Skip: 4},
		bpf.LoadAbsolute{Off: offArg0Lo, Size: 4},
	}
	insts = append(insts, retIf(uint32(os.Getpid()), seccomp.ActionAllow)...)
	return append(insts, bpf.RetConstant{Val: uint32(deny)})
}

func assemble(insts []bpf.Instruction) ([]unix.SockFilter, error) {
	raw, err := bpf.Assemble(insts)
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	out := make([]unix.SockFilter, len(raw))
	for i, r := range raw {
		out[i] = unix.SockFilter{Code: r.Op, Jt: r.Jt, Jf: r.Jf, K: r.K}
	}
	return out, nil
}

// known is the names of lists that info's architecture has, each once.
func known(info *arch.Info, lists ...[]string) []string {
	seen := map[string]bool{}
	var out []string
	for _, l := range lists {
		for _, n := range l {
			if _, ok := info.SyscallNames[n]; ok && !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	return out
}

// Filter confines this process, every thread of it, to role's system
// calls from now on (README.md, "Security: system calls"). It cannot be
// undone.
//
// Under the daemon ($NOTIFY_SOCKET set) a call not allowed goes to the
// daemon (SECCOMP_RET_USER_NOTIF): this process hands it the filter's
// listener on the notify socket (daemon.SeccompFDName), and the daemon
// answers EPERM and logs the call by name. Where that cannot be (no
// $NOTIFY_SOCKET: a role run by hand; a kernel before 5.7 or an
// emulator that refuses a listener) the filter answers EPERM itself and
// Filter returns a warning with the filter in place. An error with no
// filter at all says so.
func Filter(role string) error {
	sock := os.Getenv("NOTIFY_SOCKET")
	if sock == "" {
		return denyOnly(role, "no $NOTIFY_SOCKET")
	}
	conn, err := dialNotify(sock)
	if err != nil {
		return denyOnly(role, "cannot reach $NOTIFY_SOCKET: "+err.Error())
	}
	defer unix.Close(conn)
	prog, err := program(role, seccomp.ActionUserNotify)
	if err != nil {
		return err
	}
	fd, err := install(prog, unix.SECCOMP_FILTER_FLAG_NEW_LISTENER|unix.SECCOMP_FILTER_FLAG_TSYNC|unix.SECCOMP_FILTER_FLAG_TSYNC_ESRCH)
	if err != nil {
		return denyOnly(role, "the kernel refused a seccomp listener: "+err.Error())
	}
	err = handOver(conn, fd)
	unix.Close(fd)
	if err != nil {
		return fmt.Errorf("sandbox: %s: cannot hand the seccomp listener to the daemon: %w; denied calls fail with ENOSYS, unlogged", role, err)
	}
	probeSeccomp(role)
	return nil
}

// denyOnly installs role's filter answering EPERM itself and returns the
// warning that denied calls go unlogged, why.
func denyOnly(role, why string) error {
	prog, err := program(role, seccomp.ActionErrno|seccomp.Action(unix.EPERM))
	if err != nil {
		return err
	}
	if _, err := install(prog, unix.SECCOMP_FILTER_FLAG_TSYNC); err != nil {
		return fmt.Errorf("sandbox: cannot install the seccomp filter of %s: %w; it runs without one (is the kernel built with CONFIG_SECCOMP_FILTER?)", role, err)
	}
	probeSeccomp(role)
	return fmt.Errorf("sandbox: %s: %w (%s)", role, ErrUnlogged, why)
}

// ErrUnlogged is Filter's warning that the filter is in place but
// answers EPERM itself, so a denied call is not logged.
var ErrUnlogged = errors.New("denied system calls fail with EPERM but are not logged")

// dialNotify connects a datagram socket to the daemon's notify socket,
// before the filter is in place: if the daemon cannot be reached, the
// filter answers EPERM itself rather than wait for it.
func dialNotify(sock string) (int, error) {
	s, err := unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, err
	}
	if err := unix.Connect(s, &unix.SockaddrUnix{Name: sock}); err != nil {
		unix.Close(s)
		return -1, err
	}
	return s, nil
}

// handOver sends fd on conn with sd_notify's fd-store message.
func handOver(conn, fd int) error {
	msg := []byte("FDSTORE=1\nFDNAME=" + listenerName)
	return unix.Sendmsg(conn, msg, unix.UnixRights(fd), nil, 0)
}

// listenerName is daemon.SeccompFDName (the daemon imports this package's
// callers, not the other way round).
const listenerName = "seccomp"

// SeccompProbeEnv names system calls, comma-separated (ptrace, mount,
// bpf, keyctl, init_module, execve, ...), that a filtered role makes at
// once, with zero arguments, and logs the outcome of, one line each
// ("seccomp probe"): a seam for
// the end-to-end tests, which check from inside the running child that
// the call is refused and that the daemon logs it. Unset in normal use.
const SeccompProbeEnv = "SENSORD_SECCOMP_PROBE"

func probeSeccomp(role string) {
	names := os.Getenv(SeccompProbeEnv)
	info, err := arch.GetInfo("")
	if names == "" || err != nil {
		return
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	for _, name := range strings.Split(names, ",") {
		nr, ok := info.SyscallNames[name]
		var e error = unix.ENOSYS
		if ok {
			_, _, errno := unix.Syscall6(uintptr(nr), 0, 0, 0, 0, 0, 0)
			e = errno
		}
		log.Info("seccomp probe", "role", role, "syscall", name, "err", e)
	}
}

// Supported says whether this kernel can hand a denied call to the
// daemon (SECCOMP_RET_USER_NOTIF): not under qemu-user, which has no
// seccomp at all.
func Supported() bool {
	action := uint32(seccomp.ActionUserNotify)
	_, _, e := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_GET_ACTION_AVAIL, 0, uintptr(unsafe.Pointer(&action)))
	return e == 0
}

// install sets no_new_privs and loads prog with seccomp(2) and flags;
// with SECCOMP_FILTER_FLAG_NEW_LISTENER it returns the listener's fd.
func install(prog []unix.SockFilter, flags uintptr) (int, error) {
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return -1, fmt.Errorf("no_new_privs: %w", err)
	}
	fprog := unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
	fd, _, e := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, flags, uintptr(unsafe.Pointer(&fprog)))
	runtime.KeepAlive(prog)
	if e != 0 {
		return -1, e
	}
	return int(fd), nil
}
