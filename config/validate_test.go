package config

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestValidate(t *testing.T) {
	ms := func(n int) Duration { return Duration(time.Duration(n) * time.Millisecond) }
	tests := []struct {
		key  string
		set  func(c *Config)
		pi   bool
		want string // "" for valid; else a part of the message
	}{
		{"board.kind", func(c *Config) { c.Board.Kind = "sim" }, false, ""},
		{"board.kind", func(c *Config) { c.Board.Kind = "Pi" }, false, `"Pi" is not one of auto, pi, sim`},
		{"board.sim_faults", func(c *Config) { c.Board.SimFaults = "light-unplug" }, false, ""},
		{"board.sim_faults", func(c *Config) { c.Board.SimFaults = "a\nb" }, false, "control character"},
		{"supervisor.poll", func(c *Config) { c.Supervisor.Poll = ms(1) }, false, ""},
		{"supervisor.poll", func(c *Config) { c.Supervisor.Poll = ms(1000) }, false, ""},
		{"supervisor.poll", func(c *Config) { c.Supervisor.Poll = 999 * Duration(time.Microsecond) }, false, "999µs is out of range; it must be from 1ms to 1s"},
		{"supervisor.poll", func(c *Config) { c.Supervisor.Poll = ms(1001) }, false, "out of range"},
		{"supervisor.poll", func(c *Config) { c.Supervisor.Poll = Auto }, false, "auto is out of range"},
		{"supervisor.slice", func(c *Config) { c.Supervisor.Slice = 0 }, false, ""},
		{"supervisor.slice", func(c *Config) { c.Supervisor.Slice = Duration(100 * time.Microsecond) }, false, ""},
		{"supervisor.slice", func(c *Config) { c.Supervisor.Slice = ms(100) }, false, ""},
		{"supervisor.slice", func(c *Config) { c.Supervisor.Slice = Duration(99 * time.Microsecond) }, false, `99µs is out of range; write "0s" (the kernel's default) or a duration from 100us to 100ms`},
		{"supervisor.slice", func(c *Config) { c.Supervisor.Slice = ms(101) }, false, "out of range"},
		{"supervisor.slice", func(c *Config) { c.Supervisor.Slice = Auto }, false, "out of range"},
		{"supervisor.grace", func(c *Config) { c.Supervisor.Grace = 0 }, false, "0s is out of range"},
		{"supervisor.grace", func(c *Config) { c.Supervisor.Grace = ms(61000) }, false, "out of range"},
		{"supervisor.exec_wrapper", func(c *Config) { c.Supervisor.ExecWrapper = "qemu-arm-static" }, false, ""},
		{"supervisor.exec_wrapper", func(c *Config) { c.Supervisor.ExecWrapper = "/usr/bin/qemu-arm-static -L /x" }, false, ""},
		{"supervisor.exec_wrapper", func(c *Config) { c.Supervisor.ExecWrapper = "bin/qemu" }, false, "absolute path"},
		{"supervisor.user", func(c *Config) { c.Supervisor.User = "" }, false, "is empty"},
		{"supervisor.user", func(c *Config) { c.Supervisor.User = "nobody" }, false, ""},
		{"supervisor.user", func(c *Config) { c.Supervisor.User = "bad:name" }, false, "not a valid user"},
		{"supervisor.group", func(c *Config) { c.Supervisor.Group = "" }, false, ""},
		{"supervisor.group", func(c *Config) { c.Supervisor.Group = "sensord-ctl" }, false, ""},
		{"supervisor.group", func(c *Config) { c.Supervisor.Group = "a b" }, false, "not a valid user or group"},
		{"supervisor.runtime_dir", func(c *Config) { c.Supervisor.RuntimeDir = "run" }, false, `"run" is not an absolute path`},
		{"motion.exec", func(c *Config) { c.Motion.Exec = "/usr/local/bin/pir" }, false, ""},
		{"motion.exec", func(c *Config) { c.Motion.Exec = "pir" }, false, "not an absolute path"},
		{"motion.pin", func(c *Config) { c.Motion.Pin = "GPIO4" }, false, ""},
		{"motion.pin", func(c *Config) { c.Motion.Pin = "27" }, false, ""},
		{"motion.pin", func(c *Config) { c.Motion.Pin = "GPIO54" }, false, "GPIO0 to GPIO53"},
		{"motion.pin", func(c *Config) { c.Motion.Pin = "pin 11" }, false, "not a GPIO line"},
		{"motion.pin", func(c *Config) { c.Motion.Pin = "" }, false, "not a GPIO line"},
		{"motion.warmup", func(c *Config) { c.Motion.Warmup = 0 }, false, ""},
		{"motion.warmup", func(c *Config) { c.Motion.Warmup = ms(600000) }, false, ""},
		{"motion.warmup", func(c *Config) { c.Motion.Warmup = ms(600001) }, false, "out of range"},
		{"motion.warmup", func(c *Config) { c.Motion.Warmup = -2 }, false, `write "auto"`},
		{"light.exec", func(c *Config) { c.Light.Exec = "./light" }, false, "not an absolute path"},
		{"light.bus", func(c *Config) { c.Light.Bus = "0" }, false, ""},
		{"light.bus", func(c *Config) { c.Light.Bus = "/dev/i2c-1" }, false, "not an I2C bus number"},
		{"light.bus", func(c *Config) { c.Light.Bus = "01" }, false, "not an I2C bus number"},
		{"light.bus", func(c *Config) { c.Light.Bus = "256" }, false, "not an I2C bus number"},
		{"light.address", func(c *Config) { c.Light.Address = 0x5C }, true, ""},
		{"light.address", func(c *Config) { c.Light.Address = 0x23 }, false, ""},
		// The simulated board emulates a BH1750: the same two addresses
		// (0x24 was accepted here once, and the light process refused it).
		{"light.address", func(c *Config) { c.Light.Address = 0x24 }, false, "not an address a BH1750 answers on"},
		{"light.address", func(c *Config) { c.Light.Address = 0x29 }, true, "not an address a BH1750 answers on"},
		{"light.address", func(c *Config) { c.Light.Address = 0x80 }, false, "not an address a BH1750 answers on"},
		{"light.address", func(c *Config) { c.Light.Address = -1 }, false, "not an address a BH1750 answers on"},
		{"light.interval", func(c *Config) { c.Light.Interval = ms(1) }, false, ""},
		{"light.interval", func(c *Config) { c.Light.Interval = ms(0) }, false, "below the simulated chip's 1ms minimum"},
		{"light.interval", func(c *Config) { c.Light.Interval = ms(3600000) }, false, ""},
		{"light.interval", func(c *Config) { c.Light.Interval = ms(3600001) }, false, "longer than 1h"},
		// On a Pi the driver needs the chip's conversion time (100ms was
		// accepted here once, and the light process refused it).
		{"light.interval", func(c *Config) { c.Light.Interval = ms(180) }, true, ""},
		{"light.interval", func(c *Config) { c.Light.Interval = ms(179) }, true, "shorter than the chip's conversion time"},
		{"light.interval", func(c *Config) { c.Light.Interval = ms(100) }, true, "shorter than the chip's conversion time"},
		{"logger.exec", func(c *Config) { c.Logger.Exec = "x" }, false, "not an absolute path"},
		{"logger.dir", func(c *Config) { c.Logger.Dir = "" }, false, `"" is not an absolute path`},
		{"logger.dir", func(c *Config) { c.Logger.Dir = "data" }, false, "not an absolute path"},
		{"logger.fsync_interval", func(c *Config) { c.Logger.FsyncInterval = 0 }, false, "out of range"},
		{"logger.max_file_size", func(c *Config) { c.Logger.MaxFileSize = 64 << 10 }, false, ""},
		{"logger.max_file_size", func(c *Config) { c.Logger.MaxFileSize = 64<<10 - 1 }, false, "65535 is too small; it must be at least 65536 bytes (64 KiB)"},
		{"logger.max_files", func(c *Config) { c.Logger.MaxFiles = 1 }, false, ""},
		{"logger.max_files", func(c *Config) { c.Logger.MaxFiles = 0 }, false, "0 is too small; it must be at least 1"},
		{"gui.exec", func(c *Config) { c.GUI.Exec = "gui" }, false, "not an absolute path"},
		{"gui.tty", func(c *Config) { c.GUI.TTY = "" }, false, ""},
		{"gui.tty", func(c *Config) { c.GUI.TTY = "none" }, false, ""},
		{"gui.tty", func(c *Config) { c.GUI.TTY = "/dev/tty1" }, false, ""},
		{"gui.tty", func(c *Config) { c.GUI.TTY = "console" }, false, `"console": write ""`},
	}
	for _, tt := range tests {
		c := Default()
		tt.set(&c)
		err := c.validate(tt.pi)
		if tt.want == "" {
			if err != nil {
				t.Errorf("%s (pi=%v): unexpected %v", tt.key, tt.pi, err)
			}
			continue
		}
		var ke *KeyError
		if !errors.As(err, &ke) || ke.Key != tt.key || !strings.Contains(ke.Msg, tt.want) {
			t.Errorf("%s (pi=%v): got %v, want %q", tt.key, tt.pi, err, tt.want)
		}
	}
}

// TestValidateAll: every bad value is reported, not only the first.
func TestValidateAll(t *testing.T) {
	c := Default()
	c.Logger.MaxFiles, c.GUI.TTY, c.Board.Kind = 0, "x", "y"
	err := c.validate(false)
	if n := strings.Count(err.Error(), "\n") + 1; n != 3 {
		t.Errorf("%d errors reported:\n%v", n, err)
	}
}

func TestDiff(t *testing.T) {
	tests := []struct {
		name string
		set  func(c *Config)
		want []string // roles to restart
	}{
		{"nothing", func(c *Config) {}, nil},
		{"poll", func(c *Config) { c.Supervisor.Poll = Duration(time.Millisecond) }, nil},
		{"grace and group", func(c *Config) { c.Supervisor.Grace = 1; c.Supervisor.Group = "adm" }, nil},
		{"board kind", func(c *Config) { c.Board.Kind = "sim" }, []string{RoleMotion, RoleLight, RoleGUI}},
		{"seed", func(c *Config) { c.Board.Seed = 3 }, []string{RoleMotion, RoleLight}},
		{"wrapper", func(c *Config) { c.Supervisor.ExecWrapper = "q" }, []string{RoleMotion, RoleLight, RoleLogger, RoleGUI}},
		{"user", func(c *Config) { c.Supervisor.User = "u" }, []string{RoleMotion, RoleLight, RoleLogger, RoleGUI}},
		{"runtime dir", func(c *Config) { c.Supervisor.RuntimeDir = "/r" }, []string{RoleGUI}},
		{"pin", func(c *Config) { c.Motion.Pin = "GPIO4" }, []string{RoleMotion}},
		{"warmup", func(c *Config) { c.Motion.Warmup = 0 }, []string{RoleMotion}},
		{"interval", func(c *Config) { c.Light.Interval = 1 }, []string{RoleLight}},
		{"address", func(c *Config) { c.Light.Address = 0x5C }, []string{RoleLight}},
		{"logger files", func(c *Config) { c.Logger.MaxFiles = 2 }, []string{RoleLogger}},
		{"tty", func(c *Config) { c.GUI.TTY = "none" }, []string{RoleGUI}},
		{"exec", func(c *Config) { c.GUI.Exec = "/g"; c.Logger.Exec = "/l" }, []string{RoleLogger, RoleGUI}},
	}
	for _, tt := range tests {
		old, new := Default(), Default()
		tt.set(&new)
		var got []string
		for _, r := range children {
			if Diff(old, new, r) {
				got = append(got, r)
			}
			if Diff(old, old, r) {
				t.Errorf("%s: Diff of equal configs restarts %s", tt.name, r)
			}
		}
		if strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("%s: restarts %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestChanged(t *testing.T) {
	old, new := Default(), Default()
	new.Light.Bus, new.GUI.TTY = "2", "none"
	if got := strings.Join(Changed(old, new), " "); got != "light.bus gui.tty" {
		t.Errorf("Changed = %q", got)
	}
}
