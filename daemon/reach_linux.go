package daemon

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"sensord/config"
	"slices"
	"strconv"
	"syscall"
)

// Permission bits to check, as in access(2).
const (
	mayExec  = 1
	mayWrite = 2
	mayRead  = 4
)

// reachable is what the children's user must be able to do, checked
// before the first spawn: a data directory under a 0700 home would
// otherwise make every child fail to exec (or the logger to write) and
// be retried for ever with a blank screen.
type reachable struct {
	path string
	want int    // mayRead|mayWrite|mayExec on the path itself
	what string // for the error: "the data directory (logger.dir)"
	// missingOK: a program that is not there (yet) is not this check's
	// business: its start fails and is retried with backoff, logged.
	missingOK bool
}

// checkReach checks that a process with cred can reach each path (exec
// permission on every directory above it) and has want on it, by the
// mode bits (ACLs are not read). It returns one error naming the first
// folder in the way and what to do. A nil cred (not root) checks nothing:
// the children run as the daemon's own user.
func checkReach(cred *syscall.Credential, user string, paths []reachable) error {
	if cred == nil {
		return nil
	}
	for _, p := range paths {
		abs, err := filepath.Abs(p.path)
		if err != nil {
			return fmt.Errorf("daemon: %s %s: %w", p.what, p.path, err)
		}
		if _, err := os.Stat(abs); p.missingOK && errors.Is(err, fs.ErrNotExist) {
			continue
		}
		for dir := filepath.Dir(abs); ; dir = filepath.Dir(dir) {
			if err := may(cred, dir, mayExec); err != nil {
				return fmt.Errorf("daemon: user %s cannot reach %s %s: %w; "+
					"give it search permission (chmod o+x %s) or move the directory", user, p.what, abs, err, dir)
			}
			if dir == "/" {
				break
			}
		}
		if err := may(cred, abs, p.want); err != nil {
			return fmt.Errorf("daemon: user %s cannot use %s %s: %w", user, p.what, abs, err)
		}
	}
	return nil
}

// may says whether cred has want on path by its mode bits.
func may(cred *syscall.Credential, path string, want int) error {
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		return err
	}
	bits := int(st.Mode) & 7 // other
	switch {
	case st.Uid == cred.Uid:
		bits = int(st.Mode>>6) & 7
	case st.Gid == cred.Gid || slices.Contains(cred.Groups, st.Gid):
		bits = int(st.Mode>>3) & 7
	}
	if bits&want != want {
		return fmt.Errorf("%s is mode %v, owner %d, group %d", path, os.FileMode(st.Mode&0o777), st.Uid, st.Gid)
	}
	return nil
}

// childPaths are the paths child name must reach: its working directory
// (where its cores land), the runtime directory (control socket, drop
// ledgers), the data directory for the logger, and the program unless it
// is the daemon's own binary through /proc/self/exe, which needs no
// search permission above it.
func childPaths(name string, cfg config.Config, env runEnv) []reachable {
	paths := []reachable{
		{env.coreDir, mayWrite | mayExec, "the cores directory (<logger.dir>/cores, the children's working directory)", false},
		{cfg.Supervisor.RuntimeDir, mayExec, "the runtime directory (supervisor.runtime_dir, --runtime-dir)", false},
	}
	switch name {
	case "logger":
		paths = append(paths, reachable{cfg.Logger.Dir, mayRead | mayWrite | mayExec, "the data directory (logger.dir, --data-dir)", false})
	case uplinkName:
		paths = append(paths, reachable{cfg.Logger.Dir, mayRead | mayExec, "the data directory (logger.dir, --data-dir)", false})
	}
	prog := roleSettings(name, cfg, env).exec
	if len(env.wrapper) > 0 {
		paths = append(paths, reachable{env.wrapper[0], mayExec, "the exec wrapper (supervisor.exec_wrapper)", true})
		if prog == "" {
			prog = env.self // the wrapper opens it by name
		}
	}
	if prog != "" {
		paths = append(paths, reachable{prog, mayRead | mayExec, "the program of the " + name + " role", true})
	}
	return paths
}

// checkChildren is checkReach for every child, before the first spawn.
func checkChildren(cfg config.Config, env runEnv) error {
	for _, name := range activeChildren(cfg) {
		cred := env.cred[name]
		who := cfg.Supervisor.User
		if cred != nil {
			if u, err := user.LookupId(strconv.Itoa(int(cred.Uid))); err == nil {
				who = u.Username // "nobody" when sensord does not exist
			}
		}
		if err := checkReach(cred, who, childPaths(name, cfg, env)); err != nil {
			return fmt.Errorf("%w (the %s process runs as that user; nothing was started)", err, name)
		}
	}
	return nil
}
