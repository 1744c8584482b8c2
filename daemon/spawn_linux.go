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
}

// spawn starts one child with syscall.ForkExec and raw descriptors: the
// child gets exactly stdio plus its pipe ends, nothing else, since every
// descriptor of the daemon is close-on-exec. It returns once the child
// has exec'd (ForkExec waits for exec to succeed or fail).
func spawn(s spawnSpec) (int, error) {
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
	pid, err := syscall.ForkExec(s.path, s.argv, attr)
	if errors.Is(err, syscall.EACCES) && s.cred != nil {
		return 0, fmt.Errorf("daemon: exec %s in %s as uid %d: %w; that user must be able to enter %s and every folder above the program",
			s.path, s.dir, s.cred.Uid, err, s.dir)
	}
	if err != nil {
		return 0, fmt.Errorf("daemon: exec %s: %w", s.path, err)
	}
	return pid, nil
}

// devNull opens /dev/null close-on-exec, for children's stdio.
func devNull() (int, error) {
	fd, err := unix.Open(os.DevNull, unix.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("daemon: open %s: %w", os.DevNull, err)
	}
	return fd, nil
}
