package motion

import (
	"runtime/debug"
)

// version is the program's version for info replies.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "sensord"
	}
	return "sensord " + bi.Main.Version + " " + bi.GoVersion
}
