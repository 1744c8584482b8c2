package daemon_test

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"sensord/daemon/daemontest"
	"sensord/ipc"
)

// probeFrames is how many light frames the probe GUI measures.
const probeFrames = 2000

// probeGUI plays the gui role (fd 4 is the light-gui read end, by the
// public convention): it measures CLOCK_MONOTONIC now minus each light
// frame's monotonic stamp, writes the latencies in ns to
// $SENSORD_PROBE_OUT, then waits for SIGTERM like any child.
func probeGUI() int {
	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM)
	f, err := ipc.OpenReader(4, "light-gui")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	r := ipc.NewReader(f)
	lat := make([]int64, 0, probeFrames)
	for len(lat) < probeFrames {
		fr, err := r.Next()
		if err != nil {
			return 1
		}
		if fr.Type == ipc.TypeLight {
			var ts unix.Timespec
			unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
			lat = append(lat, ts.Nano()-fr.Mono)
		}
	}
	var b strings.Builder
	for _, v := range lat {
		fmt.Fprintln(&b, v)
	}
	out := os.Getenv("SENSORD_PROBE_OUT")
	os.WriteFile(out+".tmp", []byte(b.String()), 0o644)
	os.Rename(out+".tmp", out)
	<-term
	return 0
}

// BenchmarkSensorToGUILatency runs the appliance with the light sensor
// at 5 ms and a probe in the gui role, and reports the time from a
// sample's stamp in the light process to its arrival in the GUI.
//
//	go test ./daemon -run '^$' -bench SensorToGUI -benchtime 1x
func BenchmarkSensorToGUILatency(b *testing.B) {
	dir := daemontest.OpenDir(b)
	self, _ := os.Executable()
	probe := filepath.Join(dir, "probe")
	copyFile(b, self, probe)
	out := filepath.Join(dir, "latency")
	os.Chmod(dir, 0o777)
	for i := 0; i < b.N; i++ {
		os.Remove(out)
		a := daemontest.Start(b, bin, daemontest.Options{
			Config: "[light]\ninterval = \"5ms\"\n[gui]\nexec = \"" + probe + "\"\n",
			Env:    []string{"SENSORD_PROBE_OUT=" + out}})
		daemontest.Until(b, "probe results", 2*time.Minute, func() bool {
			_, err := os.Stat(out)
			return err == nil
		})
		a.Stop()
	}
	raw, _ := os.ReadFile(out)
	var lat []float64
	for _, l := range strings.Fields(string(raw)) {
		v, _ := strconv.ParseFloat(l, 64)
		lat = append(lat, v/1e3)
	}
	slices.Sort(lat)
	if len(lat) == 0 {
		b.Fatal("no latencies")
	}
	q := func(p float64) float64 { return lat[int(p*float64(len(lat)-1))] }
	b.ReportMetric(q(0.5), "p50-µs")
	b.ReportMetric(q(0.99), "p99-µs")
	b.ReportMetric(lat[len(lat)-1], "max-µs")
}

func copyFile(tb testing.TB, from, to string) {
	src, err := os.Open(from)
	if err != nil {
		tb.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		tb.Fatal(err)
	}
	defer dst.Close()
	if _, err := io.Copy(dst, src); err != nil {
		tb.Fatal(err)
	}
}
