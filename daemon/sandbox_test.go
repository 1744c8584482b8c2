package daemon_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"sensord/daemon/daemontest"
	"sensord/sandbox"
)

// TestRolesSandboxed: every child the daemon starts confines itself
// with Landlock (README.md, "Security: file system"): asked to read a
// world-readable file outside its allowance, each answers EACCES, and
// the appliance goes on working: the logger writes samples, light
// samples, motion reports a change of its PIR seen after the sandbox
// was entered (the simulated output goes high at 1 s). The dashboard on
// a terminal is tested in gui (TestE2ETmux), the uplink with a broker in
// uplink (TestUplinkSandboxed).
func TestRolesSandboxed(t *testing.T) {
	if abi, _ := sandbox.LandlockABI(); abi == 0 {
		t.Skip("this kernel has no Landlock")
	}
	a := daemontest.Start(t, bin, daemontest.Options{
		Config: "[light]\ninterval = \"10ms\"\n[board]\nsim_faults = \"pir-stuck@1s-60s\"\n",
		Env:    []string{sandbox.ProbeEnv + "=/etc/passwd"}})
	for _, role := range []string{"logger", "light", "motion", "gui"} {
		a.WaitLog(`msg="sandbox probe" role=`+role+` gen=1 path=/etc/passwd err="open /etc/passwd: permission denied"`, 10*time.Second)
	}
	waitData(t, a.Data, "light samples and a motion change, logged by the sandboxed roles", 10*time.Second,
		func(r []record) bool { return maxSeq(r, "light", 1) > 10 && motionSeen(r) })
	checkGens(t, a)
}

// motionSeen: a motion=true state is among the records.
func motionSeen(recs []record) bool {
	for _, r := range recs {
		if r.Src == "motion" && r.Motion != nil && *r.Motion {
			return true
		}
	}
	return false
}

// TestSeccompDenied: from inside each role the daemon starts, calls no
// role may make fail with EPERM, the daemon logs each by name with the
// child's name, and the appliance goes on (README.md, "Security: system
// calls").
func TestSeccompDenied(t *testing.T) {
	if !sandbox.Supported() {
		t.Skip("no seccomp user notification here (qemu-user?)")
	}
	calls := []string{"ptrace", "mount", "bpf", "keyctl", "init_module", "execve"}
	a := daemontest.Start(t, bin, daemontest.Options{
		Config:      "[light]\ninterval = \"10ms\"\n",
		Env:         []string{sandbox.SeccompProbeEnv + "=" + strings.Join(calls, ",")},
		AllowDenied: true})
	for _, role := range []string{"gui", "motion", "light", "logger"} {
		for _, call := range calls {
			a.WaitLog(fmt.Sprintf(`msg="seccomp probe" role=%s syscall=%s err="operation not permitted"`, role, call), 10*time.Second)
			denied := fmt.Sprintf(`%s child=%s pid=%d `, daemontest.DeniedLine, role, a.Child(role).PID)
			daemontest.Until(t, role+"'s "+call+" logged by the daemon", 10*time.Second, func() bool {
				return hasLine(a.Log(), denied, " syscall="+call+" ")
			})
		}
	}
	n := len(readData(t, a.Data))
	waitData(t, a.Data, "samples still logged after the denied calls", 10*time.Second,
		func(r []record) bool { return len(r) > n+10 })
}

// hasLine says whether a line of log holds every one of parts.
func hasLine(log string, parts ...string) bool {
	for _, line := range strings.Split(log, "\n") {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(line, p)
		}
		if all {
			return true
		}
	}
	return false
}
