package uplink

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"sensord/ipc/ipctest"
	"sensord/uplink/mqtttest"
)

// BenchmarkBackfill: b.N records waiting in the files, sent to a local
// mosquitto and received by a subscriber.
func BenchmarkBackfill(b *testing.B) {
	br := mqtttest.New(b)
	br.Start()
	dir := b.TempDir()
	appendRecords(b, dir, 1, 1, b.N)
	sub := mqtttest.Subscribe(b, br.URL(), "bench-sub", "sensord/test/samples/light")
	b.ResetTimer()
	t0 := time.Now()
	start(b, baseConfigB(br, dir))
	if !ipctest.Poll(10*time.Minute, func() bool { return sub.Count("sensord/test/samples/light") >= b.N }) {
		b.Fatal("backfill incomplete")
	}
	b.ReportMetric(float64(b.N)/time.Since(t0).Seconds(), "records/s")
}

// BenchmarkBackfillBroker: b.N records waiting in the files, sent to a
// local mosquitto with nobody subscribed, until the cursor is at the end
// of the files (every record acknowledged). The cursor is saved at most
// once a second, so the time is up to a second long and the rate a lower
// bound; use 200000x or more.
func BenchmarkBackfillBroker(b *testing.B) {
	br := mqtttest.New(b)
	br.Start()
	dir := b.TempDir()
	appendRecords(b, dir, 1, 1, b.N)
	b.ResetTimer()
	t0 := time.Now()
	start(b, baseConfigB(br, dir))
	if !ipctest.Poll(10*time.Minute, func() bool {
		left, _, ok := Backlog(dir)
		return ok && left == 0
	}) {
		b.Fatal("backfill incomplete")
	}
	b.ReportMetric(float64(b.N)/time.Since(t0).Seconds(), "records/s")
}

func baseConfigB(br *mqtttest.Broker, dir string) Config {
	return Config{Broker: br.URL(), TopicPrefix: "sensord/test", DiscoveryPrefix: "homeassistant", Discovery: true,
		DataDir: dir, HealthInterval: 10 * time.Second}
}

// BenchmarkRecordToSubscriber: a record appended to the file (as the
// logger writes it) every 10 ms, to its arrival at a subscriber.
func BenchmarkRecordToSubscriber(b *testing.B) {
	br := mqtttest.New(b)
	br.Start()
	dir := b.TempDir()
	appendRecords(b, dir, 1, 1, 1)
	sub := mqtttest.Subscribe(b, br.URL(), "bench-sub", "sensord/test/samples/light")
	start(b, baseConfigB(br, dir))
	n := max(b.N, 200)
	for i := 2; i <= n+1; i++ {
		appendRecords(b, dir, 1, i, i)    // t is taken just before the write
		time.Sleep(10 * time.Millisecond) // the sampling period, not a wait
	}
	if !ipctest.Poll(time.Minute, func() bool { return sub.Count("sensord/test/samples/light") >= n+1 }) {
		b.Fatal("records missing")
	}
	var ds []time.Duration
	for _, m := range sub.Messages()[1:] {
		var r struct{ T time.Time }
		_ = json.Unmarshal([]byte(m.Payload), &r)
		ds = append(ds, m.At.Sub(r.T))
	}
	slices.Sort(ds)
	b.ReportMetric(float64(ds[len(ds)/2].Microseconds())/1000, "p50_ms")
	b.ReportMetric(float64(ds[len(ds)*99/100].Microseconds())/1000, "p99_ms")
}

// BenchmarkIdle: the real `sensord uplink` connected, nothing to send,
// with the appliance's watchdog (20 s, pinged over a notify socket as
// the daemon gives it), for 30 s (one health period): wake-ups per
// second (context switches of all its threads) and resident memory
// (all of it, and the anonymous part: the heap and stacks, without the
// binary's pages).
func BenchmarkIdle(b *testing.B) {
	bin := sensordBin(b)
	br := mqtttest.New(b)
	br.Start()
	dir := b.TempDir()
	appendRecords(b, dir, 1, 1, 10)
	sock := filepath.Join(dir, "notify.sock")
	notify, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		b.Fatal(err)
	}
	defer notify.Close()
	go func() { // the daemon's side: take the pings
		buf := make([]byte, 256)
		for {
			if _, err := notify.Read(buf); err != nil {
				return
			}
		}
	}()
	sub := mqtttest.Subscribe(b, br.URL(), "bench-sub", "#")
	cmd := exec.Command(bin, "uplink", "--broker", br.URL(), "--data-dir", dir, "--topic-prefix", "sensord/test")
	cmd.Env = append(os.Environ(), "NOTIFY_SOCKET="+sock, "WATCHDOG_USEC=20000000")
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { _ = cmd.Process.Signal(syscall.SIGTERM); _ = cmd.Wait() }()
	if !ipctest.Poll(30*time.Second, func() bool { return sub.Count("sensord/test/samples/light") >= 10 }) {
		b.Fatal("not connected")
	}
	pid := cmd.Process.Pid
	time.Sleep(5 * time.Second) // let start-up work (GC, scavenger) settle before the window
	w0 := ctxSwitches(pid)
	time.Sleep(30 * time.Second) // the idle period measured
	w1 := ctxSwitches(pid)
	b.ReportMetric(float64(w1-w0)/30, "wakeups/s")
	b.ReportMetric(float64(statusKiB(pid, "VmRSS:"))/1024, "RSS_MiB")
	b.ReportMetric(float64(statusKiB(pid, "RssAnon:"))/1024, "anon_MiB")
}

func ctxSwitches(pid int) int {
	n := 0
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/status", pid))
	for _, p := range tasks {
		b, _ := os.ReadFile(p)
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "voluntary_ctxt_switches:") || strings.HasPrefix(l, "nonvoluntary_ctxt_switches:") {
				v, _ := strconv.Atoi(strings.TrimSpace(l[strings.IndexByte(l, ':')+1:]))
				n += v
			}
		}
	}
	return n
}

func statusKiB(pid int, field string) int {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == field {
			v, _ := strconv.Atoi(f[1])
			return v
		}
	}
	return 0
}
