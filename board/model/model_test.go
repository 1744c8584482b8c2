package model

import (
	"os"
	"path/filepath"
	"testing"
)

// TestPi: a Raspberry Pi's device tree model is returned without its
// NUL; any other model, or none, is "".
func TestPi(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ content, want string }{
		{"Raspberry Pi 4 Model B Rev 1.4\x00", "Raspberry Pi 4 Model B Rev 1.4"},
		{"linux,dummy-virt\x00", ""},
	} {
		p := filepath.Join(dir, "model")
		if err := os.WriteFile(p, []byte(tc.content), 0o644); err != nil {
			t.Fatal(err)
		}
		if got := pi(p); got != tc.want {
			t.Errorf("pi(%q) = %q; want %q", tc.content, got, tc.want)
		}
	}
	if got := pi(filepath.Join(dir, "none")); got != "" {
		t.Errorf("no device tree: %q", got)
	}
}

// TestPiFallback: the first model file that exists is read, so sysfs
// wins and /proc/device-tree is the fallback.
func TestPiFallback(t *testing.T) {
	dir := t.TempDir()
	sys, proc := filepath.Join(dir, "sys"), filepath.Join(dir, "proc")
	if err := os.WriteFile(proc, []byte("Raspberry Pi 3 Model B Rev 1.2\x00"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := pi(sys, proc); got != "Raspberry Pi 3 Model B Rev 1.2" {
		t.Errorf("sysfs missing: %q; want the /proc model", got)
	}
	if err := os.WriteFile(sys, []byte("Raspberry Pi 5 Model B Rev 1.0\x00"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := pi(sys, proc); got != "Raspberry Pi 5 Model B Rev 1.0" {
		t.Errorf("both present: %q; want the sysfs model", got)
	}
}
