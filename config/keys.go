package config

// A key is one setting of the file: its dotted name, the sentence that
// documents it (Marshal prints it as a comment), the children that must
// be restarted when it changes (Diff), and how to read it from a Config.
// The table is the single list of keys; a test checks it against the
// struct tags so a new field cannot be forgotten.
type key struct {
	name  string
	doc   string
	roles []string // children whose argv or privileges depend on it
	get   func(c *Config) any
}

// The child roles, as the daemon names them.
const (
	RoleMotion = "motion"
	RoleLight  = "light"
	RoleLogger = "logger"
	RoleGUI    = "gui"
	RoleUplink = "uplink" // started only when uplink.broker is set
)

var (
	sensors    = []string{RoleMotion, RoleLight}
	children   = []string{RoleMotion, RoleLight, RoleLogger, RoleGUI}
	uplinkRole = []string{RoleUplink}
)

// keys lists every key in file order. It is read-only.
var keys = []key{
	{"board.kind", `hardware: "auto" (a Raspberry Pi if /proc/device-tree/model says so, else simulated), "pi" or "sim"`,
		[]string{RoleMotion, RoleLight, RoleGUI}, func(c *Config) any { return c.Board.Kind }},
	{"board.seed", "simulation seed; 0 picks one from the clock",
		sensors, func(c *Config) any { return c.Board.Seed }},
	{"board.sim_faults", "faults the simulated board injects (see package board); empty for none",
		sensors, func(c *Config) any { return c.Board.SimFaults }},

	{"supervisor.poll", "period of the daemon's watch loop (1ms to 1s)",
		nil, func(c *Config) any { return c.Supervisor.Poll }},
	{"supervisor.grace", "time a child has to exit after SIGTERM before SIGKILL (up to 1m)",
		nil, func(c *Config) any { return c.Supervisor.Grace }},
	{"supervisor.exec_wrapper", `program every child is started through, e.g. "qemu-aarch64-static" (or $SENSORD_EXEC_WRAPPER); empty for none`,
		children, func(c *Config) any { return c.Supervisor.ExecWrapper }},
	{"supervisor.user", "user the children run as when the daemon starts as root",
		children, func(c *Config) any { return c.Supervisor.User }},
	{"supervisor.group", "group allowed to use the control socket (mode 0660); empty: root only (0600)",
		nil, func(c *Config) any { return c.Supervisor.Group }},
	{"supervisor.runtime_dir", "directory of the control socket sensord.sock (--runtime-dir)",
		[]string{RoleGUI}, func(c *Config) any { return c.Supervisor.RuntimeDir }},
	{"supervisor.sigchld", "wake the watch loop at a child's death (pidfd, or SIGCHLD where there is none); turn off only to measure the poll sweep alone",
		nil, func(c *Config) any { return c.Supervisor.SIGCHLD }},
	{"supervisor.slice", "time slice the watch loop asks of the kernel's scheduler, inherited by every child it starts: after a wake-up a task with a short slice runs before busier ones, with the same share of the CPU (Linux 6.12 and later; older kernels ignore it; the packaged systemd unit refuses the call unless a drop-in allows sched_setattr, see the README); 0s: the kernel's default (100us to 100ms); changed by a reload, it applies to the children started after",
		nil, func(c *Config) any { return c.Supervisor.Slice }},

	{"motion.exec", "absolute path of another program to run as the motion process; empty: sensord itself",
		[]string{RoleMotion}, func(c *Config) any { return c.Motion.Exec }},
	{"motion.pin", `GPIO line of the PIR sensor output, BCM numbering ("GPIO17" is header pin 11)`,
		[]string{RoleMotion}, func(c *Config) any { return c.Motion.Pin }},
	{"motion.warmup", `edges ignored after the sensor starts while the PIR settles; "auto": 60s on a Pi, 0s simulated`,
		[]string{RoleMotion}, func(c *Config) any { return c.Motion.Warmup }},
	{"motion.watchdog", `longest time the process may go without WATCHDOG=1 before it is aborted (leaving a core) and restarted; "auto": 5s for sensord itself, off for an exec program; "0s": off (100ms to 10m)`,
		[]string{RoleMotion}, func(c *Config) any { return c.Motion.Watchdog }},

	{"light.exec", "absolute path of another program to run as the light process; empty: sensord itself",
		[]string{RoleLight}, func(c *Config) any { return c.Light.Exec }},
	{"light.bus", "I2C bus number: the sensor is on /dev/i2c-<bus>",
		[]string{RoleLight}, func(c *Config) any { return c.Light.Bus }},
	{"light.address", "I2C address of the BH1750: 0x23 (ADDR low or open) or 0x5C (ADDR high)",
		[]string{RoleLight}, func(c *Config) any { return hexInt(c.Light.Address) }},
	{"light.interval", "time between two light samples: 180ms to 1h on a Pi (the chip's conversion time), 1ms to 1h simulated",
		[]string{RoleLight}, func(c *Config) any { return c.Light.Interval }},
	{"light.watchdog", `longest time the process may go without WATCHDOG=1 before it is aborted (leaving a core) and restarted; "auto": 5s for sensord itself, off for an exec program; "0s": off (100ms to 10m)`,
		[]string{RoleLight}, func(c *Config) any { return c.Light.Watchdog }},

	{"logger.exec", "absolute path of another program to run as the logger process; empty: sensord itself",
		[]string{RoleLogger}, func(c *Config) any { return c.Logger.Exec }},
	{"logger.dir", "data directory for sensord-*.jsonl (--data-dir); cores of the children go to <dir>/cores",
		[]string{RoleLogger}, func(c *Config) any { return c.Logger.Dir }},
	{"logger.fsync_interval", "a record is on disk at most this long after it was read (1ms to 1m)",
		[]string{RoleLogger}, func(c *Config) any { return c.Logger.FsyncInterval }},
	{"logger.max_file_size", "bytes after which a data file is rotated (at least 65536)",
		[]string{RoleLogger}, func(c *Config) any { return c.Logger.MaxFileSize }},
	{"logger.max_files", "data files kept; the oldest is removed (at least 1)",
		[]string{RoleLogger}, func(c *Config) any { return c.Logger.MaxFiles }},
	{"logger.watchdog", `longest time the process may go without WATCHDOG=1 before it is aborted (leaving a core) and restarted; "auto": 5s for sensord itself, off for an exec program; "0s": off (100ms to 10m)`,
		[]string{RoleLogger}, func(c *Config) any { return c.Logger.Watchdog }},

	{"gui.exec", "absolute path of another program to run as the dashboard; empty: sensord itself",
		[]string{RoleGUI}, func(c *Config) any { return c.GUI.Exec }},
	{"gui.tty", `dashboard terminal: "" the terminal sensord was started from, "none" no screen, or a device such as "/dev/tty1" (--tty)`,
		[]string{RoleGUI}, func(c *Config) any { return c.GUI.TTY }},
	{"gui.watchdog", `longest time the process may go without WATCHDOG=1 before it is aborted (leaving a core) and restarted; "auto": 5s for sensord itself, off for an exec program; "0s": off (100ms to 10m)`,
		[]string{RoleGUI}, func(c *Config) any { return c.GUI.Watchdog }},

	{"uplink.broker", `MQTT broker, "mqtt://host[:port]" or "mqtts://host[:port]" (TLS); empty: no uplink process`,
		uplinkRole, func(c *Config) any { return c.Uplink.Broker }},
	{"uplink.topic_prefix", `topics are <prefix>/status, /light/state, /samples/light, /health...; empty: "sensord/<hostname>"`,
		uplinkRole, func(c *Config) any { return c.Uplink.TopicPrefix }},
	{"uplink.discovery_prefix", "Home Assistant MQTT discovery prefix",
		uplinkRole, func(c *Config) any { return c.Uplink.DiscoveryPrefix }},
	{"uplink.username", "MQTT user name; empty: none",
		uplinkRole, func(c *Config) any { return c.Uplink.Username }},
	{"uplink.password_file", "file holding the MQTT password (refused if others may read it); empty: none",
		uplinkRole, func(c *Config) any { return c.Uplink.PasswordFile }},
	{"uplink.ca_file", "PEM CA certificates that sign the broker's (mqtts); empty: the system's",
		uplinkRole, func(c *Config) any { return c.Uplink.CAFile }},
	{"uplink.cert_file", "PEM client certificate for mqtts; empty: none",
		uplinkRole, func(c *Config) any { return c.Uplink.CertFile }},
	{"uplink.key_file", "PEM key of uplink.cert_file",
		uplinkRole, func(c *Config) any { return c.Uplink.KeyFile }},
	{"uplink.textfile", "Prometheus textfile written atomically for node_exporter, e.g. /var/lib/node_exporter/sensord.prom; empty: none",
		uplinkRole, func(c *Config) any { return c.Uplink.Textfile }},
	{"uplink.discovery", "publish Home Assistant MQTT discovery configs; false: clear (empty retained payloads) the configs this appliance published before",
		uplinkRole, func(c *Config) any { return c.Uplink.Discovery }},
	{"uplink.watchdog", `longest time the uplink's loop may go without WATCHDOG=1 before it is aborted (leaving a core) and restarted; "auto": 20s; "0s": off (100ms to 10m)`,
		uplinkRole, func(c *Config) any { return c.Uplink.Watchdog }},
}

// hexInt is an int that Marshal writes in hexadecimal, as I2C addresses
// are written in datasheets.
type hexInt int

// lookup returns the key named name.
func lookup(name string) (key, bool) {
	for _, k := range keys {
		if k.name == name {
			return k, true
		}
	}
	return key{}, false
}
