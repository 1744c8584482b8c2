package sandbox

import (
	"golang.org/x/sys/unix"
)

// LandlockABI asks the kernel which Landlock ABI it speaks (0: none).
func LandlockABI() (int, error) {
	const createRulesetVersion = 1 // LANDLOCK_CREATE_RULESET_VERSION
	v, _, e := unix.Syscall(unix.SYS_LANDLOCK_CREATE_RULESET, 0, 0, createRulesetVersion)
	if e != 0 {
		return 0, e
	}
	return int(v), nil
}
