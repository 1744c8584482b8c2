package sandbox

import (
	"errors"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

// The filter cannot be removed, so it is tested in a child process: the
// test binary run again with SANDBOX_CHILD set.
func TestMain(m *testing.M) {
	switch os.Getenv("SANDBOX_CHILD") {
	case "1":
		os.Exit(child())
	case "landlock":
		os.Exit(landlockChild())
	}
	os.Exit(m.Run())
}

func child() int {
	if err := DenyInternet(); err != nil {
		os.Stderr.WriteString(err.Error())
		return 3
	}
	if _, err := net.Listen("tcp", "127.0.0.1:0"); !errors.Is(err, syscall.EAFNOSUPPORT) {
		os.Stderr.WriteString("tcp4 not denied: " + errString(err))
		return 4
	}
	if _, err := net.Listen("tcp6", "[::1]:0"); !errors.Is(err, syscall.EAFNOSUPPORT) {
		os.Stderr.WriteString("tcp6 not denied: " + errString(err))
		return 5
	}
	l, err := net.Listen("unix", os.Getenv("SANDBOX_SOCK"))
	if err != nil {
		os.Stderr.WriteString("unix denied: " + err.Error())
		return 6
	}
	l.Close()
	return 0
}

func errString(err error) string {
	if err == nil {
		return "no error"
	}
	return err.Error()
}

func TestDenyInternet(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "SANDBOX_CHILD=1", "SANDBOX_SOCK="+t.TempDir()+"/s")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, strings.TrimSpace(string(out)))
	}
}
