package daemon_test

import (
	"bytes"
	"fmt"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"sensord/daemon/daemontest"
)

// openPTY returns a pseudo-terminal's master and the path of its slave,
// sized 80x24, standing in for the appliance console /dev/tty1.
func openPTY(t *testing.T) (*os.File, string) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	rc, _ := m.SyscallConn()
	var n int
	var ioErr error
	rc.Control(func(fd uintptr) {
		if ioErr = unix.IoctlSetPointerInt(int(fd), unix.TIOCSPTLCK, 0); ioErr != nil {
			return
		}
		if n, ioErr = unix.IoctlGetInt(int(fd), unix.TIOCGPTN); ioErr != nil {
			return
		}
		ioErr = unix.IoctlSetWinsize(int(fd), unix.TIOCSWINSZ, &unix.Winsize{Row: 24, Col: 80})
	})
	if ioErr != nil {
		t.Fatal(ioErr)
	}
	return m, fmt.Sprintf("/dev/pts/%d", n)
}

// screenLog collects what is drawn on the console.
type screenLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *screenLog) count(sub string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Count(s.b.Bytes(), []byte(sub))
}

func TestConsoleDashboard(t *testing.T) {
	m, slave := openPTY(t)
	screen := &screenLog{}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := m.Read(buf)
			if err != nil {
				return
			}
			screen.mu.Lock()
			screen.b.Write(buf[:n])
			screen.mu.Unlock()
		}
	}()
	a := daemontest.Start(t, bin, daemontest.Options{Args: []string{"--tty", slave},
		Env: []string{"TERM=linux", "LANG=C.UTF-8"}})
	daemontest.Until(t, "dashboard drawn on the console", 10*time.Second, func() bool { return screen.count("Light") > 0 })
	gui := a.Child("gui")
	sid, _ := unix.Getsid(gui.PID)
	if sid != gui.PID {
		t.Errorf("gui on the console is not a session leader (sid %d, pid %d)", sid, gui.PID)
	}
	before := screen.count("Light")
	syscall.Kill(gui.PID, syscall.SIGKILL)
	a.WaitRunning("gui", 2)
	daemontest.Until(t, "dashboard redrawn by the new GUI", 10*time.Second, func() bool { return screen.count("Light") > before })
	if code := a.Stop(); code != 0 {
		t.Errorf("exit %d", code)
	}
	tio, err := unix.IoctlGetTermios(int(ptyFD(m)), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	if tio.Lflag&unix.ICANON == 0 || tio.Lflag&unix.ECHO == 0 {
		t.Errorf("console left in raw mode: lflag %#x", tio.Lflag)
	}
}

func ptyFD(f *os.File) uintptr {
	var fd uintptr
	rc, _ := f.SyscallConn()
	rc.Control(func(p uintptr) { fd = p })
	return fd
}
