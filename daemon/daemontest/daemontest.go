// Package daemontest starts the real sensord binary on the simulated
// board for end-to-end tests, and waits for conditions instead of
// sleeping.
package daemontest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sensord/control"
	"sensord/ipc/ipctest"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Version is the version Build sets, as make does (-X
// sensord/version.Version), for tests that check it is shown everywhere.
const Version = "0.0.0+e2e"

// Build compiles sensord into dir and returns the binary's path. Call it
// from TestMain so that every test of a package shares one build.
func Build(dir string) (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	// Children may run as another user: they must reach the binary.
	if err := os.Chmod(dir, 0o755); err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "sensord")
	cmd := exec.Command("go", "build", "-ldflags", "-X sensord/version.Version="+Version, "-o", bin, ".")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
}

func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", err
	}
	return filepath.Dir(strings.TrimSpace(string(out))), nil
}

// Options configure one appliance.
type Options struct {
	Config string   // TOML written to a file and passed with --config
	Args   []string // more flags for `sensord run`
	Env    []string // more environment
	// Data and Runtime reuse directories, such as another appliance's.
	Data, Runtime string
	// DataInConfig leaves logger.dir to Config: no --data-dir flag,
	// which would override it, also on a reload. Set Data to match.
	DataInConfig bool
	// BoardInConfig leaves board.kind to Config: no --sim flag.
	BoardInConfig bool
	// AllowDenied lets the log hold DeniedLine: a test that makes a
	// child call what its seccomp filter refuses. Without it, such a
	// line fails the test: a role's list lacks a call it makes.
	AllowDenied bool
	// Wrap is a command the daemon runs under, such as setpriv with
	// the unit's capabilities; it must exec sensord in its place.
	Wrap []string
}

// DeniedLine is what the daemon logs for a child's system call that its
// seccomp filter refused (README.md, "Security: system calls").
const DeniedLine = `msg="seccomp: denied system call"`

// Appliance is one running daemon with its directories.
type Appliance struct {
	t       testing.TB
	Bin     string
	Dir     string // scratch directory of this appliance
	Data    string // logger.dir
	Runtime string // runtime directory, with the control socket
	Config  string // path of the config file ("" if none)
	Cmd     *exec.Cmd
	log     *syncBuffer
	allow   bool // o.AllowDenied
	exited  chan struct{}
	waitErr error
}

// Start runs `sensord run --sim --tty none` with its own directories
// and waits until the control socket answers with every child running.
func Start(t testing.TB, bin string, o Options) *Appliance {
	t.Helper()
	a := Spawn(t, bin, o)
	a.WaitFor("all children running", 20*time.Second, func(st control.Status) bool { return AllRunning(st, 4) })
	return a
}

// AllRunning: the status has n children, every one running.
func AllRunning(st control.Status, n int) bool {
	for _, c := range st.Children {
		if c.State != "running" {
			return false
		}
	}
	return len(st.Children) == n
}

// Spawn starts the daemon without waiting for it.
func Spawn(t testing.TB, bin string, o Options) *Appliance {
	t.Helper()
	dir := OpenDir(t)
	a := &Appliance{t: t, Bin: bin, Dir: dir, Data: filepath.Join(dir, "data"),
		Runtime: filepath.Join(dir, "run"), log: &syncBuffer{}, allow: o.AllowDenied, exited: make(chan struct{})}
	if o.Data != "" {
		a.Data = o.Data
	}
	if o.Runtime != "" {
		a.Runtime = o.Runtime
	}
	args := []string{"run", "--tty", "none", "--runtime-dir", a.Runtime}
	if !o.BoardInConfig {
		args = append(args, "--sim")
	}
	if !o.DataInConfig {
		args = append(args, "--data-dir", a.Data)
	}
	if o.Config != "" {
		a.Config = filepath.Join(dir, "sensord.toml")
		if err := os.WriteFile(a.Config, []byte(o.Config), 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, "--config", a.Config)
	}
	argv := append(slices.Clone(o.Wrap), bin)
	argv = append(append(argv, args...), o.Args...)
	a.Cmd = exec.Command(argv[0], argv[1:]...)
	a.Cmd.Env = append(os.Environ(), o.Env...)
	a.Cmd.Stdout, a.Cmd.Stderr = a.log, a.log
	if err := a.Cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { a.waitErr = a.Cmd.Wait(); close(a.exited) }()
	t.Cleanup(a.cleanup)
	return a
}

func (a *Appliance) cleanup() {
	select {
	case <-a.exited:
	default:
		_ = a.Cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-a.exited:
		case <-time.After(10 * time.Second):
			_ = a.Cmd.Process.Kill()
			<-a.exited
		}
	}
	a.checkDenied()
	if a.t.Failed() {
		a.t.Logf("daemon log:\n%s", a.Log())
	}
}

// checkDenied fails the test on a denied system call in the log, unless
// the test asked for one.
func (a *Appliance) checkDenied() {
	if a.allow {
		return
	}
	for _, line := range strings.Split(a.Log(), "\n") {
		if strings.Contains(line, DeniedLine) {
			a.t.Errorf("a child made a system call its seccomp filter refused; add it to the role's list in sandbox/syscalls.go if the role needs it: %s", line)
		}
	}
}

// Log returns everything the daemon and its children wrote so far.
func (a *Appliance) Log() string { return a.log.String() }

// Socket is the control socket's path.
func (a *Appliance) Socket() string { return filepath.Join(a.Runtime, control.SocketName) }

// Status asks the daemon for its status.
func (a *Appliance) Status() (control.Status, error) {
	var st control.Status
	err := (control.Client{Path: a.Socket()}).Do(context.Background(), control.Request{Cmd: "status"}, &st)
	return st, err
}

// Child returns one child's status, failing the test if there is none.
func (a *Appliance) Child(name string) control.ChildStatus {
	a.t.Helper()
	st, err := a.Status()
	if err != nil {
		a.t.Fatal(err)
	}
	for _, c := range st.Children {
		if c.Name == name {
			return c
		}
	}
	a.t.Fatalf("no child %q in status", name)
	return control.ChildStatus{}
}

// WaitFor polls the status until cond holds, failing after timeout.
func (a *Appliance) WaitFor(what string, timeout time.Duration, cond func(control.Status) bool) control.Status {
	a.t.Helper()
	var st control.Status
	var err error
	Until(a.t, what, timeout, func() bool {
		select {
		case <-a.exited:
			a.t.Fatalf("daemon exited (%v) while waiting for %s", a.waitErr, what)
		default:
		}
		st, err = a.Status()
		return err == nil && cond(st)
	})
	return st
}

// WaitRunning waits until child name runs with a generation of at
// least gen, and returns its status.
func (a *Appliance) WaitRunning(name string, gen uint32) control.ChildStatus {
	a.t.Helper()
	var got control.ChildStatus
	a.WaitFor(fmt.Sprintf("%s running with gen >= %d", name, gen), 20*time.Second, func(st control.Status) bool {
		for _, c := range st.Children {
			if c.Name == name {
				got = c
				return c.State == "running" && c.Gen >= gen && c.PID > 0
			}
		}
		return false
	})
	return got
}

// WaitLog waits until the log contains s.
func (a *Appliance) WaitLog(s string, timeout time.Duration) {
	a.t.Helper()
	Until(a.t, "log line "+s, timeout, func() bool { return strings.Contains(a.Log(), s) })
}

// Signal sends sig to the daemon.
func (a *Appliance) Signal(sig syscall.Signal) {
	if err := a.Cmd.Process.Signal(sig); err != nil {
		a.t.Fatal(err)
	}
}

// Wait waits for the daemon to exit and returns its exit code.
func (a *Appliance) Wait(timeout time.Duration) int {
	a.t.Helper()
	select {
	case <-a.exited:
	case <-time.After(timeout):
		a.t.Fatalf("daemon still running after %s", timeout)
	}
	return a.Cmd.ProcessState.ExitCode()
}

// Stop sends SIGTERM and returns the exit code.
func (a *Appliance) Stop() int {
	a.t.Helper()
	a.Signal(syscall.SIGTERM)
	return a.Wait(20 * time.Second)
}

// OpenDir returns a new temporary directory that every user can enter,
// because the daemon runs its children as an unprivileged user when the
// tests run as root.
func OpenDir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	for d := dir; d != os.TempDir() && d != "/"; d = filepath.Dir(d) {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// Until polls cond every few milliseconds until it holds, failing the
// test after timeout.
func Until(t testing.TB, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	if !ipctest.Poll(timeout, cond) {
		t.Fatalf("timed out after %s waiting for %s", timeout, what)
	}
}

// Gone reports whether pid no longer names a live process (it is gone
// or a zombie waiting for a reaper that is not ours).
func Gone(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	i := bytes.LastIndexByte(b, ')')
	return i > 0 && len(b) > i+2 && (b[i+2] == 'Z' || b[i+2] == 'X')
}

// JSON returns the status as raw JSON, for schema checks.
func (a *Appliance) JSON() map[string]any {
	a.t.Helper()
	var m map[string]any
	if err := (control.Client{Path: a.Socket()}).Do(context.Background(), control.Request{Cmd: "status"}, &m); err != nil {
		a.t.Fatal(err)
	}
	return m
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
