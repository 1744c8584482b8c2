// Package sandbox confines a child role. Restrict limits its file system
// access with Landlock (README.md, "Security: file system"); the logger
// calls it in its Main with logger.dir read-write and nothing more.
//
// DenyInternet takes the internet away from a process: it
// installs a seccomp filter (github.com/elastic/go-seccomp-bpf) under
// which socket(2) with AF_INET or AF_INET6 fails with EAFNOSUPPORT, as
// systemd's RestrictAddressFamilies does. Unix sockets (the control and
// notify sockets) stay allowed.
//
// Contract: main.go calls DenyInternet before any non-uplink child role
// runs (gui, motion, light, logger). The filter is inherited by every
// thread (TSYNC) and cannot be removed. The daemon itself is not
// filtered, because the uplink is its child and would inherit the
// filter; the systemd unit's RestrictAddressFamilies allows AF_INET for
// the uplink's sake, and this filter is what keeps the others off it.
package sandbox
