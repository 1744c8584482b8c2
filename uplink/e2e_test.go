package uplink

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"sensord/control"
	"sensord/daemon/daemontest"
	"sensord/ipc/ipctest"
	"sensord/sandbox"
	"sensord/uplink/mqtttest"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// sensordBin builds the real binary once for the end-to-end tests.
func sensordBin(t testing.TB) string {
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "sensord-uplink-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath, buildErr = daemontest.Build(dir)
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func uplinkConfig(broker, prefix, textfile string) string {
	return fmt.Sprintf("[light]\ninterval = \"10ms\"\n[uplink]\nbroker = %q\ntopic_prefix = %q\ntextfile = %q\n",
		broker, prefix, textfile)
}

// TestAppliance: the daemon on the simulated board with a broker: five
// children, samples, states, health and discovery arrive, and a stop
// says offline.
func TestAppliance(t *testing.T) {
	b := mqtttest.New(t)
	b.Start()
	sub := mqtttest.Subscribe(t, b.URL(), "test-sub", "#")
	const prefix = "sensord/e2e"
	promDir := daemontest.OpenDir(t) // the uplink may run as another user
	if err := os.Chmod(promDir, 0o777); err != nil {
		t.Fatal(err)
	}
	prom := filepath.Join(promDir, "sensord.prom")
	a := daemontest.Spawn(t, sensordBin(t), daemontest.Options{Config: uplinkConfig(b.URL(), prefix, prom)})
	a.WaitFor("five children running", 30*time.Second, func(st control.Status) bool {
		n := 0
		for _, c := range st.Children {
			if c.State == control.Running {
				n++
			}
		}
		return n == 5 && st.Child("uplink") != nil && len(st.Pipes) == 6
	})
	checkSeccomp(t, a)
	if !ipctest.Poll(60*time.Second, func() bool {
		return len(seqs(sub.Messages(), prefix)["light"]) >= 300 && sub.Count(prefix+"/health") > 0
	}) {
		t.Fatalf("samples or health missing; got %d light samples", len(seqs(sub.Messages(), prefix)["light"]))
	}
	checkDiscovery(t, sub.Messages(), prefix)
	if n := sub.Count(prefix + "/light/state"); n < 10 {
		// Each record read as the newest is a state: at 10 ms, hundreds.
		t.Errorf("%d light states for 300 live samples: the state follows the sensor only at connection", n)
	}
	checkHealth(t, sub.Messages(), prefix)
	checkMetrics(t, a, prom)
	if !ipctest.Poll(20*time.Second, func() bool {
		u := control.ReadUplink(a.Runtime)
		return u != nil && u.Connected && !u.LastAck.IsZero()
	}) {
		t.Errorf("no connected uplink status for the dashboard in %s: %+v", a.Runtime, control.ReadUplink(a.Runtime))
	}
	p50, p99 := latency(sub.Messages(), prefix)
	t.Logf("sample time to subscriber: p50 %s p99 %s", p50, p99)
	a.Stop()
	if !ipctest.Poll(10*time.Second, func() bool { return lastPayload(sub.Messages(), prefix+"/status") == "offline" }) {
		t.Fatal("status not offline after the appliance stopped")
	}
}

// checkSeccomp: every child, the uplink too, runs under its seccomp
// allow-list (package sandbox, whose own test shows that a filtered
// process other than the uplink cannot open a TCP socket).
func checkSeccomp(t *testing.T, a *daemontest.Appliance) {
	t.Helper()
	st, err := a.Status()
	if err != nil {
		t.Fatal(err)
	}
	var wrong string
	// A child is "running" from its exec on; main installs the filter
	// a moment later.
	ok := ipctest.Poll(10*time.Second, func() bool {
		wrong = ""
		for _, c := range st.Children {
			b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", c.PID))
			filtered := strings.Contains(string(b), "\nSeccomp:\t2\n")
			if !filtered {
				wrong += fmt.Sprintf(" %s(pid %d, filtered %v)", c.Name, c.PID, filtered)
			}
		}
		return wrong == ""
	})
	if !ok {
		t.Errorf("seccomp filter not as expected:%s", wrong)
	}
}

// checkMetrics: `sensord metrics` and uplink.textfile give the
// children, pipes and the uplink's backlog in the Prometheus format.
func checkMetrics(t *testing.T, a *daemontest.Appliance, prom string) {
	t.Helper()
	out, err := exec.Command(a.Bin, "metrics", "--config", a.Config, "--runtime-dir", a.Runtime, "--data-dir", a.Data).CombinedOutput()
	if err != nil {
		t.Fatalf("sensord metrics: %v\n%s", err, out)
	}
	for _, want := range []string{`sensord_child_up{child="uplink"} 1`, `sensord_child_up{child="light"} 1`,
		"sensord_daemon_up 1", `sensord_pipe_capacity_bytes{pipe="light-logger"}`, "sensord_uplink_backlog_bytes"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("sensord metrics lacks %s:\n%s", want, out)
		}
	}
	var text []byte
	ipctest.Poll(60*time.Second, func() bool { // written every health period (10 s)
		text, _ = os.ReadFile(prom)
		return strings.Contains(string(text), "sensord_uplink_last_ack_age_seconds")
	})
	if !strings.Contains(string(text), `sensord_child_up{child="uplink"} 1`) {
		t.Errorf("textfile %s:\n%s", prom, text)
	}
}

func checkHealth(t *testing.T, ms []mqtttest.Message, prefix string) {
	t.Helper()
	var h health
	if err := json.Unmarshal([]byte(lastPayload(ms, prefix+"/health")), &h); err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"logger", "gui", "motion", "light", "uplink"} {
		if _, ok := h.Children[c]; !ok {
			t.Fatalf("health lacks child %s: %+v", c, h)
		}
	}
	if len(h.Pipes) != 6 || !h.Uplink.Connected {
		t.Fatalf("health: %+v", h)
	}
}

func lastPayload(ms []mqtttest.Message, topic string) string {
	for i := len(ms) - 1; i >= 0; i-- {
		if ms[i].Topic == topic {
			return ms[i].Payload
		}
	}
	return ""
}

// latency is the sample's own time t (when the sensor took it) to its
// arrival at the subscriber, over the light samples received live.
func latency(ms []mqtttest.Message, prefix string) (p50, p99 time.Duration) {
	var ds []time.Duration
	for _, m := range ms {
		if m.Topic != prefix+"/samples/light" {
			continue
		}
		var r struct{ T time.Time }
		if json.Unmarshal([]byte(m.Payload), &r) == nil {
			ds = append(ds, m.At.Sub(r.T))
		}
	}
	if len(ds) == 0 {
		return 0, 0
	}
	slices.Sort(ds)
	return ds[len(ds)/2], ds[len(ds)*99/100]
}

// TestNoBroker: without uplink.broker the appliance is as before: four
// children, six pipes, no uplink file in the data directory.
func TestNoBroker(t *testing.T) {
	a := daemontest.Start(t, sensordBin(t), daemontest.Options{})
	st, err := a.Status()
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Children) != 4 || len(st.Pipes) != 6 || st.Child("uplink") != nil {
		t.Fatalf("children %d pipes %d", len(st.Children), len(st.Pipes))
	}
	a.Stop()
	ents, _ := os.ReadDir(a.Data)
	for _, e := range ents {
		if strings.Contains(e.Name(), "uplink") {
			t.Fatalf("data directory has %s without a broker", e.Name())
		}
	}
}

// TestKilledDuringBackfill: the uplink process SIGKILLed 20 times at
// random moments while it sends a large backlog; every record still
// reaches the subscriber, in order.
func TestKilledDuringBackfill(t *testing.T) {
	bin := sensordBin(t)
	b := mqtttest.New(t)
	b.Start()
	dir := t.TempDir()
	const n = 40000
	appendRecords(t, dir, 1, 1, n/2)
	appendRecords(t, dir, 2, n/2+1, n)
	sub := mqtttest.Subscribe(t, b.URL(), "test-sub", "sensord/kill/samples/#")
	args := []string{"uplink", "--broker", b.URL(), "--data-dir", dir, "--topic-prefix", "sensord/kill"}
	for i := range 20 {
		cmd := exec.Command(bin, args...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(20+rand.IntN(150)) * time.Millisecond) // the chaos: a random moment
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		t.Logf("kill %d: %d light samples received so far", i+1, len(seqs(sub.Messages(), "sensord/kill")["light"]))
	}
	cmd := exec.Command(bin, args...)
	cmd.Stderr = &logBuffer{t: t} // the last process's log, to tell why if it fails
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Signal(syscall.SIGTERM); _ = cmd.Wait() }()
	waitAll(t, sub, "sensord/kill", n, n/10)
	_, dups, _ := complete(seqs(sub.Messages(), "sensord/kill")["light"], n)
	t.Logf("20 kills during a backfill of %d records: 0 missing, %d duplicates", n, dups)
	if _, err := os.Stat(CursorPath(dir)); err != nil {
		t.Fatal(err)
	}
}

// TestWatchdogStoppedUplink: the uplink speaks the notify protocol: it
// becomes ready with the broker up, and a stopped one misses its
// watchdog and is aborted and restarted like any child.
func TestWatchdogStoppedUplink(t *testing.T) {
	b := mqtttest.New(t)
	b.Start()
	cfg := uplinkConfig(b.URL(), "sensord/wd", "") + "watchdog = \"1s\"\n"
	a := daemontest.Spawn(t, sensordBin(t), daemontest.Options{Config: cfg})
	st := a.WaitFor("uplink ready", 30*time.Second, func(st control.Status) bool {
		u := st.Child("uplink")
		return u != nil && u.Ready && u.WatchdogMS == 1000
	})
	u := st.Child("uplink")
	if err := syscall.Kill(u.PID, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	a.WaitRunning("uplink", u.Gen+1)
	if e := a.Child("uplink").LastExit; e == nil || !strings.HasPrefix(e.Reason, "watchdog: SIGABRT") {
		t.Errorf("last exit %+v; want the watchdog's SIGABRT", e)
	}
}

// TestUplinkSandboxed: the uplink child confines itself (README.md,
// "Security: file system"): it cannot read a world-readable file
// outside its allowance nor connect to a TCP port other than the
// broker's (Landlock answers EACCES to both), and it still delivers
// samples and writes its status file for the dashboard.
func TestUplinkSandboxed(t *testing.T) {
	if abi, _ := sandbox.LandlockABI(); abi < 4 {
		t.Skip("this kernel has no Landlock with TCP rules (ABI 4)")
	}
	other, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	b := mqtttest.New(t)
	b.Start()
	sub := mqtttest.Subscribe(t, b.URL(), "test-sub", "#")
	const prefix = "sensord/sandboxed"
	a := daemontest.Spawn(t, sensordBin(t), daemontest.Options{Config: uplinkConfig(b.URL(), prefix, ""),
		Env: []string{sandbox.ProbeEnv + "=/etc/passwd", sandbox.ProbeTCPEnv + "=" + other.Addr().String()}})
	a.WaitLog(`msg="sandbox probe" role=uplink path=/etc/passwd err="open /etc/passwd: permission denied"`, 30*time.Second)
	a.WaitLog(`msg="sandbox tcp probe" role=uplink addr=`+other.Addr().String()+` err="dial tcp `+other.Addr().String()+`: connect: permission denied"`, 10*time.Second)
	if !ipctest.Poll(60*time.Second, func() bool { return len(seqs(sub.Messages(), prefix)["light"]) >= 100 }) {
		t.Fatalf("got %d light samples from the sandboxed uplink, want 100", len(seqs(sub.Messages(), prefix)["light"]))
	}
	if !ipctest.Poll(20*time.Second, func() bool {
		u := control.ReadUplink(a.Runtime)
		return u != nil && u.Connected && !u.LastAck.IsZero()
	}) {
		t.Errorf("no connected uplink status written by the sandboxed uplink: %+v", control.ReadUplink(a.Runtime))
	}
}
