package packaging

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestQEMU runs the ARM builds on this machine under qemu-user: the
// whole appliance on the simulated board, its children started through
// the exec wrapper (qemu-user cannot exec an ARM child by itself), until
// `sensord status --json` (the same ARM binary, through qemu) shows four
// running children and the data directory has light records; then
// SIGTERM, and the daemon must exit 0. scripts/qemu-test.sh runs it.
func TestQEMU(t *testing.T) {
	if os.Getenv("SENSORD_QEMU") == "" {
		t.Skip("set SENSORD_QEMU=1 (scripts/qemu-test.sh) to run the ARM builds under qemu-user")
	}
	dist := openDir(t)
	for _, a := range []struct{ name, qemu string }{
		{"arm64", "qemu-aarch64-static"},
		{"armv6", "qemu-arm-static"},
	} {
		t.Run(a.name, func(t *testing.T) {
			qemu, err := exec.LookPath(a.qemu)
			if err != nil {
				t.Fatalf("%s not found; run scripts/install-test-deps.sh", a.qemu)
			}
			bin := filepath.Join(dist, "sensord-linux-"+a.name)
			if out, err := exec.Command("make", "-C", "..", "DIST="+dist, bin).CombinedOutput(); err != nil {
				t.Fatalf("make %s: %v\n%s", bin, err, out)
			}
			runUnderQEMU(t, qemu, bin)
		})
	}
}

func runUnderQEMU(t *testing.T, qemu, bin string) {
	dir := openDir(t)
	data, run := filepath.Join(dir, "data"), filepath.Join(dir, "run")
	logPath := filepath.Join(dir, "daemon.log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	cmd := exec.Command(qemu, bin, "run", "--sim", "--tty", "none", "--data-dir", data, "--runtime-dir", run)
	cmd.Env = append(os.Environ(), "SENSORD_EXEC_WRAPPER="+qemu)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			t.Logf("daemon log:\n%s", b)
		}
	})

	st := waitFor(t, done, 90*time.Second, "four running children, each run by qemu", func() (status, bool) {
		s, ok := queryStatus(qemu, bin, run)
		return s, ok && s.allRunning(4) && s.wrapped(qemu)
	})
	t.Logf("children: %s", st)
	waitFor(t, done, 60*time.Second, "light records in "+data, func() (status, bool) {
		return st, hasLight(data)
	})

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("daemon after SIGTERM: %v (want exit 0)", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("daemon still running 30s after SIGTERM")
	}
}

// openDir is a temporary directory the children can enter: run as root,
// the daemon starts them as user sensord (or nobody), and t.TempDir is
// mode 0700.
func openDir(t *testing.T) string {
	d := t.TempDir()
	for p := d; p != os.TempDir() && p != "/"; p = filepath.Dir(p) {
		if err := os.Chmod(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

type status struct {
	Children []struct {
		Name  string `json:"name"`
		PID   int    `json:"pid"`
		State string `json:"state"`
	} `json:"children"`
}

func (s status) allRunning(n int) bool {
	running := 0
	for _, c := range s.Children {
		if c.State == "running" && c.PID > 0 {
			running++
		}
	}
	return running == n
}

// wrapped: each child's process image is qemu, so the daemon really
// started it through the wrapper.
func (s status) wrapped(qemu string) bool {
	for _, c := range s.Children {
		exe, err := os.Readlink("/proc/" + strconv.Itoa(c.PID) + "/exe")
		if err != nil || exe != qemu {
			return false
		}
	}
	return true
}

func (s status) String() string {
	var b strings.Builder
	for _, c := range s.Children {
		b.WriteString(c.Name + "=" + c.State + "(" + strconv.Itoa(c.PID) + ") ")
	}
	return b.String()
}

func queryStatus(qemu, bin, run string) (status, bool) {
	var s status
	out, err := exec.Command(qemu, bin, "status", "--json", "--runtime-dir", run).Output()
	if err != nil || json.Unmarshal(out, &s) != nil {
		return s, false
	}
	return s, true
}

func hasLight(dir string) bool {
	files, _ := filepath.Glob(filepath.Join(dir, "sensord-*.jsonl"))
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(fh)
		for sc.Scan() {
			if strings.Contains(sc.Text(), `"src":"light"`) && strings.Contains(sc.Text(), `"lux":`) {
				fh.Close()
				return true
			}
		}
		fh.Close()
	}
	return false
}

// waitFor polls cond until it holds, the daemon exits, or the deadline.
func waitFor(t *testing.T, done <-chan error, limit time.Duration, what string, cond func() (status, bool)) status {
	t.Helper()
	deadline := time.Now().Add(limit)
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		s, ok := cond()
		if ok {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s within %s; last status: %s", what, limit, s)
		}
		select {
		case err := <-done:
			t.Fatalf("daemon exited (%v) while waiting for %s", err, what)
		case <-tick.C:
		}
	}
}
