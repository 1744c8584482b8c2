package daemon_test

import (
	"testing"
	"time"

	"sensord/daemon/daemontest"
	"sensord/sandbox"
)

// TestLoggerSandboxed: the logger child the daemon starts cannot read a
// world-readable file outside logger.dir (Landlock answers EACCES), and
// it goes on writing samples inside it (README.md, "Security: file
// system").
func TestLoggerSandboxed(t *testing.T) {
	if abi, _ := sandbox.LandlockABI(); abi == 0 {
		t.Skip("this kernel has no Landlock")
	}
	a := daemontest.Start(t, bin, daemontest.Options{
		Config: "[light]\ninterval = \"10ms\"\n",
		Env:    []string{sandbox.ProbeEnv + "=/etc/passwd"}})
	a.WaitLog(`msg="sandbox probe" role=logger gen=1 path=/etc/passwd err="open /etc/passwd: permission denied"`, 10*time.Second)
	waitData(t, a.Data, "light samples logged by the sandboxed logger", 10*time.Second,
		func(r []record) bool { return maxSeq(r, "light", 1) > 0 })
}
