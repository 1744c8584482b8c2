// Package daemon is sensord's parent process (`sensord run`) and the
// commands that talk to it (`status`, `restart`, `config`, `version`).
//
// # What it owns
//
// The six pipes (pipes_linux.go), created with pipe2(O_NONBLOCK|
// O_CLOEXEC) and raised to 1 MiB with F_SETPIPE_SZ; the daemon holds both
// ends of each for its whole life, so a child's death never closes one.
// The four children and their bookkeeping (supervisor.go), changed only
// by the loop goroutine (loop.go), the daemon's single wait point
// (wait_linux.go): it blocks in epoll_wait on the thread it is locked to,
// on a pidfd per child (SIGCHLD where pidfd_open is missing), a timerfd
// every supervisor.poll, a timerfd for the next backoff, kill or
// watchdog deadline, the children's notify socket (childnotify_linux.go,
// watchdog.go) and an eventfd that the signal and control goroutines
// write to; signal handlers do nothing else. The processes are behind a
// small interface (procs), so the state machine is tested without any
// (supervisor_test.go). The GUI's terminal (terminal_linux.go), the
// control socket (control.go) and the service manager's notify socket
// (notify.go).
//
// # Contract with the children
//
// Children are started with raw descriptors, never the extra files of
// os/exec nor the Fd method of an *os.File, which put a shared pipe into
// blocking mode for every process: by clone without vfork, the child
// running a list of system calls (clonespawn_linux.go), so the daemon's
// thread does not wait for the exec; or by syscall.ForkExec for the GUI
// on a terminal, where clone is refused (qemu-user) and for another
// program when Go raised the open-file limit (spawn_linux.go). A child gets fd 0-2 and its pipe
// ends from fd 3 in the order of roleEnds (roles.go), named in argv:
//
//	sensord motion --gen 3 --rx 3 --tx-gui 4 --tx-logger 5 --board sim ...
//
// and nothing else: every descriptor of the daemon, including any its
// own parent leaked to it, is close-on-exec. Each child runs in its own
// process group (the GUI on a console in its own session, with the
// console as controlling terminal; on the daemon's terminal as the
// foreground group), with Pdeathsig (SIGTERM for the GUI, so it can
// restore the screen; SIGKILL for the others), RLIMIT_CORE unlimited,
// and, when the daemon runs as root, as supervisor.user with only the
// groups its role needs. The working directory is <logger.dir>/cores, so
// that a plain core_pattern puts core files there. Go children get
// GOTRACEBACK=crash (a crash dumps core) and GODEBUG
// containermaxprocs=0 (no cgroup files held open).
//
// A child's generation (--gen) counts its starts and never repeats, even
// across daemon restarts: blocks of generations are reserved in
// <logger.dir>/generations, so (src, gen, seq) names a sample for good.
//
// # Restarts and stopping
//
// A dead child is reaped with wait4(pid, WNOHANG) (never os.Process.Wait),
// logged in one line (child, pid, gen, ran, exit_code or signal,
// core_dumped, max_rss_kib, restart_in) and started again at once. A
// child dying within 1 s of its start again and again waits 50 ms,
// 100 ms, ... up to 5 s; 10 s of running forgets its failures. A program
// that cannot be exec'd is retried the same way. SIGTERM/SIGINT stop the
// sensors, then the logger (which drains its pipes), then the GUI: each
// gets SIGTERM followed by SIGCONT (a stopped child must still act on
// it), and SIGKILL to its process group after supervisor.grace. A second
// SIGTERM kills at once. SIGHUP re-reads the configuration and restarts
// the children whose keys changed (config.Diff); a bad file keeps the
// old settings.
//
// # Exit codes
//
// `sensord run` exits 0 after an orderly stop, 1 when it cannot start
// (bad flag, bad configuration, another daemon on the same socket) with
// a message that says what to do.
package daemon
