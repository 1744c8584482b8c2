// Package packaging holds the Debian packaging of sensord and the tests
// that check it; it has no code of its own.
//
//   - deb/ is the file tree of the package as installed: the systemd
//     unit, the SysV init script, the conffile /etc/sensord/sensord.toml
//     (generated from package config: go test ./packaging -update), the
//     udev rules, the modules-load entry and the copyright file.
//   - debian/ holds the control template and the maintainer scripts.
//   - scripts/build-deb.sh (run by `make deb`) puts the two together with
//     a static binary into dist/sensord_<version>_<arch>.deb.
//
// Decisions, also written where they apply:
//
//   - The unit conflicts with getty@tty1 and the package masks that
//     getty, since logind would otherwise start autovt@tty1 (the same
//     unit) on a VT switch and so stop the appliance. postrm unmasks it.
//   - No StateDirectory=: systemd would make /var/lib/sensord
//     root:root at every start of a root service; postinst creates it
//     root:sensord 0770, so the logger writes there through its group
//     and the daemon needs no CAP_DAC_OVERRIDE (ARCHITECTURE.md,
//     "Privileges").
//   - KillMode=mixed: the daemon alone gets SIGTERM and stops the
//     children in the order that loses nothing.
//   - StartLimitIntervalSec=0: Restart=always never gives up.
//   - The sensord user is in no hardware group; the daemon gives each
//     child its own (README, "Command line and configuration"; ARCHITECTURE.md).
//   - Upgrades stop the old daemon in prerm, so a child it restarts
//     never runs the new binary under the old daemon.
//   - Purge keeps the data in /var/lib/sensord and the user.
package packaging
