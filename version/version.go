// Package version is the one version of sensord: set once by the build
// (make sets it from scripts/version.sh with
// -ldflags "-X sensord/version.Version=1.2.3") and shown everywhere a
// version appears: `sensord version`, the status JSON, the sensors'
// info replies and the dashboard.
package version

import "runtime/debug"

// Version is the release, set at build time. A plain `go build` or
// `go run` leaves it "dev"; String then adds the commit if Go recorded
// one.
var Version = "dev"

// String is the version to show.
func String() string {
	if Version != "dev" {
		return Version
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return Version
	}
	var rev, dirty string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = ".dirty"
			}
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev == "" {
		return Version
	}
	return Version + "+" + rev + dirty
}
