package daemon

import (
	"errors"
	"fmt"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// stdio is the three descriptors a child gets as 0, 1 and 2, and how it
// is attached to the terminal, if at all.
type stdio struct {
	in, out, err int
	tty          ttyMode // the GUI's terminal mode; ttyNone for the others
}

// spawnSpec is everything needed to fork/exec one child.
type spawnSpec struct {
	path  string   // program to exec (the wrapper, if one is set)
	argv  []string // full argument vector
	env   []string
	dir   string // working directory: where core files land
	stdio stdio
	ends  []int // pipe descriptors in the daemon, become fd 3, 4, ...
	cred  *syscall.Credential
	// deathSig is sent to the child when the daemon dies. SIGKILL for
	// all but the GUI, which gets SIGTERM so it can restore its screen.
	deathSig syscall.Signal
	// self: the program is this binary, whose runtime sets up again
	// what ForkExec would restore (RLIMIT_NOFILE), so the clone path
	// may start it.
	self bool
}

// spawn starts one child with raw descriptors: the child gets exactly
// stdio plus its pipe ends, nothing else, since every descriptor of the
// daemon is close-on-exec. A built-in role with no terminal is cloned
// without vfork (cs; clonespawn_linux.go): spawn returns at once and an
// exec error comes at its death (cloneSpawner.execErr). Anything else
// goes through syscall.ForkExec, which returns once the child has
// exec'd or failed to.
//
// Another program is cloned too unless the daemon's soft open-file limit
// is the one Go's runtime raised it to at start: ForkExec gives such a
// program back the limit the daemon was started with, which only the
// runtime knows, so that a program using select(2) is not handed
// descriptors above 1023.
func spawn(cs *cloneSpawner, s spawnSpec) (int, error) {
	if s.stdio.tty == ttyNone && (s.self || !nofileRaised()) {
		pid, err := cs.spawn(s)
		if err != errNoClone {
			return pid, spawnError(s, err)
		}
	}
	pid, err := forkExec(s)
	return pid, spawnError(s, err)
}

// forkExec is spawn with syscall.ForkExec.
func forkExec(s spawnSpec) (int, error) {
	files := make([]uintptr, 0, 3+len(s.ends))
	files = append(files, uintptr(s.stdio.in), uintptr(s.stdio.out), uintptr(s.stdio.err))
	for _, fd := range s.ends {
		files = append(files, uintptr(fd))
	}
	attr := &syscall.ProcAttr{
		Dir: s.dir, Env: s.env, Files: files,
		Sys: &syscall.SysProcAttr{Pdeathsig: s.deathSig, Credential: s.cred},
	}
	switch s.stdio.tty {
	case ttyConsole:
		// Own session with the console as controlling terminal.
		attr.Sys.Setsid, attr.Sys.Setctty, attr.Sys.Ctty = true, true, 0
	case ttyTerminal:
		// Own process group, made the terminal's foreground group so
		// that it may read keys and set raw mode.
		attr.Sys.Setpgid, attr.Sys.Foreground, attr.Sys.Ctty = true, true, 0
	default:
		attr.Sys.Setpgid = true
	}
	return syscall.ForkExec(s.path, s.argv, attr)
}

// nofileRaised reports whether RLIMIT_NOFILE looks raised by Go's
// runtime, which sets the soft limit to the hard one less one when the
// soft one was below that (package syscall, rlimit.go).
func nofileRaised() bool {
	var l syscall.Rlimit
	return syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l) != nil || l.Cur == l.Max-1
}

// spawnError says what to do about a failure to start s, nil for none.
func spawnError(s spawnSpec, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, syscall.EACCES) && s.cred != nil:
		return fmt.Errorf("daemon: exec %s in %s as uid %d: %w; that user must be able to enter %s and every folder above the program",
			s.path, s.dir, s.cred.Uid, err, s.dir)
	}
	return fmt.Errorf("daemon: exec %s: %w", s.path, err)
}

// devNull opens /dev/null close-on-exec, for children's stdio.
func devNull() (int, error) {
	fd, err := unix.Open(os.DevNull, unix.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("daemon: open %s: %w", os.DevNull, err)
	}
	return fd, nil
}
