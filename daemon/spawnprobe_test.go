package daemon

import (
	"fmt"
	"os"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// SpawnProbe is the child of TestCloneLikeForkExec (clonespawn_linux_test.go),
// run from TestMain (SENSORD_SPAWN_PROBE
// names its output file): it writes down what a spawn decides about a
// process, before its runtime does anything of its own.
func SpawnProbe(out string) int {
	var b strings.Builder
	for fd := range 16 {
		flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
		if err != nil {
			continue
		}
		target, _ := os.Readlink(fmt.Sprintf("/proc/self/fd/%d", fd))
		fmt.Fprintf(&b, "fd %d %s cloexec=%v\n", fd, target, flags&unix.FD_CLOEXEC != 0)
	}
	pgid, _ := unix.Getpgid(0)
	cwd, _ := os.Getwd()
	var sig int32
	unix.Prctl(unix.PR_GET_PDEATHSIG, uintptr(unsafe.Pointer(&sig)), 0, 0, 0)
	fmt.Fprintf(&b, "own group %v\ncwd %s\nppid %d\npdeathsig %d\n", pgid == os.Getpid(), cwd, os.Getppid(), sig)
	status, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(status), "\n") {
		for _, k := range []string{"SigBlk:", "SigIgn:", "SigCgt:", "Uid:", "Gid:", "Groups:"} {
			if strings.HasPrefix(l, k) {
				b.WriteString(l + "\n")
			}
		}
	}
	fmt.Fprintf(&b, "env %q\nargs %q\n", os.Getenv("PROBE_ENV"), os.Args[1:])
	if err := os.WriteFile(out, []byte(b.String()), 0o644); err != nil {
		return 1
	}
	return 0
}
