package sandbox

import (
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/landlock-lsm/go-landlock/landlock"
)

// Paths is what a role may reach on disk once it is restricted.
type Paths struct {
	RODirs, RWDirs, ROFiles, RWFiles []string
}

// Restrict limits this process's file system access to p with Landlock
// (best effort up to ABI 7). On a kernel without Landlock it logs one
// warning and returns nil: the role still runs, unrestricted on disk.
// Call it after the role has opened what it needs.
func Restrict(log *slog.Logger, p Paths) error {
	_ = time.Local.String() // load the time zone before /etc is out of reach
	rules := []landlock.Rule{
		landlock.RODirs(p.RODirs...).IgnoreIfMissing(),
		landlock.RWDirs(p.RWDirs...),
		landlock.ROFiles(p.ROFiles...).IgnoreIfMissing(),
		landlock.RWFiles(p.RWFiles...).WithIoctlDev(),
	}
	if err := landlock.V7.BestEffort().RestrictPaths(rules...); err != nil {
		return fmt.Errorf("sandbox: cannot enter the Landlock sandbox: %w; check the paths exist", err)
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
// the running child itself. Unset in normal use.
const ProbeEnv = "SENSORD_SANDBOX_PROBE"

func probe(log *slog.Logger) {
	p := os.Getenv(ProbeEnv)
	if p == "" {
		return
	}
	_, err := os.ReadFile(p)
	log.Info("sandbox probe", "path", p, "err", err)
}
