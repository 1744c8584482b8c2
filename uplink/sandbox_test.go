package uplink

import (
	"path/filepath"
	"slices"
	"testing"
)

// TestAllowance: the uplink's sandbox holds its files and its broker's
// port (README.md, "Security: file system").
func TestAllowance(t *testing.T) {
	dir, prom := t.TempDir(), t.TempDir()
	for _, tc := range []struct {
		name     string
		c        Config
		port     uint16
		status   bool
		textfile bool
	}{
		{"plain", Config{Broker: "mqtt://broker", DataDir: dir}, 1883, false, false},
		{"tls on its port, with status and textfile", Config{Broker: "mqtts://broker:8884", DataDir: dir,
			Control: "/run/sensord/sensord.sock", Textfile: filepath.Join(prom, "sensord.prom")}, 8884, true, true},
		{"textfile in a missing folder", Config{Broker: "mqtts://broker", DataDir: dir,
			Textfile: filepath.Join(prom, "missing", "sensord.prom")}, 8883, false, false},
	} {
		p := allowance(tc.c)
		if !slices.Equal(p.ConnectTCP, []uint16{dnsPort, tc.port}) {
			t.Errorf("%s: TCP %v, want DNS and %d", tc.name, p.ConnectTCP, tc.port)
		}
		if p.RODirs[0] != dir || p.RWDirs[0] != stateDir(dir) {
			t.Errorf("%s: data %v, state %v", tc.name, p.RODirs, p.RWDirs)
		}
		if got := slices.Contains(p.RWFiles, "/run/sensord/uplink.json"); got != tc.status {
			t.Errorf("%s: status file allowed %v, want %v (%v)", tc.name, got, tc.status, p.RWFiles)
		}
		if got := slices.Contains(p.RWDirs, prom); got != tc.textfile {
			t.Errorf("%s: textfile folder allowed %v, want %v (%v)", tc.name, got, tc.textfile, p.RWDirs)
		}
	}
}
