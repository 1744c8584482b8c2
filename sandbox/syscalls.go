package sandbox

// The system calls each child role may make (README.md, "Security:
// system calls"). A name the running architecture does not have (mmap2
// on arm64, arch_prctl on arm) is left out of its filter: a call that
// does not exist cannot be made. Everything absent is refused with
// EPERM and logged by the daemon (Filter).

// goRuntime is what every Go program of this module calls: the runtime
// (memory, threads, signals, timers, the netpoller), os and net on
// files and unix sockets, sd_notify, and the filter's own installation
// and Landlock after it. 32-bit ARM spells several of them differently
// (mmap2, _llseek, fstat64, *_time64), so both spellings are here.
var goRuntime = []string{
	// memory
	"brk", "mmap", "mmap2", "munmap", "mprotect", "madvise", "mremap", "mincore",
	// threads and scheduling
	"clone", "clone3", "exit", "exit_group", "futex", "futex_time64",
	"set_robust_list", "get_robust_list", "set_tid_address", "rseq",
	"sched_yield", "sched_getaffinity", "gettid", "getpid", "getppid",
	"arch_prctl", "set_tls", "membarrier",
	// signals
	"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigreturn", "sigaltstack",
	"rt_sigtimedwait", "rt_sigtimedwait_time64", "rt_sigpending", "rt_sigsuspend",
	// tkill takes a bare thread id, so it cannot be held to this process
	// as kill and tgkill are (Filter): go-landlock's all-threads call
	// signals each thread with it.
	"tkill", "restart_syscall",
	// time
	"clock_gettime", "clock_gettime64", "clock_getres", "clock_getres_time64",
	"gettimeofday", "nanosleep", "clock_nanosleep", "clock_nanosleep_time64",
	"timer_create", "timer_settime", "timer_settime64", "timer_delete", "setitimer", "getitimer",
	"timerfd_create", "timerfd_settime", "timerfd_settime64", "timerfd_gettime", "timerfd_gettime64",
	// the netpoller and descriptors
	"epoll_create", "epoll_create1", "epoll_ctl", "epoll_wait", "epoll_pwait", "epoll_pwait2",
	"eventfd2", "pipe2", "ppoll", "ppoll_time64", "poll", "pselect6", "pselect6_time64",
	"close", "dup", "dup3", "fcntl", "fcntl64",
	// reading and writing descriptors
	"read", "write", "readv", "writev", "pread64", "pwrite64", "lseek", "_llseek",
	// files looked at by os and time (zoneinfo, /proc/self/exe, limits)
	"openat", "open", "fstat", "fstat64", "newfstatat", "fstatat", "fstatat64", "stat", "stat64", "lstat", "lstat64", "statx",
	"statfs", "statfs64", "fstatfs", "fstatfs64", "readlinkat", "readlink",
	"access", "faccessat", "faccessat2", "getcwd", "uname", "sysinfo",
	"getdents64", // os.ReadDir: periph's host.Init looks around /sys and /dev on a Pi
	"getrandom", "prlimit64", "getrlimit", "ugetrlimit",
	"getuid", "geteuid", "getgid", "getegid", "getuid32", "geteuid32", "getgid32", "getegid32", "getgroups", "getgroups32",
	// unix sockets: sd_notify, the control socket, the seccomp listener's hand-over
	"connect", "sendto", "sendmsg", "recvfrom", "recvmsg", "send", "recv",
	"getsockname", "getpeername", "getsockopt", "setsockopt", "shutdown", "socketpair",
	// installing the filter (TSYNC) and Landlock after it
	"prctl", "seccomp", "landlock_create_ruleset", "landlock_add_rule", "landlock_restrict_self",
}

// roleCalls are what each role adds to goRuntime.
var roleCalls = map[string][]string{
	// the terminal: tcell's termios, window size and its SIGWINCH
	"gui": {"ioctl"},
	// the GPIO character device: line requests, edge events (periph)
	"motion": {"ioctl"},
	// the I2C device: I2C_SLAVE, I2C_RDWR (periph)
	"light": {"ioctl"},
	// the data files: rotation, fsync, its pipe tee, listing the directory
	"logger": {
		"ioctl", "tee", "splice", "fsync", "fdatasync", "ftruncate", "ftruncate64", "fallocate",
		"mkdirat", "renameat", "renameat2", "unlinkat", "fchmod", "fchmodat", "fchown", "fchownat",
		"linkat", "symlinkat", "utimensat", "flock",
	},
	// the broker (TCP, TLS, DNS), the data files read-only, its cursor
	// and discovery files written and renamed, inotify on the directory
	"uplink": {
		"socket", "bind", "listen", "accept4",
		"inotify_init1", "inotify_add_watch", "inotify_rm_watch",
		"mkdirat", "renameat", "renameat2", "unlinkat",
		"fsync", "fdatasync", "ftruncate", "ftruncate64", "fchmod", "fchmodat", "flock",
	},
}

// online are the roles that may open internet sockets; the others get
// socket(2) for AF_UNIX only, and EAFNOSUPPORT for AF_INET and AF_INET6,
// as systemd's RestrictAddressFamilies answers.
var online = map[string]bool{"uplink": true}
