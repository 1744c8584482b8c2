package sandbox

import (
	"errors"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// landlockChild runs in the re-executed test binary: it restricts itself
// to SANDBOX_RW, then writes inside it and tries to read outside it.
func landlockChild() int {
	dir := os.Getenv("SANDBOX_RW")
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := Restrict(log, Paths{RWDirs: []string{dir}}); err != nil {
		os.Stderr.WriteString(err.Error())
		return 3
	}
	if err := os.WriteFile(filepath.Join(dir, "inside"), []byte("x"), 0o600); err != nil {
		os.Stderr.WriteString("write inside denied: " + err.Error())
		return 4
	}
	if abi, _ := LandlockABI(); abi == 0 {
		return 0 // no Landlock: nothing more to check
	}
	if _, err := os.ReadFile(os.Getenv("SANDBOX_OUTSIDE")); !errors.Is(err, syscall.EACCES) {
		os.Stderr.WriteString("read outside not denied: " + errString(err))
		return 5
	}
	return 0
}

func TestRestrict(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "outside")
	if err := os.WriteFile(outside, []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "SANDBOX_CHILD=landlock", "SANDBOX_RW="+t.TempDir(), "SANDBOX_OUTSIDE="+outside)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, strings.TrimSpace(string(out)))
	}
}
