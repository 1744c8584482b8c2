package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// DefaultPath is where the daemon looks for its configuration.
const DefaultPath = "/etc/sensord/sensord.toml"

// Duration is a time.Duration written as a Go duration string ("50ms").
// The string "auto" stands for Auto, which motion.warmup and the
// watchdog keys accept.
type Duration time.Duration

// Auto is the Duration written "auto": a value the daemon picks (for
// motion.warmup: 60s on a Pi, 0 on the simulated board).
const Auto Duration = -1

// D returns d as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// String is d as written in the file.
func (d Duration) String() string {
	if d == Auto {
		return "auto"
	}
	return time.Duration(d).String()
}

func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

func (d *Duration) UnmarshalText(b []byte) error {
	if string(b) == "auto" {
		*d = Auto
		return nil
	}
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("%q is not a duration; write it as a string like \"50ms\", \"1s\" or \"2m\"", b)
	}
	*d = Duration(v)
	return nil
}

// Config is the whole configuration. Every field has a default (Default).
type Config struct {
	Board      Board      `toml:"board"`
	Supervisor Supervisor `toml:"supervisor"`
	Motion     Motion     `toml:"motion"`
	Light      Light      `toml:"light"`
	Logger     Logger     `toml:"logger"`
	GUI        GUI        `toml:"gui"`
	Uplink     Uplink     `toml:"uplink"`
}

// Board selects the hardware.
type Board struct {
	Kind      string `toml:"kind"`       // auto, pi or sim
	Seed      int64  `toml:"seed"`       // simulation seed; 0 picks one from the clock
	SimFaults string `toml:"sim_faults"` // simulated faults, see package board
}

// Supervisor configures the daemon itself.
type Supervisor struct {
	Poll        Duration `toml:"poll"`         // watch loop period
	Grace       Duration `toml:"grace"`        // SIGTERM to SIGKILL on stop
	ExecWrapper string   `toml:"exec_wrapper"` // program to start every child through
	User        string   `toml:"user"`         // user the children run as, when started as root
	Group       string   `toml:"group"`        // group that may use the control socket (mode 0660)
	RuntimeDir  string   `toml:"runtime_dir"`  // control socket directory
	SIGCHLD     bool     `toml:"sigchld"`      // wake the loop on SIGCHLD (off only to measure)
	Slice       Duration `toml:"slice"`        // scheduler time slice of the loop and the children; 0: the kernel's
}

// Motion configures the PIR sensor process.
type Motion struct {
	Exec     string   `toml:"exec"`
	Pin      string   `toml:"pin"`
	Warmup   Duration `toml:"warmup"` // Auto: 60s on a Pi, 0 on the simulated board
	Watchdog Duration `toml:"watchdog"`
}

// Light configures the light sensor process.
type Light struct {
	Exec     string   `toml:"exec"`
	Bus      string   `toml:"bus"`
	Address  int      `toml:"address"`
	Interval Duration `toml:"interval"`
	Watchdog Duration `toml:"watchdog"`
}

// Logger configures the logger process.
type Logger struct {
	Exec          string   `toml:"exec"`
	Dir           string   `toml:"dir"`
	FsyncInterval Duration `toml:"fsync_interval"`
	MaxFileSize   int64    `toml:"max_file_size"` // bytes; rotate past this
	MaxFiles      int      `toml:"max_files"`     // files kept, oldest removed
	Watchdog      Duration `toml:"watchdog"`
}

// GUI configures the dashboard process.
type GUI struct {
	Exec     string   `toml:"exec"`
	TTY      string   `toml:"tty"` // "" the daemon's terminal, a device path, or "none"
	Watchdog Duration `toml:"watchdog"`
}

// Uplink configures the optional MQTT uplink. The daemon starts the
// uplink child only when Broker is set.
type Uplink struct {
	Broker          string `toml:"broker"`           // mqtt://host[:port] or mqtts://host[:port]
	TopicPrefix     string `toml:"topic_prefix"`     // "" is sensord/<hostname>
	DiscoveryPrefix string `toml:"discovery_prefix"` // Home Assistant discovery
	Username        string `toml:"username"`
	PasswordFile    string `toml:"password_file"` // refused if others may read it
	CAFile          string `toml:"ca_file"`
	CertFile        string `toml:"cert_file"`
	KeyFile         string `toml:"key_file"`
	Textfile        string `toml:"textfile"` // Prometheus textfile; "" for none
	// Discovery publishes the Home Assistant discovery configs; false
	// clears those published before.
	Discovery bool     `toml:"discovery"`
	Watchdog  Duration `toml:"watchdog"`
}

// Default returns the configuration used when no file sets a key.
// Paths depend on whether the daemon runs as root.
func Default() Config {
	return Config{
		Board: Board{Kind: "auto"},
		Supervisor: Supervisor{
			Poll: Duration(50 * time.Millisecond), Grace: Duration(2 * time.Second),
			User: "sensord", RuntimeDir: defaultRuntimeDir(), SIGCHLD: true,
			Slice: Duration(300 * time.Microsecond),
		},
		Motion: Motion{Pin: "GPIO17", Warmup: Auto, Watchdog: Auto},
		Light:  Light{Bus: "1", Address: 0x23, Interval: Duration(time.Second), Watchdog: Auto},
		Logger: Logger{
			Dir: defaultDataDir(), FsyncInterval: Duration(time.Second),
			MaxFileSize: 16 << 20, MaxFiles: 16, Watchdog: Auto,
		},
		GUI:    GUI{Watchdog: Auto},
		Uplink: Uplink{DiscoveryPrefix: "homeassistant", Discovery: true, Watchdog: Auto},
	}
}

func defaultDataDir() string {
	if os.Geteuid() == 0 {
		return "/var/lib/sensord"
	}
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "sensord")
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".local", "state", "sensord")
	}
	return filepath.Join(os.TempDir(), "sensord-"+strconv.Itoa(os.Getuid()), "data")
}

func defaultRuntimeDir() string {
	if os.Geteuid() == 0 {
		return "/run/sensord"
	}
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		return filepath.Join(d, "sensord")
	}
	return filepath.Join(os.TempDir(), "sensord-"+strconv.Itoa(os.Getuid()))
}

// WarmupFor resolves motion.warmup for the board kind in use.
func (c Config) WarmupFor(sim bool) time.Duration {
	if c.Motion.Warmup >= 0 {
		return c.Motion.Warmup.D()
	}
	if sim {
		return 0
	}
	return 60 * time.Second
}

// DefaultWatchdog is the watchdog of sensord's own roles ("auto"):
// their loops ping at least twice in it, and a hung one is caught
// within it.
const DefaultWatchdog = 5 * time.Second

// UplinkWatchdog is the uplink's "auto" watchdog: longer, because an
// idle uplink wakes only to ping (each ping wakes about four of its
// threads), and a stuck one loses nothing (its backlog is the files).
const UplinkWatchdog = 20 * time.Second

// Watchdog resolves [ROLE] watchdog: how long the role's process may go
// without a WATCHDOG=1 before the daemon aborts and restarts it; 0 for
// none. "auto" is DefaultWatchdog for sensord's own program
// (UplinkWatchdog for the uplink) and none for a program set with exec,
// which may not speak the notify protocol.
func (c Config) Watchdog(role string) time.Duration {
	exec, d := c.roleExec(role)
	if d != Auto {
		return d.D()
	}
	switch {
	case exec != "":
		return 0
	case role == RoleUplink:
		return UplinkWatchdog
	}
	return DefaultWatchdog
}

// roleExec is the exec and watchdog keys of role.
func (c Config) roleExec(role string) (string, Duration) {
	switch role {
	case RoleMotion:
		return c.Motion.Exec, c.Motion.Watchdog
	case RoleLight:
		return c.Light.Exec, c.Light.Watchdog
	case RoleLogger:
		return c.Logger.Exec, c.Logger.Watchdog
	case RoleGUI:
		return c.GUI.Exec, c.GUI.Watchdog
	case RoleUplink:
		return "", c.Uplink.Watchdog
	}
	return "", 0
}
