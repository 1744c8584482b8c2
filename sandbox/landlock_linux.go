package sandbox

import (
	"fmt"
	"log/slog"
	"net"
	"os"
	"time"

	"github.com/landlock-lsm/go-landlock/landlock"
	ll "github.com/landlock-lsm/go-landlock/landlock/syscall"
)

// Paths is what a role may reach once it is restricted: on disk, and
// the TCP ports it may connect to (none for every role but the uplink).
// Each role builds its own in one function (README.md, "Security: file
// system").
type Paths struct {
	// RWDirs must exist; the other paths may be missing, and are then
	// simply not allowed.
	RODirs, RWDirs, ROFiles, RWFiles []string
	// ConnectTCP are the ports connect(2) may reach on TCP (Landlock
	// ABI 4 and later); binding a TCP port is never allowed.
	ConnectTCP []uint16
}

// coreAccess is what the kernel needs in a working directory to leave a
// core file there in place of the last: remove, create and write a
// regular file. Not read: a role cannot read another's core.
const coreAccess = landlock.AccessFSSet(ll.AccessFSRemoveFile | ll.AccessFSMakeReg | ll.AccessFSWriteFile | ll.AccessFSTruncate)

// Restrict limits this process's file system and TCP access to p with
// Landlock (best effort up to ABI 7). On a kernel without Landlock it
// logs one warning and returns nil: the role still runs, unrestricted.
// Call it after the role has opened what it needs: descriptors already
// open are not affected.
//
// The working directory stays writable for core files only: a child's
// is <logger.dir>/cores (README.md, "Status, logs, data, cores"), and
// the kernel writes a core with the dying process's own rights.
func Restrict(log *slog.Logger, p Paths) error {
	_ = time.Local.String() // load the time zone before /etc is out of reach
	rules := []landlock.Rule{
		landlock.RODirs(p.RODirs...).IgnoreIfMissing(),
		landlock.RWDirs(p.RWDirs...),
		landlock.ROFiles(p.ROFiles...).IgnoreIfMissing(),
		landlock.RWFiles(p.RWFiles...).WithIoctlDev().IgnoreIfMissing(),
	}
	if wd, err := os.Getwd(); err == nil && wd != "/" {
		rules = append(rules, landlock.PathAccess(coreAccess, wd))
	}
	if err := landlock.V7.BestEffort().RestrictPaths(rules...); err != nil {
		return fmt.Errorf("sandbox: cannot enter the Landlock sandbox: %w; check the paths exist", err)
	}
	var ports []landlock.Rule
	for _, port := range p.ConnectTCP {
		ports = append(ports, landlock.ConnectTCP(port))
	}
	if err := landlock.V7.BestEffort().RestrictNet(ports...); err != nil {
		return fmt.Errorf("sandbox: cannot restrict TCP with Landlock: %w", err)
	}
	if abi, err := LandlockABI(); err != nil || abi == 0 {
		log.Warn("sandbox: kernel has no Landlock; file system access is not restricted", "err", err)
	}
	probe(log)
	return nil
}

// ProbeEnv names a file that a restricted role tries to read at once and
// logs the outcome of ("sandbox probe"): a seam for the end-to-end tests,
// which check that a file outside the role's allowance is refused by
// the running child itself. Unset in normal use. ProbeTCPEnv is the
// same for a TCP connection to an address ("127.0.0.1:9"), logged as
// "sandbox tcp probe".
const (
	ProbeEnv    = "SENSORD_SANDBOX_PROBE"
	ProbeTCPEnv = "SENSORD_SANDBOX_PROBE_TCP"
)

func probe(log *slog.Logger) {
	if p := os.Getenv(ProbeEnv); p != "" {
		_, err := os.ReadFile(p)
		log.Info("sandbox probe", "path", p, "err", err)
	}
	if a := os.Getenv(ProbeTCPEnv); a != "" {
		log.Info("sandbox tcp probe", "addr", a, "err", dialTCP(a))
	}
}

// dialTCP connects to addr and closes the connection at once.
func dialTCP(addr string) error {
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err == nil {
		c.Close()
	}
	return err
}
