package daemon_test

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"sensord/control"
	"sensord/daemon/daemontest"
	"sensord/sdnotify"
)

// notifyProbe plays a third-party child (set with [light] exec) that
// speaks the notify protocol as libsystemd would: READY=1 at start, then
// WATCHDOG=1 every quarter of $WATCHDOG_USEC from its main loop, until
// SIGUSR1 makes that loop hang. mode "silent" sends nothing, like a
// program that does not know the protocol.
func notifyProbe(mode string) int {
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGUSR1)
	if mode == "silent" {
		<-sigs
		return 0
	}
	sdnotify.Notify("READY=1")
	d, _ := sdnotify.WatchdogInterval()
	tick := time.NewTicker(max(d/4, 10*time.Millisecond))
	for {
		select {
		case <-tick.C:
			sdnotify.Notify("WATCHDOG=1")
		case sig := <-sigs:
			if sig == syscall.SIGTERM {
				return 0
			}
			select {} // the main loop hangs: no more pings
		}
	}
}

// probeConfig runs this test binary as the light role in mode, with a
// watchdog of wd ("" for the default).
// The binary is copied where the children's user can reach it.
func probeConfig(t *testing.T, wd string) string {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := daemontest.OpenDir(t)
	probe := filepath.Join(dir, "probe")
	copyFile(t, self, probe)
	c := "[light]\nexec = \"" + probe + "\"\n"
	if wd != "" {
		c += "watchdog = \"" + wd + "\"\n"
	}
	return c
}

// TestWatchdogThirdParty: a program in another role that speaks the
// protocol is ready when it says READY=1 (ready_ms in status), is left
// alone while its main loop pings, and once the loop hangs it is
// aborted for a core and restarted with a log line whose reason says
// watchdog.
func TestWatchdogThirdParty(t *testing.T) {
	a := daemontest.Start(t, bin, daemontest.Options{Config: probeConfig(t, "1s"),
		Env: []string{"SENSORD_NOTIFY_PROBE=ping"}})
	st := a.WaitFor("light ready", 20*time.Second, func(st control.Status) bool {
		l := st.Child("light")
		return l != nil && l.Ready && l.ReadyMS != nil
	})
	l := st.Child("light")
	if l.WatchdogMS != 1000 || l.Gen != 1 {
		t.Fatalf("light %+v; want watchdog_ms 1000 in gen 1", l)
	}
	if err := syscall.Kill(l.PID, syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	a.WaitRunning("light", 2)
	e := a.Child("light").LastExit
	if e == nil || !strings.HasPrefix(e.Reason, "watchdog: SIGABRT") {
		t.Errorf("last exit %+v; want a watchdog SIGABRT", e)
	}
	a.WaitLog("reason=watchdog", 10*time.Second)
}

// TestWatchdogSilentExec: a program set with exec and no watchdog may
// not know the protocol: it counts as ready when it starts and is never
// aborted for silence.
func TestWatchdogSilentExec(t *testing.T) {
	a := daemontest.Start(t, bin, daemontest.Options{Config: probeConfig(t, ""),
		Env: []string{"SENSORD_NOTIFY_PROBE=silent"}})
	l := a.WaitRunning("light", 1)
	if !l.Ready || l.WatchdogMS != 0 {
		t.Errorf("silent exec light: %+v; want ready with no watchdog", l)
	}
}

// TestWakeOnDeath: a death wakes the loop through the child's pidfd, or,
// where pidfd_open is missing (SENSORD_NO_PIDFD plays such a kernel),
// through SIGCHLD; either way the child is back at once.
func TestWakeOnDeath(t *testing.T) {
	for _, tc := range []struct{ env, want string }{
		{"", "wake_on_death=pidfd"},
		{"SENSORD_NO_PIDFD=1", "wake_on_death=SIGCHLD"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			a := daemontest.Start(t, bin, daemontest.Options{Env: []string{tc.env}})
			a.WaitLog(tc.want, 5*time.Second)
			l := a.WaitRunning("light", 1)
			if err := syscall.Kill(l.PID, syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			a.WaitRunning("light", 2)
		})
	}
}

// TestWatchdogStoppedSensor: sensord's own light process, stopped with
// SIGSTOP for longer than its watchdog, is aborted (SIGCONT lets it act
// on the SIGABRT, so it dumps core) and restarted.
func TestWatchdogStoppedSensor(t *testing.T) {
	a := daemontest.Start(t, bin, daemontest.Options{Config: "[light]\nwatchdog = \"1s\"\n"})
	st := a.WaitFor("light ready", 20*time.Second, func(st control.Status) bool {
		l := st.Child("light")
		return l != nil && l.Ready
	})
	l := st.Child("light")
	if err := syscall.Kill(l.PID, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	a.WaitRunning("light", l.Gen+1)
	e := a.Child("light").LastExit
	if e == nil || !strings.HasPrefix(e.Reason, "watchdog: SIGABRT") {
		t.Errorf("last exit %+v; want the watchdog's SIGABRT", e)
	}
	if e != nil && !e.CoreDumped {
		t.Logf("no core dumped (core_pattern %q?)", corePattern())
	}
}

// TestWatchdogHungSensor: a sensor whose main loop hangs (the simulated
// board's hang fault) keeps its pid but stops pinging, and is caught
// the same way.
func TestWatchdogHungSensor(t *testing.T) {
	a := daemontest.Start(t, bin, daemontest.Options{
		Config: "[board]\nsim_faults = \"light-hang@1s\"\n[light]\nwatchdog = \"1s\"\n"})
	a.WaitRunning("light", 2)
	if e := a.Child("light").LastExit; e == nil || !strings.HasPrefix(e.Reason, "watchdog: ") {
		t.Errorf("last exit %+v; want the watchdog's", e)
	}
	for _, name := range []string{"motion", "logger", "gui"} {
		if c := a.Child(name); c.Restarts != 0 {
			t.Errorf("%s restarted %d times beside the hung light", name, c.Restarts)
		}
	}
}

func corePattern() string {
	b, _ := os.ReadFile("/proc/sys/kernel/core_pattern")
	return strings.TrimSpace(string(b))
}

// TestSubscribeClosedByPeer: a subscriber that goes away (a GUI that
// died) is let go at once, not at the next status change: the daemon's
// descriptors come back to what they were (the chaos soak found one
// left open per dead GUI).
func TestSubscribeClosedByPeer(t *testing.T) {
	a := daemontest.Start(t, bin, daemontest.Options{})
	// Once all are ready nothing changes, so no status write will find
	// the dead connection for the daemon.
	a.WaitFor("all ready", 20*time.Second, func(st control.Status) bool {
		for _, c := range st.Children {
			if !c.Ready {
				return false
			}
		}
		return true
	})
	fds := func() int {
		ents, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", a.Cmd.Process.Pid))
		return len(ents)
	}
	before := fds()
	conn, err := net.Dial("unix", a.Socket())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Write([]byte(`{"cmd":"subscribe"}` + "\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := bufio.NewReader(conn).ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	daemontest.Until(t, "the subscriber's descriptor closed", 5*time.Second, func() bool { return fds() <= before })
}
