package daemon

import (
	"fmt"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// ttyMode is how the GUI is attached to a screen; its String is the
// GUI's --tty argument.
type ttyMode int

const (
	ttyNone     ttyMode = iota // no screen
	ttyTerminal                // the terminal the daemon was started from
	ttyConsole                 // a console device such as /dev/tty1
)

func (m ttyMode) String() string {
	return [...]string{"none", "terminal", "console"}[m]
}

// terminal is the GUI's screen as the daemon holds it: an open
// descriptor, the settings saved at start, and the foreground process
// group to give the terminal back to.
type terminal struct {
	mode  ttyMode
	fd    int
	path  string
	saved *unix.Termios
	pgrp  int // foreground process group at start (ttyTerminal)
}

// openTerminal opens the GUI's screen for gui.tty: "" the controlling
// terminal of the daemon, "none" nothing, or a device path. Without a
// controlling terminal "" falls back to none, with a reason.
func openTerminal(setting string) (*terminal, string, error) {
	switch setting {
	case "none":
		return &terminal{mode: ttyNone, fd: -1}, "", nil
	case "":
		if !isTerminal(0) {
			return &terminal{mode: ttyNone, fd: -1},
				"stdin is not a terminal; set gui.tty to a device such as /dev/tty1 to draw there", nil
		}
		t, err := openTTY(stdinTTY(), ttyTerminal)
		if err != nil {
			return nil, "", err
		}
		t.pgrp, _ = unix.IoctlGetInt(t.fd, unix.TIOCGPGRP)
		return t, "", nil
	}
	t, err := openTTY(setting, ttyConsole)
	return t, "", err
}

func openTTY(path string, mode ttyMode) (*terminal, error) {
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("daemon: gui.tty %s: %w; check the path, or set gui.tty = \"none\"", path, err)
	}
	if !isTerminal(fd) {
		unix.Close(fd)
		return nil, fmt.Errorf("daemon: gui.tty %s is not a terminal", path)
	}
	t := &terminal{mode: mode, fd: fd, path: path}
	t.saved, _ = unix.IoctlGetTermios(fd, unix.TCGETS)
	return t, nil
}

// stdinTTY names the terminal on stdin, such as /dev/pts/3, so that the
// descriptor the daemon opens is that device and not the /dev/tty alias.
func stdinTTY() string {
	if p, err := os.Readlink("/proc/self/fd/0"); err == nil && strings.HasPrefix(p, "/dev/") {
		return p
	}
	return "/dev/tty"
}

func isTerminal(fd int) bool {
	_, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	return err == nil
}

// restore puts back the terminal settings saved at start and, for the
// daemon's own terminal, makes the original process group the
// foreground again, so that a dead GUI never leaves it in raw mode.
// SIGTTOU is ignored by the daemon, so this works from the background.
func (t *terminal) restore() {
	if t == nil || t.fd < 0 {
		return
	}
	if t.saved != nil {
		_ = unix.IoctlSetTermios(t.fd, unix.TCSETSW, t.saved)
	}
	if t.mode == ttyTerminal && t.pgrp > 0 {
		_ = unix.IoctlSetPointerInt(t.fd, unix.TIOCSPGRP, t.pgrp)
	}
	if t.mode != ttyNone {
		// Show the cursor and leave the alternate screen, in case the
		// GUI died in the middle of drawing.
		_, _ = unix.Write(t.fd, []byte("\x1b[?25h\x1b[?1049l\x1b[0m"))
	}
}

// close restores the terminal and closes it.
func (t *terminal) close() {
	if t == nil || t.fd < 0 {
		return
	}
	t.restore()
	unix.Close(t.fd)
	t.fd = -1
}

// sameTerminal reports whether descriptors a and b are both the same
// terminal, such as stdin and stderr of a shell.
func sameTerminal(a, b int) bool {
	if !isTerminal(a) || !isTerminal(b) {
		return false
	}
	var sa, sb unix.Stat_t
	if unix.Fstat(a, &sa) != nil || unix.Fstat(b, &sb) != nil {
		return false
	}
	return sa.Rdev == sb.Rdev
}
