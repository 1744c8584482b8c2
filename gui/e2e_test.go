package gui

import (
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sensord/control"
	"sensord/sandbox"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// tmuxRun is one tmux server of our own (its own socket), so the test
// never touches anyone else's sessions.
type tmuxRun struct {
	t    *testing.T
	sock string
}

func (x tmuxRun) cmd(args ...string) string {
	x.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-f", "/dev/null", "-S", x.sock}, args...)...).CombinedOutput()
	if err != nil {
		x.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (x tmuxRun) capture() string { return x.cmd("capture-pane", "-p", "-J", "-t", "e2e") }

// waitScreen polls the pane until cond holds, for up to 20 s.
func (x tmuxRun) waitScreen(what string, cond func(string) bool) string {
	x.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		s := x.capture()
		if cond(s) {
			return s
		}
		if time.Now().After(deadline) {
			x.t.Fatalf("timed out waiting for %s; pane:\n%s", what, s)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// buildSensord builds the binary from the repository root.
func buildSensord(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "sensord")
	out, err := exec.Command("go", "build", "-o", bin, "..").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// guiChild reads the GUI's pid and generation from `sensord status --json`.
func guiChild(t *testing.T, bin, rt string) (pid, gen int) {
	t.Helper()
	out, err := exec.Command(bin, "status", "--json", "--runtime-dir", rt).Output()
	if err != nil {
		return 0, 0
	}
	var st control.Status
	if err := json.Unmarshal(out, &st); err != nil {
		t.Fatalf("status --json: %v\n%s", err, out)
	}
	for _, c := range st.Children {
		if c.Name == "gui" && c.State == "running" {
			return c.PID, int(c.Gen)
		}
	}
	return 0, 0
}

var procRow = regexp.MustCompile(`(?m)^ (gui|motion|light|logger) +\d+ +running`)

// startAppliance runs `sensord run --sim` in a tmux pane of w x h with
// TERM=linux and a UTF-8 locale. When sensord exits the pane prints
// SENSORD-EXITED and its status, then `stty -a`.
func startAppliance(t *testing.T, w, h int) (x tmuxRun, bin, rt string) {
	x, bin, rt, _ = startWith(t, w, h, "", "")
	return x, bin, rt
}

// startWith is startAppliance with more environment (VAR=value ...)
// and a configuration file's text, if not empty; it also returns the
// daemon's log file.
func startWith(t *testing.T, w, h int, env, config string) (x tmuxRun, bin, rt, logFile string) {
	if testing.Short() {
		t.Skip("end-to-end test; not with -short")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed: skipping the end-to-end dashboard test (apt-get install tmux)")
	}
	dir, err := os.MkdirTemp("", "guie2e") // short: the control socket path has a length limit
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	// As root the daemon runs its children as the sensord user, who
	// must be able to reach the binary.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin = buildSensord(t, dir)
	data, rt := filepath.Join(dir, "data"), filepath.Join(dir, "rt")
	x = tmuxRun{t: t, sock: filepath.Join(dir, "tmux.sock")}
	logFile = filepath.Join(dir, "daemon.log")
	args := " run --sim --data-dir " + data + " --runtime-dir " + rt
	if config != "" {
		conf := filepath.Join(dir, "sensord.toml")
		if err := os.WriteFile(conf, []byte(config), 0o644); err != nil {
			t.Fatal(err)
		}
		args += " --config " + conf
	}
	script := "env TERM=linux LANG=C.UTF-8 " + env + " " + bin + args +
		" 2>" + logFile + "; echo SENSORD-EXITED $?; stty -a; sleep 600"
	x.cmd("new-session", "-d", "-s", "e2e", "-x", strconv.Itoa(w), "-y", strconv.Itoa(h), script)
	t.Cleanup(func() {
		if pid := daemonPID(bin, rt); pid > 0 {
			syscall.Kill(pid, syscall.SIGKILL)
		}
		exec.Command("tmux", "-S", x.sock, "kill-server").Run()
		if t.Failed() {
			log, _ := os.ReadFile(logFile)
			t.Logf("daemon log:\n%s", log)
		}
	})
	return x, bin, rt, logFile
}

// TestE2ETmux runs the whole appliance on the simulated board in a tmux
// pane of 80x24 with TERM=linux: the dashboard shows lux, motion and the
// four processes; it comes back after a kill -9; it redraws on a
// resize; q stops everything and leaves the terminal canonical and
// echoing.
func TestE2ETmux(t *testing.T) {
	x, bin, rt := startAppliance(t, 80, 24)
	x.waitScreen("lux, motion and four running processes", func(s string) bool {
		return strings.Contains(s, " lx") && strings.Contains(s, "Motion") &&
			(strings.Contains(s, "no motion") || strings.Contains(s, "MOTION")) &&
			len(procRow.FindAllString(s, -1)) == 4
	})

	pid, gen := guiChild(t, bin, rt)
	if pid == 0 {
		t.Fatal("no running gui in sensord status")
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	x.waitScreen("the dashboard back after kill -9 of the GUI", func(s string) bool {
		return regexp.MustCompile(`(?m)^ gui +\d+ +running +`+strconv.Itoa(gen+1)+` .*SIGKILL`).MatchString(s) &&
			strings.Contains(s, " lx") && len(procRow.FindAllString(s, -1)) == 4
	})

	x.cmd("resize-window", "-t", "e2e", "-x", "120", "-y", "40")
	x.waitScreen("a 120x40 redraw", func(s string) bool {
		lines := strings.Split(s, "\n")
		return len(lines) >= 40 && strings.Contains(s, "Light ──────────────────────────────────────────")
	})
	x.cmd("resize-window", "-t", "e2e", "-x", "80", "-y", "24")

	x.cmd("send-keys", "-t", "e2e", "q")
	s := x.waitScreen("sensord to exit and stty to print", func(s string) bool {
		return strings.Contains(s, "SENSORD-EXITED") && strings.Contains(s, "echoctl")
	})
	if !strings.Contains(s, "SENSORD-EXITED 0") {
		t.Errorf("sensord did not exit 0:\n%s", s)
	}
	for _, flag := range []string{"icanon", "echo"} {
		if !regexp.MustCompile(`(^|\s)` + flag + `(\s|$)`).MatchString(s) {
			t.Errorf("terminal not restored: no %q in stty -a:\n%s", flag, s)
		}
	}
}

// TestE2ETmuxSandboxed: the dashboard on a terminal confines itself
// with Landlock (README.md, "Security: file system"): it cannot read a
// world-readable file outside its allowance, and it still draws the
// sensors and the uplink's row, read from the uplink's status file (the
// broker here is a port nobody listens on).
func TestE2ETmuxSandboxed(t *testing.T) {
	if abi, _ := sandbox.LandlockABI(); abi == 0 {
		t.Skip("this kernel has no Landlock")
	}
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	broker := "mqtt://" + closed.Addr().String()
	closed.Close()
	x, _, _, logFile := startWith(t, 120, 40, sandbox.ProbeEnv+"=/etc/passwd",
		"[uplink]\nbroker = \""+broker+"\"\n")
	x.waitScreen("lux, motion, the four processes running and the uplink down", func(s string) bool {
		return strings.Contains(s, " lx") && len(procRow.FindAllString(s, -1)) == 4 &&
			strings.Contains(s, "mqtt down")
	})
	const denied = `msg="sandbox probe" role=gui gen=1 path=/etc/passwd err="open /etc/passwd: permission denied"`
	if log, _ := os.ReadFile(logFile); !strings.Contains(string(log), denied) {
		t.Errorf("no %s in the daemon's log:\n%s", denied, log)
	}
}

// daemonPID is the daemon's pid from its status, 0 if it is not running.
func daemonPID(bin, rt string) int {
	out, err := exec.Command(bin, "status", "--json", "--runtime-dir", rt).Output()
	if err != nil {
		return 0
	}
	var st control.Status
	if json.Unmarshal(out, &st) != nil {
		return 0
	}
	return st.PID
}
