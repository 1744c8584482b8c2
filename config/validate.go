package config

import (
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"sensord/board/model"
	"sensord/light/bh1750"
	"strconv"
	"strings"
	"time"
)

// A KeyError is a bad value, named by its dotted key. Validate returns
// them joined; Parse adds the file and line.
type KeyError struct {
	Key string
	Msg string
}

func (e *KeyError) Error() string { return e.Key + ": " + e.Msg }

// Validate checks every value that TOML types alone do not and returns
// all the problems at once (errors.Join of *KeyError), so a person
// fixes the file in one go. The shortest light.interval depends on
// the board: the real one (board.kind "pi", or "auto" on a Raspberry
// Pi) needs the chip's conversion time.
func (c Config) Validate() error {
	return c.validate(model.Real(c.Board.Kind))
}

type check struct {
	key string
	err string // empty when the value is good
}

func (c Config) validate(pi bool) error {
	var errs []error
	for _, k := range c.checks(pi) {
		if k.err != "" {
			errs = append(errs, &KeyError{Key: k.key, Msg: k.err})
		}
	}
	return errors.Join(errs...)
}

func (c Config) checks(pi bool) []check {
	s, m, l, g, u, up := c.Supervisor, c.Motion, c.Light, c.Logger, c.GUI, c.Uplink
	return []check{
		{"board.kind", oneOf(c.Board.Kind, "auto", "pi", "sim")},
		{"board.sim_faults", printable(c.Board.SimFaults)},
		{"supervisor.poll", between(s.Poll, time.Millisecond, time.Second)},
		{"supervisor.grace", between(s.Grace, time.Millisecond, time.Minute)},
		{"supervisor.exec_wrapper", wrapper(s.ExecWrapper)},
		{"supervisor.user", name(s.User, false)},
		{"supervisor.group", name(s.Group, true)},
		{"supervisor.runtime_dir", absDir(s.RuntimeDir)},
		{"supervisor.slice", slice(s.Slice)},
		{"motion.exec", execPath(m.Exec)},
		{"motion.pin", pin(m.Pin)},
		{"motion.warmup", warmup(m.Warmup)},
		{"motion.watchdog", watchdog(m.Watchdog)},
		{"light.exec", execPath(l.Exec)},
		{"light.bus", bus(l.Bus)},
		{"light.address", msg(bh1750.CheckAddress(l.Address))},
		{"light.interval", msg(bh1750.CheckInterval(l.Interval.D(), !pi))},
		{"light.watchdog", watchdog(l.Watchdog)},
		{"logger.exec", execPath(g.Exec)},
		{"logger.dir", absDir(g.Dir)},
		{"logger.fsync_interval", between(g.FsyncInterval, time.Millisecond, time.Minute)},
		{"logger.max_file_size", atLeast(g.MaxFileSize, 64<<10, " bytes (64 KiB)")},
		{"logger.max_files", atLeast(int64(g.MaxFiles), 1, "")},
		{"logger.watchdog", watchdog(g.Watchdog)},
		{"gui.exec", execPath(u.Exec)},
		{"gui.tty", tty(u.TTY)},
		{"gui.watchdog", watchdog(u.Watchdog)},
		{"uplink.broker", broker(up.Broker)},
		{"uplink.topic_prefix", topic(up.TopicPrefix, true)},
		{"uplink.discovery_prefix", topic(up.DiscoveryPrefix, false)},
		{"uplink.username", printable(up.Username)},
		{"uplink.password_file", absFile(up.PasswordFile)},
		{"uplink.ca_file", absFile(up.CAFile)},
		{"uplink.cert_file", absFile(up.CertFile)},
		{"uplink.key_file", keyFile(up.KeyFile, up.CertFile)},
		{"uplink.textfile", absFile(up.Textfile)},
		{"uplink.watchdog", watchdog(up.Watchdog)},
	}
}

func oneOf(v string, allowed ...string) string {
	for _, a := range allowed {
		if v == a {
			return ""
		}
	}
	return fmt.Sprintf("%q is not one of %s", v, strings.Join(allowed, ", "))
}

func printable(v string) string {
	for _, r := range v {
		if r < 0x20 || r == 0x7f {
			return fmt.Sprintf("%q contains a control character", v)
		}
	}
	return ""
}

func between(d Duration, lo, hi time.Duration) string {
	if d.D() < lo || d.D() > hi {
		return fmt.Sprintf("%s is out of range; it must be from %s to %s", d, lo, hi)
	}
	return ""
}

func atLeast(v, lo int64, unit string) string {
	if v < lo {
		return fmt.Sprintf("%d is too small; it must be at least %d%s", v, lo, unit)
	}
	return ""
}

// slice is the kernel's range for a requested time slice
// (sched_attr.sched_runtime of SCHED_OTHER), or 0 for its default.
func slice(d Duration) string {
	if d == 0 {
		return ""
	}
	if d.D() < 100*time.Microsecond || d.D() > 100*time.Millisecond {
		return fmt.Sprintf("%s is out of range; write \"0s\" (the kernel's default) or a duration from 100us to 100ms", d)
	}
	return ""
}

func watchdog(d Duration) string {
	if d == Auto || d == 0 {
		return ""
	}
	if d.D() < 100*time.Millisecond || d.D() > 10*time.Minute {
		return fmt.Sprintf("%s is out of range; write \"auto\", \"0s\" (off) or a duration from 100ms to 10m", d)
	}
	return ""
}

func warmup(d Duration) string {
	if d == Auto {
		return ""
	}
	if d < 0 || d.D() > 10*time.Minute {
		return fmt.Sprintf("%s is out of range; write \"auto\" or a duration from 0s to 10m", d)
	}
	return ""
}

// wrapper is a program name looked up in $PATH or an absolute path,
// optionally followed by arguments (the daemon splits on spaces).
func wrapper(v string) string {
	f := strings.Fields(v)
	if len(f) == 0 || !strings.Contains(f[0], "/") || filepath.IsAbs(f[0]) {
		return ""
	}
	return fmt.Sprintf("%q: write a program name found in $PATH or an absolute path", f[0])
}

func execPath(v string) string {
	if v == "" || filepath.IsAbs(v) {
		return ""
	}
	return fmt.Sprintf("%q is not an absolute path; write the program's full path, such as /usr/local/bin/my-sensor", v)
}

func absDir(v string) string {
	if filepath.IsAbs(v) {
		return ""
	}
	return fmt.Sprintf("%q is not an absolute path", v)
}

// userName follows useradd's default NAME_REGEX, plus upper case.
var userName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.-]{0,31}$`)

func name(v string, emptyOK bool) string {
	switch {
	case v == "" && emptyOK:
		return ""
	case v == "":
		return "is empty; name the user the children run as, such as \"sensord\""
	case !userName.MatchString(v):
		return fmt.Sprintf("%q is not a valid user or group name", v)
	}
	return ""
}

// pin accepts "GPIO<n>" or a bare line number <n>: BCM numbering, as
// periph's gpioreg names the lines of the Pi's gpiochip.
var pinName = regexp.MustCompile(`^(GPIO)?([0-9]{1,2})$`)

func pin(v string) string {
	m := pinName.FindStringSubmatch(v)
	if m == nil {
		return fmt.Sprintf("%q is not a GPIO line; write it like \"GPIO17\" (BCM numbering)", v)
	}
	if n, _ := strconv.Atoi(m[2]); n > 53 {
		return fmt.Sprintf("%q: a Raspberry Pi has GPIO0 to GPIO53", v)
	}
	return ""
}

func bus(v string) string {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > 255 || strconv.Itoa(n) != v {
		return fmt.Sprintf("%q is not an I2C bus number; write the N of /dev/i2c-N, such as \"1\"", v)
	}
	return ""
}

// msg is the text of a check's error, "" for none.
func msg(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func tty(v string) string {
	if v == "" || v == "none" || filepath.IsAbs(v) {
		return ""
	}
	return fmt.Sprintf("%q: write \"\" (the terminal sensord runs on), \"none\" or a device path such as \"/dev/tty1\"", v)
}
