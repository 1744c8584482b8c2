package daemon_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"sensord/control"
	"sensord/daemon"
	"sensord/daemon/daemontest"
	"sensord/ipc/ipctest"
)

// bin is the sensord binary built once by TestMain.
var bin string

func TestMain(m *testing.M) {
	if mode := os.Getenv("SENSORD_NOTIFY_PROBE"); mode != "" {
		// Re-executed by the daemon in a sensor role: see watchdog_test.go.
		os.Exit(notifyProbe(mode))
	}
	if out := os.Getenv("SENSORD_SPAWN_PROBE"); out != "" {
		// Started by clonespawn_linux_test.go.
		os.Exit(daemon.SpawnProbe(out))
	}
	if os.Getenv("SENSORD_PROBE_OUT") != "" {
		// Re-executed by the daemon in the gui role: see latency_test.go.
		os.Exit(probeGUI())
	}
	dir, err := os.MkdirTemp("", "sensord-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if bin, err = daemontest.Build(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// ends is each role's pipe ends from fd 3 on: the public convention.
var ends = map[string][]string{
	"motion": {"gui-motion", "motion-gui", "motion-logger"},
	"light":  {"gui-light", "light-gui", "light-logger"},
	"logger": {"motion-logger", "light-logger"},
	"gui":    {"motion-gui", "light-gui", "gui-motion", "gui-light"},
}

// fdInfo is one open descriptor of a process.
type fdInfo struct {
	target   string // readlink of /proc/PID/fd/N
	nonblock bool
}

func fds(t *testing.T, pid int) map[int]fdInfo {
	t.Helper()
	dir := fmt.Sprintf("/proc/%d/fd", pid)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int]fdInfo{}
	for _, e := range entries {
		n, _ := strconv.Atoi(e.Name())
		target, err := os.Readlink(filepath.Join(dir, e.Name()))
		if err != nil {
			continue
		}
		info, _ := os.ReadFile(fmt.Sprintf("/proc/%d/fdinfo/%d", pid, n))
		out[n] = fdInfo{target: target, nonblock: flagsOf(string(info))&syscall.O_NONBLOCK != 0}
	}
	return out
}

func flagsOf(fdinfo string) int64 {
	for _, line := range strings.Split(fdinfo, "\n") {
		if v, ok := strings.CutPrefix(line, "flags:"); ok {
			f, _ := strconv.ParseInt(strings.TrimSpace(v), 8, 64)
			return f
		}
	}
	return 0
}

// leakedFDs lists a child's descriptors past stdio and its nEnds pipe
// ends that the daemon holds too. A child may hold what it opened itself
// (its runtime's epoll, the logger's files) and dups of its own ends.
func leakedFDs(got map[int]fdInfo, nEnds int, daemonHas map[string]bool) []string {
	own := map[string]bool{}
	for i := range nEnds {
		own[got[3+i].target] = true
	}
	var out []string
	for n, fd := range got {
		if n >= 3+nEnds && daemonHas[fd.target] && !own[fd.target] {
			out = append(out, fmt.Sprintf("fd %d = %s", n, fd.target))
		}
	}
	return out
}

// checkDescriptors checks that each child holds exactly stdio and its
// own pipe ends, that each pipe joins its writer and its reader, and
// that every pipe end is non-blocking in every process.
func checkDescriptors(t *testing.T, a *daemontest.Appliance) {
	t.Helper()
	st, err := a.Status()
	if err != nil {
		t.Fatal(err)
	}
	inode := map[string]string{} // pipe name -> "pipe:[N]"
	daemonHas := map[string]bool{}
	for n, fd := range fds(t, st.PID) {
		// anon inodes (epoll, eventfd) share one name in every process.
		if n > 2 && fd.target != "/dev/null" && !strings.HasPrefix(fd.target, "anon_inode:") {
			daemonHas[fd.target] = true
		}
	}
	for _, c := range st.Children {
		var got map[int]fdInfo
		var leaked []string
		// A Go child's runtime holds the cgroup CPU files the daemon
		// holds for a moment at start (it closes them with
		// containermaxprocs=0): a leak is what stays.
		ipctest.Poll(5*time.Second, func() bool {
			got = fds(t, c.PID)
			leaked = leakedFDs(got, len(ends[c.Name]), daemonHas)
			return len(leaked) == 0
		})
		for _, l := range leaked {
			t.Errorf("%s (pid %d) %s leaked from the daemon", c.Name, c.PID, l)
		}
		for i, name := range ends[c.Name] {
			fd := got[3+i]
			if !strings.HasPrefix(fd.target, "pipe:") {
				t.Errorf("%s fd %d = %q, want pipe %s", c.Name, 3+i, fd.target, name)
			}
			if !fd.nonblock {
				t.Errorf("%s fd %d (%s) is blocking", c.Name, 3+i, name)
			}
			if prev, ok := inode[name]; ok && prev != fd.target {
				t.Errorf("pipe %s: %s holds %s but its other end is %s", name, c.Name, fd.target, prev)
			}
			inode[name] = fd.target
		}
	}
	seen := map[string]string{}
	for name, ino := range inode {
		if other, dup := seen[ino]; dup {
			t.Errorf("pipes %s and %s are the same pipe %s", name, other, ino)
		}
		seen[ino] = name
	}
	for n, fd := range fds(t, st.PID) {
		if strings.HasPrefix(fd.target, "pipe:") && !fd.nonblock && n > 2 {
			if _, ours := seen[fd.target]; ours {
				t.Errorf("daemon fd %d (%s) is blocking", n, fd.target)
			}
		}
	}
	if len(inode) != 6 {
		t.Errorf("found %d distinct pipes, want 6: %v", len(inode), inode)
	}
}

func TestDescriptorsBeforeAndAfterRestarts(t *testing.T) {
	a := daemontest.Start(t, bin, daemontest.Options{})
	checkDescriptors(t, a)
	for round := 1; round <= 5; round++ {
		for _, name := range []string{"gui", "motion", "light", "logger"} {
			c := a.Child(name)
			if err := syscall.Kill(c.PID, syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			a.WaitRunning(name, c.Gen+1)
		}
	}
	checkDescriptors(t, a)
	for _, c := range a.JSON()["children"].([]any) {
		m := c.(map[string]any)
		if m["restarts"].(float64) != 5 || m["gen"].(float64) != 6 {
			t.Errorf("%s: restarts %v gen %v, want 5 and 6", m["name"], m["restarts"], m["gen"])
		}
	}
}

func TestRestartAfterSignalWithReason(t *testing.T) {
	a := daemontest.Start(t, bin, daemontest.Options{})
	for _, tc := range []struct {
		sig  syscall.Signal
		want string // in the log line
	}{
		{syscall.SIGKILL, "signal=SIGKILL core_dumped=false"},
		{syscall.SIGSEGV, "core_dumped=true"}, // Go turns it into an abort with a core
		{syscall.SIGTERM, "exit_code=0"},
	} {
		for _, name := range []string{"gui", "motion", "light", "logger"} {
			c := a.Child(name)
			syscall.Kill(c.PID, tc.sig)
			n := a.WaitRunning(name, c.Gen+1)
			line := fmt.Sprintf(`msg="child died" child=%s pid=%d gen=%d`, name, c.PID, c.Gen)
			a.WaitLog(line, 5*time.Second)
			logLine := lineWith(a.Log(), line)
			if !strings.Contains(logLine, tc.want) || !strings.Contains(logLine, "max_rss_kib=") ||
				!strings.Contains(logLine, "ran=") {
				t.Errorf("%s after %v: log line %q lacks %q", name, tc.sig, logLine, tc.want)
			}
			if n.LastExit == nil {
				t.Fatalf("%s: no last_exit after %v", name, tc.sig)
			}
		}
	}
}

func lineWith(log, s string) string {
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}

// script writes an executable shell script for the exec override.
func script(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(daemontest.OpenDir(t), "child.sh")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestExitCodesAndSignalsOfAnyProgram(t *testing.T) {
	ctl := daemontest.OpenDir(t)
	os.Chmod(ctl, 0o777)
	// The light role played by a script that exits with the code it is
	// told, or waits for a signal.
	light := script(t, `f=`+ctl+`/code; while [ ! -e $f ]; do sleep 0.01; done; c=$(cat $f); rm -f $f; exit $c`)
	a := daemontest.Start(t, bin, daemontest.Options{Config: "[light]\nexec = \"" + light + "\"\n"})
	for i, code := range []string{"1", "0", "3"} {
		c := a.Child("light")
		os.WriteFile(filepath.Join(ctl, "code"), []byte(code), 0o666)
		a.WaitRunning("light", c.Gen+1)
		a.WaitLog(fmt.Sprintf(`child=light pid=%d gen=%d`, c.PID, c.Gen), 5*time.Second)
		if l := lineWith(a.Log(), fmt.Sprintf(`msg="child died" child=light pid=%d`, c.PID)); !strings.Contains(l, "exit_code="+code) {
			t.Errorf("round %d: %q lacks exit_code=%s", i, l, code)
		}
	}
	c := a.Child("light")
	syscall.Kill(c.PID, syscall.SIGSEGV)
	n := a.WaitRunning("light", c.Gen+1)
	if n.LastExit == nil || n.LastExit.Signal == nil || *n.LastExit.Signal != "SIGSEGV" {
		t.Errorf("last_exit after SIGSEGV = %+v", n.LastExit)
	}
}

func TestCrashLoopBacksOffOthersUndisturbed(t *testing.T) {
	a := daemontest.Spawn(t, bin, daemontest.Options{Config: "[motion]\nexec = \"/bin/false\"\n"})
	st := a.WaitFor("motion crash-looped six times", 30*time.Second, func(st control.Status) bool {
		return st.Children[2].Name == "motion" && st.Children[2].Gen >= 6
	})
	for _, c := range st.Children {
		if c.Name != "motion" && (c.Gen != 1 || c.State != "running") {
			t.Errorf("%s disturbed by the crash loop: gen %d state %s", c.Name, c.Gen, c.State)
		}
	}
	a.WaitFor("motion in backoff", 10*time.Second, func(st control.Status) bool {
		m := st.Children[2]
		return m.State == "backoff" && m.NextStartInMS != nil
	})
	// The delays double: each start is later than the last by at least
	// 50 ms, 100 ms, 200 ms... after the first immediate restart.
	starts := startTimes(t, a.Log(), "motion")
	for i := 2; i < len(starts) && i < 6; i++ {
		want := 50 * time.Millisecond << (i - 2)
		if gap := starts[i].Sub(starts[i-1]); gap < want {
			t.Errorf("start %d came %s after the previous one, want at least %s", i+1, gap, want)
		}
	}
}

func startTimes(t *testing.T, log, child string) []time.Time {
	var out []time.Time
	for _, l := range strings.Split(log, "\n") {
		if !strings.Contains(l, `msg="child started" child=`+child+" ") {
			continue
		}
		ts, _, _ := strings.Cut(strings.TrimPrefix(l, "time="), " ")
		tm, err := time.Parse(time.RFC3339Nano, ts)
		if err != nil {
			t.Fatalf("bad log time in %q", l)
		}
		out = append(out, tm)
	}
	return out
}

func TestMissingProgramRetriedDaemonStaysUp(t *testing.T) {
	a := daemontest.Spawn(t, bin, daemontest.Options{Config: "[light]\nexec = \"/nonexistent/light\"\n"})
	a.WaitLog(`msg="child not started" child=light`, 10*time.Second)
	a.WaitFor("light in backoff, others running", 10*time.Second, func(st control.Status) bool {
		ok := true
		for _, c := range st.Children {
			ok = ok && (c.State == "running") != (c.Name == "light")
		}
		return ok
	})
	if got := strings.Count(a.Log(), `msg="child not started" child=light`); got < 1 {
		t.Errorf("no retry logged")
	}
	if code := a.Stop(); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
}

func TestStopOrderAndNothingLeft(t *testing.T) {
	a := daemontest.Start(t, bin, daemontest.Options{})
	st, _ := a.Status()
	if code := a.Stop(); code != 0 {
		t.Fatalf("exit code %d after SIGTERM, want 0", code)
	}
	for _, c := range st.Children {
		if !daemontest.Gone(c.PID) {
			t.Errorf("%s (pid %d) still alive after the daemon exited", c.Name, c.PID)
		}
	}
	order := []string{}
	for _, l := range strings.Split(a.Log(), "\n") {
		if strings.Contains(l, `msg="child stopped"`) {
			_, rest, _ := strings.Cut(l, "child=")
			name, _, _ := strings.Cut(rest, " ")
			order = append(order, name)
		}
	}
	if len(order) != 4 || order[2] != "logger" || order[3] != "gui" {
		t.Errorf("stop order %v, want motion and light, then logger, then gui", order)
	}
	if _, err := os.Stat(a.Socket()); !os.IsNotExist(err) {
		t.Errorf("control socket left behind: %v", err)
	}
}

// stubbornScript is a child that ignores SIGTERM, and a function that
// waits until it has set up the trap, so SIGTERM cannot come first.
func stubbornScript(t *testing.T) (string, func()) {
	dir := daemontest.OpenDir(t)
	os.Chmod(dir, 0o777)
	mark := filepath.Join(dir, "trapped")
	p := script(t, `trap "" TERM; touch `+mark+`; while :; do sleep 0.05; done`)
	return p, func() {
		daemontest.Until(t, "the child ignores SIGTERM", 10*time.Second, func() bool {
			_, err := os.Stat(mark)
			return err == nil
		})
	}
}

func TestSecondSIGTERMKillsAtOnce(t *testing.T) {
	stubborn, trapped := stubbornScript(t)
	a := daemontest.Start(t, bin, daemontest.Options{
		Config: "[supervisor]\ngrace = \"1m\"\n[motion]\nexec = \"" + stubborn + "\"\n"})
	trapped()
	a.Signal(syscall.SIGTERM)
	a.WaitFor("stopping", 5*time.Second, func(st control.Status) bool { return st.State == "stopping" })
	a.Signal(syscall.SIGTERM)
	if code := a.Wait(10 * time.Second); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
}

func TestGracePeriodEndsInSIGKILL(t *testing.T) {
	stubborn, trapped := stubbornScript(t)
	a := daemontest.Start(t, bin, daemontest.Options{
		Config: "[supervisor]\ngrace = \"200ms\"\n[light]\nexec = \"" + stubborn + "\"\n"})
	trapped()
	if code := a.Stop(); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
	if l := lineWith(a.Log(), `msg="child stopped" child=light`); !strings.Contains(l, "signal=SIGKILL") {
		t.Errorf("light not killed after the grace period: %q", l)
	}
}

func TestDaemonKilledLeavesNoChild(t *testing.T) {
	a := daemontest.Start(t, bin, daemontest.Options{})
	st, _ := a.Status()
	a.Signal(syscall.SIGKILL)
	a.Wait(10 * time.Second)
	for _, c := range st.Children {
		daemontest.Until(t, c.Name+" gone", 10*time.Second, func() bool { return daemontest.Gone(c.PID) })
	}
	// A new daemon starts clean on the same directories.
	b := daemontest.Start(t, bin, daemontest.Options{Runtime: a.Runtime, Data: a.Data})
	if code := b.Stop(); code != 0 {
		t.Errorf("second daemon exit code %d", code)
	}
}

func TestCoreLimitInherited(t *testing.T) {
	a := daemontest.Start(t, bin, daemontest.Options{})
	st, _ := a.Status()
	if st.CoreLimit != "unlimited" {
		t.Errorf("core_limit %q, want unlimited (running as root here)", st.CoreLimit)
	}
	for _, c := range st.Children {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/limits", c.PID))
		if err != nil {
			t.Fatal(err)
		}
		l := lineWith(string(b), "Max core file size")
		if strings.Count(l, "unlimited") != 2 {
			t.Errorf("%s: %q", c.Name, l)
		}
	}
}

func TestBadInputRefusedAtStart(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.toml")
	os.WriteFile(bad, []byte("[light]\ninterval = \"soon\"\n"), 0o644)
	unknown := filepath.Join(dir, "unknown.toml")
	os.WriteFile(unknown, []byte("[light]\ncolour = 3\n"), 0o644)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--no-such-flag"}, "no-such-flag"},
		{[]string{"run", "--config", filepath.Join(dir, "missing.toml")}, "missing.toml"},
		{[]string{"run", "--config", bad}, "interval"},
		{[]string{"run", "--config", unknown}, "colour"},
		{[]string{"frobnicate"}, "unknown command"},
	} {
		out, err := runBin(tc.args...)
		if err == nil {
			t.Errorf("%v: exit 0, want failure", tc.args)
		}
		if !strings.Contains(out, tc.want) {
			t.Errorf("%v: output %q does not name %q", tc.args, out, tc.want)
		}
	}
}

func TestReloadRestartsOnlyChanged(t *testing.T) {
	a := daemontest.Start(t, bin, daemontest.Options{Config: "[light]\ninterval = \"1s\"\n"})
	os.WriteFile(a.Config, []byte("[light]\ninterval = \"500ms\"\n"), 0o644)
	a.Signal(syscall.SIGHUP)
	a.WaitRunning("light", 2)
	a.WaitLog(`msg="configuration reloaded" changed=light.interval restarted=1`, 5*time.Second)
	for _, name := range []string{"gui", "motion", "logger"} {
		if c := a.Child(name); c.Gen != 1 {
			t.Errorf("%s restarted by a reload that did not change it (gen %d)", name, c.Gen)
		}
	}
	os.WriteFile(a.Config, []byte("[light]\ninterval = \"never\"\n"), 0o644)
	a.Signal(syscall.SIGHUP)
	a.WaitLog(`msg="reload failed; keeping the running configuration"`, 5*time.Second)
}

// TestReloadMovesDataDir: a reload that points logger.dir somewhere new
// restarts the logger only, and the daemon makes the new directory for
// the logger's user (who, as root, is not allowed to make it).
func TestReloadMovesDataDir(t *testing.T) {
	dir := daemontest.OpenDir(t)
	d1, d2 := filepath.Join(dir, "d1"), filepath.Join(dir, "d2")
	conf := func(d string) string { return fmt.Sprintf("[logger]\ndir = %q\n[light]\ninterval = \"10ms\"\n", d) }
	a := daemontest.Start(t, bin, daemontest.Options{Config: conf(d1), Data: d1, DataInConfig: true})
	waitData(t, d1, "light samples in the first directory", 10*time.Second,
		func(r []record) bool { return maxSeq(r, "light", 1) > 0 })
	os.WriteFile(a.Config, []byte(conf(d2)), 0o644)
	a.Signal(syscall.SIGHUP)
	a.WaitLog(`msg="configuration reloaded" changed=logger.dir restarted=1`, 5*time.Second)
	a.WaitRunning("logger", 2)
	waitData(t, d2, "light samples in the new directory", 10*time.Second,
		func(r []record) bool { return maxSeq(r, "light", 1) > 0 })
	checkDataDir(t, d2, a.Child("logger").PID)
	for _, name := range []string{"gui", "motion", "light"} {
		if c := a.Child(name); c.Gen != 1 {
			t.Errorf("%s restarted by a reload that did not change it (gen %d)", name, c.Gen)
		}
	}
}

func TestControlSocket(t *testing.T) {
	a := daemontest.Start(t, bin, daemontest.Options{})
	out, err := runBin("restart", "--runtime-dir", a.Runtime, "logger")
	if err != nil {
		t.Fatalf("restart logger: %v %s", err, out)
	}
	a.WaitRunning("logger", 2)
	// Flags after the name too, as systemctl and git take them (this
	// was refused with "usage: ..." once).
	if out, err := runBin("restart", "light", "--runtime-dir", a.Runtime); err != nil {
		t.Fatalf("restart light --runtime-dir: %v %s", err, out)
	}
	a.WaitRunning("light", 2)
	if out, err := runBin("restart", "--runtime-dir", a.Runtime, "nosuch"); err == nil || !strings.Contains(out, "no child") {
		t.Errorf("restart nosuch: %v %q", err, out)
	}
	if out, err := runBin("restart", "gui", "light", "--runtime-dir", a.Runtime); err == nil || !strings.Contains(out, `unexpected argument "light"`) {
		t.Errorf("restart with two names: %v %q", err, out)
	}
	if out, err := runBin("status", "--runtime-dir", a.Runtime, "--json", "extra"); err == nil || !strings.Contains(out, `unexpected argument "extra"`) {
		t.Errorf("status with an argument: %v %q", err, out)
	}
	for _, req := range []string{"not json\n", `{"cmd":"dance"}` + "\n", strings.Repeat("x", 10000) + "\n"} {
		reply := rawCall(t, a.Socket(), req)
		if !strings.Contains(reply, `"error"`) {
			t.Errorf("request %.20q: reply %q, want an error", req, reply)
		}
	}
	out, err = runBin("status", "--runtime-dir", a.Runtime)
	if err != nil || !strings.Contains(out, "logger") || !strings.Contains(out, "motion-logger") {
		t.Errorf("status table: %v\n%s", err, out)
	}
	// One version, set by the build: in the status and `sensord version`.
	if st, err := a.Status(); err != nil || st.Version != daemontest.Version {
		t.Errorf("status version %q (%v); want %q", st.Version, err, daemontest.Version)
	}
	if out, err := runBin("version"); err != nil || strings.TrimSpace(out) != "sensord "+daemontest.Version {
		t.Errorf("sensord version: %q %v; want sensord %s", out, err, daemontest.Version)
	}
	m := a.JSON()
	for _, k := range []string{"pid", "started_at", "core_limit", "board", "children", "pipes"} {
		if _, ok := m[k]; !ok {
			t.Errorf("status JSON lacks %q", k)
		}
	}
	if m["board"] != "sim" {
		t.Errorf("board %v, want sim", m["board"])
	}
	for _, c := range m["children"].([]any) {
		for _, k := range []string{"name", "pid", "state", "gen", "restarts", "started_at", "last_exit"} {
			if _, ok := c.(map[string]any)[k]; !ok {
				t.Errorf("child lacks %q: %v", k, c)
			}
		}
	}
	for _, p := range m["pipes"].([]any) {
		for _, k := range []string{"name", "writer", "reader", "queued_bytes", "capacity_bytes"} {
			if _, ok := p.(map[string]any)[k]; !ok {
				t.Errorf("pipe lacks %q: %v", k, p)
			}
		}
	}
	if fi, err := os.Stat(a.Socket()); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("socket mode %v %v, want 0600", fi.Mode(), err)
	}
}

func TestExecWrapper(t *testing.T) {
	marks := daemontest.OpenDir(t)
	os.Chmod(marks, 0o777)
	wrapper := script(t, `echo "$2" >> `+marks+`/wrapped; exec "$@"`)
	a := daemontest.Start(t, bin, daemontest.Options{Env: []string{"SENSORD_EXEC_WRAPPER=" + wrapper}})
	daemontest.Until(t, "four children wrapped", 5*time.Second, func() bool {
		b, _ := os.ReadFile(filepath.Join(marks, "wrapped"))
		return len(strings.Fields(string(b))) == 4
	})
	checkDescriptors(t, a)
}

func TestBackgroundWithPidfile(t *testing.T) {
	dir := daemontest.OpenDir(t) // the children's user must reach it
	pidfile := filepath.Join(dir, "sensord.pid")
	out, err := runBin("run", "--sim", "--tty", "none", "--background", "--pidfile", pidfile,
		"--data-dir", filepath.Join(dir, "data"), "--runtime-dir", filepath.Join(dir, "run"),
		"--log-file", filepath.Join(dir, "sensord.log"))
	if err != nil {
		t.Fatalf("--background: %v %s", err, out)
	}
	b, err := os.ReadFile(pidfile)
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	var st control.Status
	if err := (control.Client{Path: filepath.Join(dir, "run", control.SocketName)}).Do(context.Background(), control.Request{Cmd: "status"}, &st); err != nil || st.PID != pid {
		t.Fatalf("status: %v pid %d, pidfile %d", err, st.PID, pid)
	}
	if sid, _ := syscall.Getpgid(pid); sid != pid {
		t.Errorf("background daemon is not a group leader")
	}
	syscall.Kill(pid, syscall.SIGTERM)
	daemontest.Until(t, "daemon gone", 10*time.Second, func() bool { return daemontest.Gone(pid) })
	daemontest.Until(t, "pidfile removed", 5*time.Second, func() bool {
		_, err := os.Stat(pidfile)
		return os.IsNotExist(err)
	})
}

func TestGenerationsNeverRepeatAcrossDaemonRestarts(t *testing.T) {
	a := daemontest.Start(t, bin, daemontest.Options{})
	c := a.Child("light")
	syscall.Kill(c.PID, syscall.SIGKILL)
	a.WaitRunning("light", 2)
	a.Signal(syscall.SIGKILL) // even a crash of the daemon itself
	a.Wait(10 * time.Second)
	b := daemontest.Start(t, bin, daemontest.Options{Data: a.Data})
	for _, c := range []string{"gui", "motion", "light", "logger"} {
		if g := b.Child(c).Gen; g <= 2 {
			t.Errorf("%s starts at gen %d after a daemon restart: (src, gen, seq) would repeat", c, g)
		}
		if r := b.Child(c).Restarts; r != 0 {
			t.Errorf("%s: restarts %d in a new daemon, want 0", c, r)
		}
	}
}

// TestBinaryInPrivateFolder is `go run . run --sim` as root: the binary
// sits in a folder only root may enter, and the children, running as
// another user, still start.
func TestBinaryInPrivateFolder(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("children change user only when the daemon runs as root")
	}
	private := filepath.Join(t.TempDir(), "sensord") // 0700 folders
	copyFile(t, bin, private)
	a := daemontest.Start(t, private, daemontest.Options{})
	if code := a.Stop(); code != 0 {
		t.Errorf("exit %d", code)
	}
}

// TestUnreachableDataDir: run as root with a data directory the
// children's user cannot enter (under a 0700 home), the daemon starts
// no child and exits 1 with one message naming the folder and what to
// do (it used to retry every child with backoff for ever, the terminal
// blank).
func TestUnreachableDataDir(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: the children run as another user only then")
	}
	home, err := os.MkdirTemp("", "sensord-home")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(home) })
	if err := os.Chmod(home, 0o700); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "empty.toml"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "run", "--sim", "--tty", "none", "--config", filepath.Join(dir, "empty.toml"),
		"--data-dir", filepath.Join(home, "data"), "--runtime-dir", filepath.Join(dir, "run"))
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("run: %v; want exit 1\n%s", err, out)
	}
	for _, want := range []string{"cannot reach", "chmod o+x " + home, "nothing was started"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(string(out), "child started") {
		t.Errorf("a child was started:\n%s", out)
	}
}
