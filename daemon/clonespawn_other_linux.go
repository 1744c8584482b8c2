//go:build !amd64 && !arm64

package daemon

import (
	"errors"
	"log/slog"
)

// cloneSpawner is ForkExec's stand-in where rawClone has no assembly:
// every spawn goes to ForkExec (clonespawn_linux.go says what it saves).
type cloneSpawner struct{}

func newCloneSpawner(*slog.Logger) *cloneSpawner { return nil }

var errNoClone = errors.New("daemon: clone without vfork not available")

func (*cloneSpawner) spawn(spawnSpec) (int, error) { return 0, errNoClone }
func (*cloneSpawner) execErr(int) error            { return nil }
