package daemon

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestCheckReach: a folder the children's user cannot enter (a 0700
// home of another user) is named with what to do; owner, group and
// other bits each count; no credential (not root) checks nothing.
func TestCheckReach(t *testing.T) {
	home, err := os.MkdirTemp("", "reach") // in /tmp: t.TempDir's parent is 0700
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(home) })
	data := filepath.Join(home, "data")
	if err := os.MkdirAll(data, 0o750); err != nil {
		t.Fatal(err)
	}
	me := uint32(os.Getuid())
	other := &syscall.Credential{Uid: me + 1000, Gid: 12345}
	owner := &syscall.Credential{Uid: me, Gid: uint32(os.Getgid())}
	inGroup := &syscall.Credential{Uid: me + 1000, Gid: 1, Groups: []uint32{uint32(os.Getgid())}}
	paths := []reachable{{data, mayRead | mayWrite | mayExec, "the data directory (logger.dir)", false},
		{filepath.Join(home, "no", "such", "program"), mayExec, "the program", true}}

	if err := os.Chmod(home, 0o700); err != nil {
		t.Fatal(err)
	}
	err = checkReach(other, "sensord", paths)
	if err == nil || !strings.Contains(err.Error(), "cannot reach the data directory (logger.dir) "+data) ||
		!strings.Contains(err.Error(), "chmod o+x "+home) {
		t.Errorf("0700 home: %v", err)
	}
	if err := checkReach(owner, "sensord", paths); err != nil {
		t.Errorf("the owner: %v", err)
	}
	if err := os.Chmod(home, 0o750); err != nil {
		t.Fatal(err)
	}
	if err := checkReach(inGroup, "sensord", paths); err == nil || !strings.Contains(err.Error(), "cannot use the data directory") {
		t.Errorf("group member, data 0750 without group write: %v", err)
	}
	if err := checkReach(nil, "sensord", paths); err != nil {
		t.Errorf("no credential: %v", err)
	}
}
