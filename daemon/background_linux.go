package daemon

import (
	"bufio"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// envReadyFD names the descriptor on which a daemon started with
// --background reports to the process that started it: "ok" once every
// child is up. Its presence also marks the detached process.
const envReadyFD = "SENSORD_READY_FD"

func inBackground() bool { return os.Getenv(envReadyFD) != "" }

// daemonize starts the daemon again detached, for SysV init scripts:
// a new session, cwd /, umask 027, stdio on /dev/null. Go cannot fork
// safely, so it re-executes itself. It returns once the detached daemon
// says it is ready, or with its error if it fails first.
func daemonize(o options) error {
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("daemon: cannot find own executable: %w", err)
	}
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		return fmt.Errorf("daemon: pipe2: %w", err)
	}
	defer unix.Close(p[0])
	null, err := devNull()
	if err != nil {
		unix.Close(p[1])
		return err
	}
	defer unix.Close(null)
	syscall.Umask(0o027)
	env := append(os.Environ(), envReadyFD+"=3")
	_, err = syscall.ForkExec(self, os.Args, &syscall.ProcAttr{Dir: "/", Env: env,
		Files: []uintptr{uintptr(null), uintptr(null), uintptr(null), uintptr(p[1])},
		Sys:   &syscall.SysProcAttr{Setsid: true}})
	unix.Close(p[1])
	if err != nil {
		return fmt.Errorf("daemon: start in background: %w", err)
	}
	line, _ := bufio.NewReader(os.NewFile(uintptr(p[0]), "ready")).ReadString('\n')
	if line = strings.TrimSpace(line); line != "ok" {
		if line == "" {
			line = "it exited before it was ready"
		}
		return fmt.Errorf("daemon: background start failed: %s; see --log-file", line)
	}
	return nil
}

// readyPipe reports readiness to the process that ran --background and
// keeps the pidfile. It wraps the service manager's notifier.
type readyPipe struct {
	notifier
	fd  int
	log *slog.Logger
}

func (r *readyPipe) send(state string) {
	r.notifier.send(state)
	if r.fd >= 0 && strings.Contains(state, "READY=1") {
		_, _ = unix.Write(r.fd, []byte("ok\n"))
		unix.Close(r.fd)
		r.fd = -1
	}
}

// backgroundNotifier returns n itself in the foreground. In the
// background it writes the pidfile and returns a notifier that also
// reports readiness, and a cleanup that removes the pidfile.
func backgroundNotifier(n notifier, o options, log *slog.Logger) (notifier, func(), error) {
	if !inBackground() {
		return n, func() {}, nil
	}
	fd, err := strconv.Atoi(os.Getenv(envReadyFD))
	if err != nil {
		return nil, nil, fmt.Errorf("daemon: bad %s", envReadyFD)
	}
	syscall.CloseOnExec(fd)
	if err := writePidfile(o.pidfile); err != nil {
		_, _ = unix.Write(fd, []byte(err.Error()+"\n"))
		return nil, nil, err
	}
	return &readyPipe{notifier: n, fd: fd, log: log}, func() { os.Remove(o.pidfile) }, nil
}

// writePidfile writes the pid to a temporary file and renames it into
// place, so a reader never sees it half written.
func writePidfile(path string) error {
	tmp := filepath.Join(filepath.Dir(path), fmt.Sprintf(".%s.%d.tmp", filepath.Base(path), time.Now().UnixNano()))
	if err := os.WriteFile(tmp, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
		return fmt.Errorf("daemon: pidfile: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("daemon: pidfile: %w", err)
	}
	return nil
}
