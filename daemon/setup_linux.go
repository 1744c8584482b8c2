package daemon

import (
	"fmt"
	"log/slog"
	"os"
	"os/user"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// raiseCoreLimit sets RLIMIT_CORE to unlimited, soft and hard. Without
// the privilege to raise the hard limit it raises soft up to hard. It
// returns the limit obtained, "unlimited" or a byte count.
func raiseCoreLimit(log *slog.Logger) string {
	want := unix.Rlimit{Cur: unix.RLIM_INFINITY, Max: unix.RLIM_INFINITY}
	err := unix.Setrlimit(unix.RLIMIT_CORE, &want)
	if err != nil {
		var cur unix.Rlimit
		if err2 := unix.Getrlimit(unix.RLIMIT_CORE, &cur); err2 == nil {
			cur.Cur = cur.Max
			err = unix.Setrlimit(unix.RLIMIT_CORE, &cur)
		}
	}
	var got unix.Rlimit
	_ = unix.Getrlimit(unix.RLIMIT_CORE, &got)
	s := limitString(got.Cur)
	log.Info("core dump limit", "soft", s, "hard", limitString(got.Max), "err", errString(err))
	return s
}

func limitString(v uint64) string {
	if v == unix.RLIM_INFINITY {
		return "unlimited"
	}
	return strconv.FormatUint(v, 10)
}

func errString(err error) string {
	if err == nil {
		return "none"
	}
	return err.Error()
}

// roleGroups are the supplementary groups each role needs on a Pi
// (README, "Command line and configuration"; ARCHITECTURE.md): hardware groups only where the hardware is used.
var roleGroups = map[string][]string{"motion": {"gpio"}, "light": {"i2c"}}

// credentials returns, when the daemon runs as root, the credentials
// each child runs with: the configured user, its primary group, and only
// the role's hardware groups. Not root: nil, children run as the daemon.
// If the default user "sensord" does not exist (a development machine),
// the children run as "nobody" and a warning says so.
func credentials(name string, explicit bool, log *slog.Logger) (map[string]*syscall.Credential, int, int, error) {
	if os.Geteuid() != 0 {
		return nil, -1, -1, nil
	}
	u, err := user.Lookup(name)
	if err != nil && !explicit {
		log.Warn("user not found; children run as nobody. Install the package or create the user: useradd --system sensord",
			"user", name)
		u, err = user.Lookup("nobody")
	}
	if err != nil {
		return nil, -1, -1, fmt.Errorf("daemon: supervisor.user %q: %w; create it with useradd --system %s", name, err, name)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if uid == 0 {
		return nil, -1, -1, fmt.Errorf("daemon: supervisor.user %q is root; children must not run as root", name)
	}
	creds := make(map[string]*syscall.Credential, len(childNames))
	for _, role := range append(childNames[:], uplinkName) {
		c := &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}
		for _, g := range roleGroups[role] {
			if grp, err := user.LookupGroup(g); err == nil {
				n, _ := strconv.Atoi(grp.Gid)
				c.Groups = append(c.Groups, uint32(n))
			}
		}
		creds[role] = c
	}
	return creds, uid, gid, nil
}

// makeDir creates dir with mode if missing and, with uid >= 0, hands it
// to that user, so children can write their cores there.
func makeDir(dir string, mode os.FileMode, uid, gid int) error {
	_, statErr := os.Stat(dir)
	if err := os.MkdirAll(dir, mode); err != nil {
		return fmt.Errorf("daemon: %w", err)
	}
	if os.IsNotExist(statErr) {
		// Exactly mode, whatever the umask (--background sets 027).
		if err := os.Chmod(dir, mode); err != nil {
			return fmt.Errorf("daemon: %w", err)
		}
	}
	if uid >= 0 {
		if err := os.Lchown(dir, uid, gid); err != nil {
			return fmt.Errorf("daemon: %w", err)
		}
	}
	return nil
}

// makeDataDir creates the data directory (logger.dir). As root it makes
// it the daemon's with group gid, mode 0770: the logger and the uplink
// reach it through their group, and the daemon, its owner, writes
// generations and makes cores there without CAP_DAC_OVERRIDE or
// CAP_FOWNER (ARCHITECTURE.md, "Privileges"). A directory an older
// sensord gave to user sensord is taken back the same way (CAP_CHOWN).
func makeDataDir(dir string, gid int) error {
	if gid < 0 {
		return makeDir(dir, 0o750, -1, -1)
	}
	err := os.MkdirAll(dir, 0o770)
	if err == nil {
		err = os.Lchown(dir, os.Geteuid(), gid) // before the chmod: it is then the daemon's
	}
	if err == nil {
		err = os.Chmod(dir, 0o770) // exactly, whatever the umask or an older mode
	}
	if err != nil {
		return fmt.Errorf("daemon: %w", err)
	}
	return nil
}

func pidSelf() int { return os.Getpid() }

// closeInherited marks every descriptor above stderr close-on-exec. The
// daemon's own are already; this catches what its parent leaked to it,
// which would otherwise pass on to every child.
func closeInherited() {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return
	}
	for _, e := range entries {
		if fd, err := strconv.Atoi(e.Name()); err == nil && fd > 2 {
			syscall.CloseOnExec(fd)
		}
	}
}
