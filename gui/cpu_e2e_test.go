package gui

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// cpuTicks is utime+stime of pid in clock ticks, from /proc/PID/stat.
func cpuTicks(t *testing.T, pid int) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	u, _ := strconv.ParseInt(f[11], 10, 64) // field 14 of the whole line
	s, _ := strconv.ParseInt(f[12], 10, 64)
	return u + s
}

func rssKiB(pid int) string {
	b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			return strings.TrimSpace(strings.TrimPrefix(l, "VmRSS:"))
		}
	}
	return "?"
}

// TestE2EGUICPU measures the GUI process's CPU with the light sensor at
// 1 s and at 100 ms (10 updates per second) on a real terminal (tmux,
// 80x24, TERM=linux). It takes a minute: SENSORD_BENCH=1 runs it.
func TestE2EGUICPU(t *testing.T) {
	if os.Getenv("SENSORD_BENCH") == "" {
		t.Skip("a one-minute measurement: set SENSORD_BENCH=1")
	}
	x, bin, rt := startAppliance(t, 80, 24)
	x.waitScreen("the dashboard", func(s string) bool { return len(procRow.FindAllString(s, -1)) == 4 })
	pid, _ := guiChild(t, bin, rt)
	const span = 20 * time.Second
	measure := func(label string) {
		c0, w0 := cpuTicks(t, pid), time.Now()
		time.Sleep(span) // a measurement period, not a synchronisation
		c1, w1 := cpuTicks(t, pid), time.Now()
		pct := float64(c1-c0) / 100 / w1.Sub(w0).Seconds() * 100 // USER_HZ is 100 on Linux
		t.Logf("%s: gui CPU %.2f%% (%d ticks in %s), RSS %s", label, pct, c1-c0, w1.Sub(w0).Round(time.Millisecond), rssKiB(pid))
	}
	x.waitScreen("1s interval", func(s string) bool { return strings.Contains(s, "every 1s") })
	measure("light every 1s")
	for range 3 {
		x.cmd("send-keys", "-t", "e2e", "-")
	}
	x.waitScreen("100ms interval", func(s string) bool { return strings.Contains(s, "every 100ms") })
	measure("light every 100ms (10 updates/s)")
}
