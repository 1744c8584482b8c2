package sandbox

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	seccomp "github.com/elastic/go-seccomp-bpf"
)

// landlockChild runs in the re-executed test binary: it restricts itself
// to SANDBOX_RW, then writes inside it and tries to read outside it.
func landlockChild() int {
	dir := os.Getenv("SANDBOX_RW")
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	allowed, _ := strconv.ParseUint(os.Getenv("SANDBOX_TCP_ALLOWED"), 10, 16)
	if err := os.Chdir(os.Getenv("SANDBOX_WD")); err != nil {
		os.Stderr.WriteString(err.Error())
		return 3
	}
	if err := Restrict(log, Paths{RWDirs: []string{dir}, ConnectTCP: []uint16{uint16(allowed)}}); err != nil {
		os.Stderr.WriteString(err.Error())
		return 3
	}
	if err := os.WriteFile(filepath.Join(dir, "inside"), []byte("x"), 0o600); err != nil {
		os.Stderr.WriteString("write inside denied: " + err.Error())
		return 4
	}
	if abi, _ := LandlockABI(); abi == 0 {
		return 0 // no Landlock: nothing more to check
	}
	if _, err := os.ReadFile(os.Getenv("SANDBOX_OUTSIDE")); !errors.Is(err, syscall.EACCES) {
		os.Stderr.WriteString("read outside not denied: " + errString(err))
		return 5
	}
	if code := coreChild(); code != 0 {
		return code
	}
	return tcpChild(allowed)
}

// coreChild: a file may be written again in the working directory, as
// a core is, but not read.
func coreChild() int {
	for range 2 {
		os.Remove("core")
		if err := os.WriteFile("core", []byte("x"), 0o600); err != nil {
			os.Stderr.WriteString("core not written: " + err.Error())
			return 8
		}
	}
	if _, err := os.ReadFile("core"); !errors.Is(err, syscall.EACCES) {
		os.Stderr.WriteString("core read not denied: " + errString(err))
		return 9
	}
	return 0
}

// tcpChild: the allowed port answers, the other is refused (ABI 4+).
func tcpChild(allowed uint64) int {
	if abi, _ := LandlockABI(); abi < 4 {
		return 0
	}
	if err := dialTCP(fmt.Sprintf("127.0.0.1:%d", allowed)); err != nil {
		os.Stderr.WriteString("allowed port refused: " + err.Error())
		return 6
	}
	if err := dialTCP(os.Getenv("SANDBOX_TCP_OTHER")); !errors.Is(err, syscall.EACCES) {
		os.Stderr.WriteString("other port not denied: " + errString(err))
		return 7
	}
	return 0
}

func TestRestrict(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "outside")
	if err := os.WriteFile(outside, []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	allowed, other := listen(t), listen(t)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "SANDBOX_CHILD=landlock", "SANDBOX_RW="+t.TempDir(), "SANDBOX_WD="+t.TempDir(), "SANDBOX_OUTSIDE="+outside,
		"SANDBOX_TCP_ALLOWED="+strconv.Itoa(allowed.Addr().(*net.TCPAddr).Port), "SANDBOX_TCP_OTHER="+other.Addr().String())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, strings.TrimSpace(string(out)))
	}
}

// listen opens a TCP listener on 127.0.0.1 that accepts and closes.
func listen(t *testing.T) net.Listener {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	return l
}

// noLandlockChild runs in the re-executed test binary as on a kernel
// without Landlock: a seccomp filter makes its three calls fail with
// ENOSYS. Restrict must return nil, warn once, and restrict nothing.
func noLandlockChild() int {
	f := seccomp.Filter{NoNewPrivs: true, Flag: seccomp.FilterFlagTSync, Policy: seccomp.Policy{
		DefaultAction: seccomp.ActionAllow,
		Syscalls: []seccomp.SyscallGroup{{
			Action: seccomp.ActionErrno | seccomp.Action(syscall.ENOSYS),
			Names:  []string{"landlock_create_ruleset", "landlock_add_rule", "landlock_restrict_self"},
		}},
	}}
	if err := seccomp.LoadFilter(f); err != nil {
		os.Stderr.WriteString("no seccomp to hide Landlock with: " + err.Error())
		return 2
	}
	var buf strings.Builder
	log := slog.New(slog.NewTextHandler(&buf, nil))
	if err := Restrict(log, Paths{RWDirs: []string{os.Getenv("SANDBOX_RW")}}); err != nil {
		os.Stderr.WriteString("Restrict failed without Landlock: " + err.Error())
		return 3
	}
	if n := strings.Count(buf.String(), "kernel has no Landlock"); n != 1 {
		os.Stderr.WriteString(fmt.Sprintf("%d warnings, want 1: %s", n, buf.String()))
		return 4
	}
	if _, err := os.ReadFile(os.Getenv("SANDBOX_OUTSIDE")); err != nil {
		os.Stderr.WriteString("unrestricted read failed: " + err.Error())
		return 5
	}
	return 0
}

// TestRestrictWithoutLandlock: on a kernel without Landlock a role runs
// on, unrestricted, after one warning.
func TestRestrictWithoutLandlock(t *testing.T) {
	if !Supported() {
		t.Skip("no seccomp here to hide Landlock with")
	}
	outside := filepath.Join(t.TempDir(), "outside")
	if err := os.WriteFile(outside, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "SANDBOX_CHILD=nolandlock", "SANDBOX_RW="+t.TempDir(), "SANDBOX_OUTSIDE="+outside)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, strings.TrimSpace(string(out)))
	}
}
