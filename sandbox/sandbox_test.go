package sandbox

import (
	"errors"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// The filter cannot be removed, so it is tested in a child process: the
// test binary run again with SANDBOX_CHILD set.
func TestMain(m *testing.M) {
	switch os.Getenv("SANDBOX_CHILD") {
	case "1":
		os.Exit(child())
	case "landlock":
		os.Exit(landlockChild())
	case "nolandlock":
		os.Exit(noLandlockChild())
	}
	os.Exit(m.Run())
}

// child installs the filter of $SANDBOX_ROLE and checks what it lets
// through: unix sockets, internet sockets for the uplink only, and none
// of the calls no role has.
func child() int {
	role := os.Getenv("SANDBOX_ROLE")
	// No $NOTIFY_SOCKET: the filter answers EPERM itself, and says so.
	if err := Filter(role); !errors.Is(err, ErrUnlogged) {
		os.Stderr.WriteString(err.Error())
		return 3
	}
	var want error = syscall.EAFNOSUPPORT
	if online[role] {
		want = nil
	}
	for _, n := range []string{"tcp", "tcp6"} {
		l, err := net.Listen(n, map[string]string{"tcp": "127.0.0.1:0", "tcp6": "[::1]:0"}[n])
		if l != nil {
			l.Close()
		}
		if want == nil && errors.Is(err, syscall.EAFNOSUPPORT) || want != nil && !errors.Is(err, want) {
			os.Stderr.WriteString(n + ": " + errString(err))
			return 4
		}
	}
	c, err := net.Dial("unix", os.Getenv("SANDBOX_SOCK"))
	if err != nil {
		os.Stderr.WriteString("unix denied: " + err.Error())
		return 6
	}
	c.Close()
	if err := syscall.Kill(os.Getpid(), 0); err != nil {
		os.Stderr.WriteString("kill of itself denied: " + err.Error())
		return 8
	}
	for _, c := range forbidden {
		if c.nr == unix.SYS_SOCKET && online[role] {
			continue // the uplink may open any socket
		}
		arg0 := uintptr(0)
		if c.nr == unix.SYS_KILL {
			arg0 = 1 // signal 0 to init: allowed without the filter
		}
		if _, _, e := syscall.Syscall6(c.nr, arg0, 0, 0, 0, 0, 0); e != syscall.EPERM {
			os.Stderr.WriteString(c.name + " not denied: " + errString(e))
			return 7
		}
	}
	return 0
}

func errString(err error) string {
	if err == nil {
		return "no error"
	}
	return err.Error()
}

// forbidden are calls no role may make, by their number here.
var forbidden = []struct {
	name string
	nr   uintptr
}{
	{"ptrace", unix.SYS_PTRACE}, {"mount", unix.SYS_MOUNT}, {"bpf", unix.SYS_BPF},
	{"keyctl", unix.SYS_KEYCTL}, {"init_module", unix.SYS_INIT_MODULE},
	{"kexec_load", unix.SYS_KEXEC_LOAD}, {"execve", unix.SYS_EXECVE},
	{"socket(AF_UNSPEC)", unix.SYS_SOCKET}, {"kill(1)", unix.SYS_KILL},
}

// TestFilter runs each role's filter in a child process and checks it
// from inside. The child has no $NOTIFY_SOCKET (a role run by hand), or
// one nobody listens on: either way its filter answers EPERM itself.
func TestFilter(t *testing.T) {
	if !Supported() {
		t.Skip("no seccomp here (qemu-user?)")
	}
	for role := range roleCalls {
		for _, notify := range []string{"", "/nonexistent/notify.sock"} {
			t.Run(role+"/notify="+notify, func(t *testing.T) { runFilterChild(t, role, notify) })
		}
	}
}

func runFilterChild(t *testing.T, role, notify string) {
	sock := t.TempDir() + "/s"
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "SANDBOX_CHILD=1", "NOTIFY_SOCKET="+notify, "SANDBOX_ROLE="+role, "SANDBOX_SOCK="+sock)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, strings.TrimSpace(string(out)))
	}
}
