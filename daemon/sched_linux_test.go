package daemon_test

import (
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"sensord/daemon/daemontest"
)

// threadSlices maps each thread of process pid to its time slice in ns, as
// sched_getattr reports it (Linux 6.12 and later; 0 before).
func threadSlices(t *testing.T, pid int) map[int]uint64 {
	t.Helper()
	tasks, err := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/task")
	if err != nil {
		t.Fatal(err)
	}
	out := map[int]uint64{}
	for _, e := range tasks {
		tid, _ := strconv.Atoi(e.Name())
		if a, err := unix.SchedGetAttr(tid, 0); err == nil {
			out[tid] = a.Runtime
		}
	}
	return out
}

// TestSliceInherited: the loop's thread asks for supervisor.slice and
// no other thread of the daemon does; every thread of every child has
// it, a restarted child too; with "0s" no child has it.
func TestSliceInherited(t *testing.T) {
	const want = uint64(300 * time.Microsecond) // the default
	a := daemontest.Start(t, bin, daemontest.Options{})
	daemon := threadSlices(t, a.Cmd.Process.Pid)
	if daemon[a.Cmd.Process.Pid] == 0 {
		t.Skip("this kernel reports no time slices (custom slices came in Linux 6.12)")
	}
	n := 0
	for _, s := range daemon {
		if s == want {
			n++
		}
	}
	if n != 1 {
		t.Errorf("daemon threads with a %d ns slice: %d of %v; want 1 (the loop's)", want, n, daemon)
	}
	check := func(name string, pid int, ok func(uint64) bool) {
		for tid, s := range threadSlices(t, pid) {
			if !ok(s) {
				t.Errorf("%s (pid %d) thread %d: slice %d ns", name, pid, tid, s)
			}
		}
	}
	is := func(s uint64) bool { return s == want }
	roles := []string{"motion", "light", "logger", "gui"}
	for _, name := range roles {
		check(name, a.Child(name).PID, is)
	}
	light := a.Child("light")
	if err := syscall.Kill(light.PID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	check("light gen 2", a.WaitRunning("light", light.Gen+1).PID, is)

	b := daemontest.Start(t, bin, daemontest.Options{Config: "[supervisor]\nslice = \"0s\"\n"})
	for _, name := range roles {
		check(name+` with slice "0s"`, b.Child(name).PID, func(s uint64) bool { return s != want })
	}
}
