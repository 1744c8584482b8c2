// Package config is sensord's configuration: TOML at
// /etc/sensord/sensord.toml (or --config), every key with a default, and
// unknown keys or bad values refused at start with the file, line and
// key named.
//
// # Contract with the daemon
//
//   - Load(path, mustExist) = Default() + the file + Validate(). The
//     daemon applies its flags over the result and calls Validate again.
//   - Marshal(c) is `sensord config`: valid TOML that Parse reads back to
//     c, a comment line before every key. MarshalCommented writes the
//     same with the key lines commented out: the packaged conffile.
//   - Diff(old, new, role) says whether a child must be restarted on
//     SIGHUP: true when a key in its argv, executable or privileges
//     changed (supervisor.exec_wrapper and supervisor.user concern all
//     four; supervisor.runtime_dir the GUI, given --control). The keys
//     poll, grace, group, sigchld and slice concern the daemon alone. Changed
//     lists the keys that differ, for the reload log line.
//
// # Decisions
//
// Durations are Go duration strings ("50ms"). motion.warmup also takes
// "auto" (the Duration Auto): 60s on a Pi, 0 on the simulated board
// (Config.WarmupFor); so do the [ROLE] watchdog keys (Config.Watchdog).
// light.address is an integer, 0x23 in hex is fine: one of the BH1750's
// two addresses, 0x23 or 0x5C, on the simulated chip too; light.interval
// is at least the chip's conversion time on a real board. Both limits are
// light/bh1750's, the driver's own (board/model says whether the board is
// real). Paths (exec,
// logger.dir, runtime_dir, gui.tty devices) must be absolute; the
// exec wrapper may be a bare name looked up in $PATH.
//
// Validate reports every bad value at once (errors.Join of *KeyError).
//
// # Line numbers
//
// go-toml v2.2.4's StrictMissingError gives the right line for unknown
// keys and tables (also dotted keys and keys in inline tables), and
// DecodeError the right line for wrong types and bad durations, but with
// an empty key; it gives no position for a key defined twice or an
// array of tables, and validation errors have none. For those the file
// is parsed again with go-toml's unstable parser, which keeps byte
// ranges, and the key is found by line (and column, for inline tables)
// or the line by key (lines.go). A key that is bad but not in the file
// (a flag set it) is reported without a line.
package config
