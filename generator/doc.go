// Package generator is `sensord generator`, the systemd generator
// (systemd.generator(7)) that fits the unit's sandbox to the
// configuration (README.md, "The systemd unit").
//
// The package installs /lib/systemd/system-generators/sensord-generator,
// a two-line script that runs `sensord generator NORMAL EARLY LATE`.
// systemd runs it early at boot and at every `systemctl daemon-reload`.
// It reads /etc/sensord/sensord.toml (config.Load, the daemon's own
// rules) and writes NORMAL/sensord.service.d/50-sensord-generator.conf:
//
//   - no uplink.broker: no network at all (PrivateNetwork=yes,
//     RestrictAddressFamilies=AF_UNIX, IPAddressDeny=any); with one the
//     unit's own AF_INET/AF_INET6 stays, for the uplink;
//   - ReadWritePaths= for a logger.dir, supervisor.runtime_dir or
//     uplink.textfile directory the unit does not already let it write
//     (ProtectSystem=strict), RuntimeDirectory= for a runtime_dir under
//     /run;
//   - DeviceAllow= for a gui.tty other than /dev/tty1 (DevicePolicy=closed).
//
// # Contract
//
// It never fails the boot: a configuration that does not load, or a path
// the unit syntax cannot carry, is said on stderr (the journal) and left
// out; with a broken configuration no drop-in is written at all, and the
// daemon refuses the same file at start with the same message. The
// drop-in is a pure function of the configuration (DropIn), so tests
// compare its whole text.
package generator
