package daemon

import (
	"fmt"
	"time"

	"golang.org/x/sys/unix"
)

// setSlice asks the kernel's scheduler (EEVDF, Linux 6.12 and later) for
// a time slice of d for the calling thread: the loop's, locked to it.
// Every child forks from that thread and inherits the slice through
// exec, so a restart runs at once on a busy machine: the dying child,
// the loop and the successor each preempt a CPU-bound task on waking
// instead of waiting for its slice (README.md, "How it works"). The
// share of the CPU is not changed, only how soon after a wake-up a task
// runs. The thread keeps its policy and nice value (a unit's Nice= or
// CPUSchedulingPolicy=); a real-time or idle policy is left alone. Older
// kernels accept the call and ignore the slice; the packaged unit's
// system call filter refuses it (EPERM). d of 0 asks for the kernel's
// default.
func setSlice(d time.Duration) error {
	a, err := unix.SchedGetAttr(0, 0)
	if err != nil {
		return fmt.Errorf("daemon: sched_getattr: %w", err)
	}
	if a.Policy != unix.SCHED_NORMAL && a.Policy != unix.SCHED_BATCH {
		return nil
	}
	a.Runtime = uint64(d.Nanoseconds())
	a.Flags &= unix.SCHED_FLAG_RESET_ON_FORK
	if err := unix.SchedSetAttr(0, a, 0); err != nil {
		return fmt.Errorf("daemon: sched_setattr (time slice %s): %w", d, err)
	}
	return nil
}
