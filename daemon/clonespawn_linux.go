//go:build amd64 || arm64

package daemon

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The built-in roles are started without vfork. syscall.ForkExec
// clones with CLONE_VFORK and then reads a status pipe until the child
// has exec'd, so the daemon's thread is woken once the child lets go of
// the memory (inside execve) and, on a busy core, takes the CPU from the
// child it is waiting for; the child then waits for a scheduler tick
// behind whatever else runs there (BENCHMARKS.md, "Restart, 2026-12-07").
// Here the parent writes the child's whole life before exec as a list of
// system calls (cloneStep), clones with CLONE_VM and no CLONE_VFORK, and
// goes on at once. The child runs the list in assembly (rawClone, in the
// .s files), on the memory it shares with the daemon and a small stack
// of its own, touching nothing but the list and its result; it never
// runs Go code. A step that fails ends it with exit status 127 and the
// step's error in cloned.res, which the daemon reads when it reaps it:
// an exec error is reported at the child's death (cloneSpawner.execErr), not
// by spawn.

// cloneStep is one system call of the child; its layout is known to the
// assembly (72 bytes: nr, six arguments, want, exact).
type cloneStep struct {
	nr    uintptr
	args  [6]uintptr
	want  uintptr // with exact: the one result that succeeds
	exact uintptr // 0: any result but an error succeeds
}

// cloneResult is written by a child whose step failed; its layout is
// known to the assembly.
type cloneResult struct {
	ret  uintptr // the failed step's result: -errno, or the unwanted value
	left uintptr // steps left when it failed, that one included; 0: none failed
}

// rawClone is clone(flags, stack) whose child runs steps[:n] and ends
// with exit_group(127) if one fails or the list runs out (execve, the
// last, does not return). It returns the child's pid, or -errno.
//
//go:noescape
func rawClone(flags, stack uintptr, steps *cloneStep, n uintptr, res *cloneResult) uintptr

// cloneStack is the child's stack: the steps use none, but the kernel
// needs a place for SP, and all signals are blocked until the handlers
// are back to their defaults, so no signal frame is ever pushed on it.
const cloneStack = 1024

// cloned is one child started by clone: everything its steps point
// into, kept alive until it is reaped, and what it left on failure.
type cloned struct {
	steps  []cloneStep
	res    cloneResult
	keep   []any // the strings and vectors the steps point into
	mask   uint64
	stack  [cloneStack]byte
	sigDfl [4]uint64 // struct sigaction with SIG_DFL, zero flags and mask
	spec   spawnSpec
}

// sigIgnored is the signals the daemon ignores, read once: a child keeps
// them ignored, as after ForkExec; every other handler goes back to
// SIG_DFL.
type sigIgnored [65]bool

func readIgnored() *sigIgnored {
	var ign sigIgnored
	for sig := 1; sig < len(ign); sig++ {
		var old [4]uint64
		_, _, e := unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(sig), 0, uintptr(unsafe.Pointer(&old)), 8, 0, 0)
		ign[sig] = e == 0 && old[0] == 1 // SIG_IGN
	}
	return &ign
}

// cloneSpawner starts children with rawClone, or says it cannot
// (errNoClone), once and for good, so that spawn uses ForkExec.
type cloneSpawner struct {
	ignored  *sigIgnored     // read at the first spawn
	children map[int]*cloned // by pid, until reaped
	off      bool            // clone(CLONE_VM) was refused: ForkExec from now on
	said     bool            // the first clone was logged
	log      *slog.Logger    // says which of the two, once
}

func newCloneSpawner(log *slog.Logger) *cloneSpawner {
	return &cloneSpawner{children: map[int]*cloned{}, log: log}
}

// errNoClone: this spawn needs ForkExec.
var errNoClone = errors.New("daemon: clone without vfork not available")

// spawn starts s. It returns errNoClone, having started nothing, when
// the kernel (or an emulator: qemu-user refuses CLONE_VM without
// CLONE_THREAD) does not take the clone.
func (cs *cloneSpawner) spawn(s spawnSpec) (int, error) {
	if cs == nil || cs.off {
		return 0, errNoClone
	}
	if cs.ignored == nil {
		cs.ignored = readIgnored()
	}
	c, err := cs.prepare(s)
	if err != nil {
		return 0, err
	}
	all := ^uint64(0)
	top := uintptr(unsafe.Pointer(&c.stack[cloneStack-16])) &^ 15
	// Held for writing, as ForkExec does: no descriptor is made without
	// close-on-exec while the child can still inherit it.
	syscall.ForkLock.Lock()
	unix.RawSyscall6(unix.SYS_RT_SIGPROCMASK, unix.SIG_SETMASK, uintptr(unsafe.Pointer(&all)), uintptr(unsafe.Pointer(&c.mask)), 8, 0, 0)
	r := rawClone(uintptr(syscall.SIGCHLD)|unix.CLONE_VM, top, &c.steps[0], uintptr(len(c.steps)), &c.res)
	unix.RawSyscall6(unix.SYS_RT_SIGPROCMASK, unix.SIG_SETMASK, uintptr(unsafe.Pointer(&c.mask)), 0, 8, 0, 0)
	syscall.ForkLock.Unlock()
	if e := syscall.Errno(-r); int(r) < 0 {
		if e == syscall.EINVAL || e == syscall.ENOSYS || e == syscall.EPERM {
			cs.off = true
			if cs.log != nil {
				cs.log.Info("clone without vfork refused; children are started with ForkExec", "err", e)
			}
			return 0, errNoClone
		}
		return 0, fmt.Errorf("daemon: clone for %s: %w", s.path, e)
	}
	cs.children[int(r)] = c
	if !cs.said && cs.log != nil {
		cs.log.Info("children are started by clone without vfork", "child_pid", int(r))
	}
	cs.said = true
	return int(r), nil
}

// execErr says why pid, reaped, never exec'd, and forgets it; nil if
// it did, or was not started here.
func (cs *cloneSpawner) execErr(pid int) error {
	c, ok := cs.children[pid]
	if !ok {
		return nil
	}
	delete(cs.children, pid)
	if c.res.left == 0 {
		return nil
	}
	if e := syscall.Errno(-c.res.ret); int(c.res.ret) < 0 {
		return spawnError(c.spec, e) // as ForkExec reports a failure in the child
	}
	return fmt.Errorf("daemon: start %s: the daemon's thread ended before the child set its death signal", c.spec.path)
}

// prepare writes s as the child's steps: what ForkExec's child does,
// in its order, for what spawnSpec can ask.
func (cs *cloneSpawner) prepare(s spawnSpec) (*cloned, error) {
	c := &cloned{spec: s}
	path, err := syscall.BytePtrFromString(s.path)
	if err != nil {
		return nil, err
	}
	argv, err := syscall.SlicePtrFromStrings(s.argv)
	if err != nil {
		return nil, err
	}
	envp, err := syscall.SlicePtrFromStrings(s.env)
	if err != nil {
		return nil, err
	}
	dir, err := syscall.BytePtrFromString(s.dir)
	if err != nil {
		return nil, err
	}
	c.keep = append(c.keep, path, argv, envp, dir)
	c.steps = make([]cloneStep, 0, 96)
	add := func(nr uintptr, args ...uintptr) {
		st := cloneStep{nr: nr}
		copy(st.args[:], args)
		c.steps = append(c.steps, st)
	}
	ptr := func(p unsafe.Pointer) uintptr { return uintptr(p) }
	// The handlers the daemon set: back to SIG_DFL, all signals still
	// blocked (the parent blocked them around the clone).
	for sig := 1; sig < len(cs.ignored); sig++ {
		if sig != int(syscall.SIGKILL) && sig != int(syscall.SIGSTOP) && !cs.ignored[sig] {
			add(unix.SYS_RT_SIGACTION, uintptr(sig), ptr(unsafe.Pointer(&c.sigDfl)), 0, 8)
		}
	}
	add(unix.SYS_SETPGID, 0, 0)
	if cr := s.cred; cr != nil {
		groups := make([]uint32, len(cr.Groups), len(cr.Groups)+1)
		copy(groups, cr.Groups)
		groups = append(groups, 0)[:len(cr.Groups)] // a valid pointer even for none
		c.keep = append(c.keep, groups)
		if !cr.NoSetGroups {
			add(unix.SYS_SETGROUPS, uintptr(len(cr.Groups)), ptr(unsafe.Pointer(unsafe.SliceData(groups))))
		}
		add(unix.SYS_SETGID, uintptr(cr.Gid))
		add(unix.SYS_SETUID, uintptr(cr.Uid))
	}
	if s.dir != "" {
		add(unix.SYS_CHDIR, ptr(unsafe.Pointer(dir)))
	}
	if s.deathSig != 0 {
		add(unix.SYS_PRCTL, unix.PR_SET_PDEATHSIG, uintptr(s.deathSig))
		// The daemon's thread may have ended before the prctl: then the
		// signal never comes, and the child must not run on.
		add(unix.SYS_GETPPID)
		c.steps[len(c.steps)-1].want, c.steps[len(c.steps)-1].exact = uintptr(os.Getpid()), 1
	}
	cs.addFiles(c, s, add)
	add(unix.SYS_RT_SIGPROCMASK, unix.SIG_SETMASK, ptr(unsafe.Pointer(&c.mask)), 0, 8)
	add(unix.SYS_EXECVE, ptr(unsafe.Pointer(path)), ptr(unsafe.Pointer(&argv[0])), ptr(unsafe.Pointer(&envp[0])))
	return c, nil
}

// addFiles makes the child's descriptors 0, 1, 2, 3... the spec's stdio
// and pipe ends, as ForkExec does: a source that a lower dup3 would
// overwrite is first moved above them all (close-on-exec), then each is
// put in place without close-on-exec.
func (cs *cloneSpawner) addFiles(c *cloned, s spawnSpec, add func(uintptr, ...uintptr)) {
	src := append([]int{s.stdio.in, s.stdio.out, s.stdio.err}, s.ends...)
	high := len(src)
	for _, fd := range src {
		high = max(high, fd+1)
	}
	for i, fd := range src {
		if fd < len(src) {
			add(unix.SYS_DUP3, uintptr(fd), uintptr(high+i), unix.O_CLOEXEC)
			src[i] = high + i
		}
	}
	for i, fd := range src {
		add(unix.SYS_DUP3, uintptr(fd), uintptr(i), 0)
	}
}
