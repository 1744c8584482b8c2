// Package sandbox confines a child role. Restrict limits its file system
// and TCP access with Landlock (README.md, "Security: file system");
// every child role calls it once it has opened what it needs, with the
// Paths its own package builds (logger.SandboxedMain, sensor.Main,
// gui's and uplink's allowance).
//
// Filter confines a child role to its system calls with seccomp
// (README.md, "Security: system calls"): the lists are in syscalls.go,
// one for the Go runtime and what each role adds; the rest fail with
// EPERM, answered and logged by the daemon, to which the filter's
// listener is handed on the notify socket. socket(AF_INET|AF_INET6)
// fails with EAFNOSUPPORT for every role but the uplink.
//
// Contract: main.go calls Filter before any child role runs (gui,
// motion, light, logger, uplink), so a list holds what the role's start
// needs too. The filter is inherited by every thread (TSYNC) and cannot
// be removed. The daemon itself is not filtered: it forks, execs and
// changes user for its children, which would inherit its filter.
package sandbox
