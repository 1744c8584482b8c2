package gui

import (
	"log/slog"
	"os"
	"path/filepath"

	"sensord/sandbox"
)

// allowance is what the dashboard may reach on disk once its screen is
// made (README.md, "Security: file system"): the runtime directory,
// read-only, for the uplink's status file (control.UplinkFile, which
// the daemon may make again on a reload, so a rule on the directory and
// not the file). The terminal is fd 0/1, already open; the control
// socket is reached by connect(2), which Landlock up to ABI 7 does not
// restrict; terminfo is read before, when the screen is made.
func allowance(cfg Config) sandbox.Paths {
	if cfg.Control == "" {
		return sandbox.Paths{}
	}
	return sandbox.Paths{RODirs: []string{filepath.Dir(cfg.Control)}}
}

// confine enters the dashboard's sandbox; its log lines go to stderr,
// the daemon's.
func confine(cfg Config) error {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil)).With("role", "gui", "gen", cfg.Gen)
	return sandbox.Restrict(log, allowance(cfg))
}
