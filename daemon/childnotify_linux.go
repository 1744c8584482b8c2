package daemon

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// NotifyName is the children's notify socket in the runtime directory.
// Each child gets its path as $NOTIFY_SOCKET and speaks systemd's
// sd_notify protocol to it: READY=1 once it is ready, WATCHDOG=1 from
// its main loop at least every half $WATCHDOG_USEC when it has a
// watchdog. So a child in another language can use libsystemd's
// sd_notify(3) or a ten-line datagram send.
const NotifyName = "notify.sock"

// notifySocket is the daemon's end: a datagram socket with SO_PASSCRED,
// so the kernel stamps every datagram with the sender's pid, which is
// matched against the child table. It is read by the loop goroutine
// only (through the waiter), never by a goroutine of its own.
type notifySocket struct {
	fd   int
	path string
	buf  []byte
	oob  []byte
}

// listenNotify creates the socket at path, writable by uid (the
// children's user; -1: the daemon's own).
func listenNotify(path string, uid int) (*notifySocket, error) {
	_ = os.Remove(path)
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("daemon: notify socket: %w", err)
	}
	n := &notifySocket{fd: fd, path: path, buf: make([]byte, 4096),
		oob: make([]byte, unix.CmsgSpace(unix.SizeofUcred)+unix.CmsgSpace(4*maxNoticeFDs))}
	if err := n.setup(uid); err != nil {
		n.close()
		return nil, err
	}
	return n, nil
}

func (n *notifySocket) setup(uid int) error {
	if err := unix.SetsockoptInt(n.fd, unix.SOL_SOCKET, unix.SO_PASSCRED, 1); err != nil {
		return fmt.Errorf("daemon: notify socket: SO_PASSCRED: %w", err)
	}
	if err := unix.Bind(n.fd, &unix.SockaddrUnix{Name: n.path}); err != nil {
		return fmt.Errorf("daemon: notify socket %s: %w", n.path, err)
	}
	if err := os.Chmod(n.path, 0o600); err != nil {
		return fmt.Errorf("daemon: notify socket: %w", err)
	}
	if uid >= 0 {
		if err := os.Lchown(n.path, uid, -1); err != nil {
			return fmt.Errorf("daemon: notify socket: %w", err)
		}
	}
	return nil
}

// maxNoticeFDs is how many descriptors one datagram may carry (a
// seccomp listener: SeccompFDName); more are cut off by the kernel.
const maxNoticeFDs = 1

// notice is one datagram: the sender's pid, its assignments, and a
// descriptor it passed (SCM_RIGHTS), -1 for none: the receiver owns it.
type notice struct {
	pid    int
	fields map[string]string
	fd     int
}

// read returns every datagram waiting, without blocking. A datagram
// without credentials cannot be attributed and is dropped.
func (n *notifySocket) read() []notice {
	var out []notice
	for {
		nb, noob, _, _, err := unix.Recvmsg(n.fd, n.buf, n.oob, unix.MSG_DONTWAIT|unix.MSG_CMSG_CLOEXEC)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return out
		}
		pid, fd, ok := sender(n.oob[:noob])
		if ok {
			out = append(out, notice{pid: pid, fields: parseNotice(n.buf[:nb]), fd: fd})
		} else if fd >= 0 {
			unix.Close(fd)
		}
	}
}

// sender is the datagram's sender pid from its credentials (ok), and
// the first descriptor it passed (-1: none); any more are closed.
func sender(oob []byte) (pid, fd int, ok bool) {
	fd = -1
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return 0, fd, false
	}
	for _, m := range msgs {
		if cred, err := unix.ParseUnixCredentials(&m); err == nil {
			pid, ok = int(cred.Pid), true
		}
		fds, _ := unix.ParseUnixRights(&m)
		for _, f := range fds {
			if fd < 0 {
				fd = f
			} else {
				unix.Close(f)
			}
		}
	}
	return pid, fd, ok
}

// parseNotice splits "READY=1\nSTATUS=..." into its assignments.
func parseNotice(b []byte) map[string]string {
	f := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			f[k] = v
		}
	}
	return f
}

func (n *notifySocket) close() {
	unix.Close(n.fd)
	_ = os.Remove(n.path)
}

// notifyEnv is what a child's environment gets for the protocol: the
// socket, and with a watchdog its period in µs. WATCHDOG_PID is not set:
// the daemon execs each child in one step and cannot know its pid
// before, and sd_watchdog_enabled(3) takes an absent WATCHDOG_PID as
// "this process".
func notifyEnv(runtimeDir string, watchdogUS int64) []string {
	env := []string{"NOTIFY_SOCKET=" + filepath.Join(runtimeDir, NotifyName)}
	if watchdogUS > 0 {
		env = append(env, "WATCHDOG_USEC="+strconv.FormatInt(watchdogUS, 10))
	}
	return env
}
