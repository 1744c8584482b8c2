package daemon

import (
	"fmt"
	"log/slog"
	"path/filepath"
	"strconv"
	"syscall"

	"sensord/config"
	"sensord/control"
	"sensord/ipc"
)

// The children, in start order. Stop order is stopOrder.
var childNames = [...]string{"logger", "gui", "motion", "light"}

// uplinkName is the optional fifth child, started only when
// uplink.broker is set (activeChildren).
const uplinkName = "uplink"

// stopOrder is the shutdown order (README, "How it works"): the sensors stop
// first, then the logger drains its pipes, then the uplink (which reads
// what the logger wrote), then the GUI goes. A phase names children that
// may be absent.
var stopOrder = [...][]string{{"motion", "light"}, {"logger"}, {uplinkName}, {"gui"}}

// activeChildren are the children of configuration c, in start order:
// the four, and the uplink when a broker is configured.
func activeChildren(c config.Config) []string {
	names := append([]string(nil), childNames[:]...)
	if c.Uplink.Broker != "" {
		names = append(names, uplinkName)
	}
	return names
}

// end is one pipe end handed to a child: the flag that names its
// descriptor number in argv, the pipe, and which end.
type end struct {
	flag  string
	pipe  string
	write bool
}

// roleEnds lists each role's pipe ends in descriptor order: the first is
// fd 3, the next fd 4, and so on. This is the public fd/argv convention.
var roleEnds = map[string][]end{
	"motion": {{"rx", "gui-motion", false}, {"tx-gui", "motion-gui", true}, {"tx-logger", "motion-logger", true}},
	"light":  {{"rx", "gui-light", false}, {"tx-gui", "light-gui", true}, {"tx-logger", "light-logger", true}},
	"logger": {{"rx-motion", "motion-logger", false}, {"rx-light", "light-logger", false}},
	"gui": {
		{"rx-motion", "motion-gui", false}, {"rx-light", "light-gui", false},
		{"tx-motion", "gui-motion", true}, {"tx-light", "gui-light", true},
	},
}

// settings is what a role is started with besides its descriptors:
// the program and the role's own flags.
type settings struct {
	exec  string   // program to exec; "" is the daemon's own executable
	flags []string // role flags after the descriptor flags
}

// roleSettings derives a role's settings from the configuration. board
// is the resolved board kind, guiMode the GUI's terminal mode.
func roleSettings(name string, c config.Config, env runEnv) settings {
	switch name {
	case "motion":
		return settings{c.Motion.Exec, append(boardFlags(name, c, env),
			"--pin", c.Motion.Pin, "--warmup", c.WarmupFor(env.board == "sim").String())}
	case "light":
		return settings{c.Light.Exec, append(boardFlags(name, c, env),
			"--bus", c.Light.Bus, "--address", fmt.Sprintf("%#x", c.Light.Address),
			"--interval", c.Light.Interval.D().String())}
	case "logger":
		return settings{c.Logger.Exec, []string{
			"--dir", c.Logger.Dir, "--fsync-interval", c.Logger.FsyncInterval.D().String(),
			"--max-file-size", strconv.FormatInt(c.Logger.MaxFileSize, 10),
			"--max-files", strconv.Itoa(c.Logger.MaxFiles)}}
	case "gui":
		return settings{c.GUI.Exec, []string{"--tty", env.guiMode,
			"--control", env.socket, "--board-model", env.model}}
	case uplinkName:
		return settings{"", uplinkFlags(c, env)}
	}
	panic("daemon: unknown role " + name)
}

// uplinkFlags: the uplink holds no pipe; it reads the logger's
// directory and asks the control socket for health.
func uplinkFlags(c config.Config, env runEnv) []string {
	u := c.Uplink
	return []string{"--broker", u.Broker, "--data-dir", c.Logger.Dir, "--control", env.socket,
		"--topic-prefix", u.TopicPrefix, "--discovery-prefix", u.DiscoveryPrefix,
		"--username", u.Username, "--password-file", u.PasswordFile,
		"--ca-file", u.CAFile, "--cert-file", u.CertFile, "--key-file", u.KeyFile,
		"--textfile", u.Textfile, "--discovery=" + strconv.FormatBool(u.Discovery)}
}

// makeUplinkFile creates the uplink's status file for the dashboard in
// the runtime directory, shared with the uplink's group: the uplink
// cannot create files there itself (as drop ledgers are made for the
// sensors). 0660, whatever the umask: the uplink writes it, the
// dashboard, of the same user, reads it.
func makeUplinkFile(dir string, cred *syscall.Credential, log *slog.Logger) {
	fd, err := ipc.OpenShared(filepath.Join(dir, control.UplinkFile), credGID(cred), 0o660)
	if err != nil {
		log.Warn("no uplink status file; the dashboard will not show the uplink's connection", "err", err)
		return
	}
	syscall.Close(fd)
}

// boardFlags are the flags both sensor roles take.
func boardFlags(role string, c config.Config, env runEnv) []string {
	f := []string{"--board", env.board, "--seed", strconv.FormatInt(env.seed, 10),
		"--sim-faults", c.Board.SimFaults}
	if l := env.ledgers[role]; l != "" {
		f = append(f, "--drop-ledger", l)
	}
	return f
}

// argv builds a child's argument vector: program, role, generation,
// descriptor flags numbered from 3, then the role's own flags.
func argv(name string, gen uint32, s settings, self string) []string {
	prog := self
	if s.exec != "" {
		prog = s.exec
	}
	a := []string{prog, name, "--gen", strconv.FormatUint(uint64(gen), 10)}
	for i, e := range roleEnds[name] {
		a = append(a, "--"+e.flag, strconv.Itoa(3+i))
	}
	return append(a, s.flags...)
}
