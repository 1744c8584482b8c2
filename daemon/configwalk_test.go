package daemon_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"sensord/control"
	"sensord/daemon/daemontest"
)

// boundaries are, per key, values on both sides of its limits, as TOML.
// Keys whose limit depends on the board are walked with both boards.
var boundaries = []struct {
	table, key string
	values     []string
	boards     []string // board.kind values to walk them with; nil: sim
}{
	{"light", "address", []string{"0x23", "0x5C", "0x24", "0x00", "0x80"}, nil},
	{"light", "interval", []string{`"1ms"`, `"0s"`, `"1h"`, `"1h0m0.001s"`}, nil},
	{"light", "interval", []string{`"180ms"`, `"179ms"`, `"100ms"`}, []string{"pi"}},
	{"light", "bus", []string{`"0"`, `"255"`, `"256"`, `"01"`}, nil},
	{"motion", "pin", []string{`"GPIO17"`, `"GPIO4"`, `""`}, nil},
	{"motion", "warmup", []string{`"auto"`, `"0s"`, `"10m"`, `"10m1s"`, `"-1s"`}, nil},
	{"logger", "fsync_interval", []string{`"1ms"`, `"0s"`, `"1m"`, `"1m1s"`}, nil},
	{"logger", "max_file_size", []string{"65536", "65535"}, nil},
	{"logger", "max_files", []string{"1", "0"}, nil},
	{"supervisor", "poll", []string{`"1ms"`, `"0s"`, `"1s"`, `"1.001s"`}, nil},
	{"supervisor", "grace", []string{`"1ms"`, `"0s"`, `"1m"`, `"1m1ms"`}, nil},
	{"board", "kind", []string{`"sim"`, `"pi"`, `"auto"`, `"pie"`}, nil},
}

// TestConfigBoundaries walks every key's boundary values: whatever
// `sensord config` accepts starts without a single child death (light
// once took light.address = 0x24 and light.interval = "100ms" on a Pi
// from the check, then refused them and crash-looped), and whatever it
// refuses names the file, the line and the key.
func TestConfigBoundaries(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an appliance per accepted value")
	}
	for _, b := range boundaries {
		boards := b.boards
		if boards == nil {
			boards = []string{"sim"}
		}
		for _, kind := range boards {
			for _, v := range b.values {
				toml := "[board]\nkind = \"" + kind + "\"\n\n[" + b.table + "]\n" + b.key + " = " + v + "\n"
				if b.table == "board" {
					toml = "[board]\n" + b.key + " = " + v + "\n"
				}
				name := b.table + "." + b.key + "=" + v + "/" + kind
				t.Run(name, func(t *testing.T) { walkValue(t, b.table+"."+b.key, toml) })
			}
		}
	}
}

func walkValue(t *testing.T, key, toml string) {
	path := filepath.Join(t.TempDir(), "sensord.toml")
	if err := os.WriteFile(path, []byte(toml), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "config", "--config", path).CombinedOutput()
	if err != nil {
		line := strings.Count(toml, "\n") // the key is on the last line
		want := path + ":" + strconv.Itoa(line) + ": " + key + ": "
		if !strings.Contains(string(out), want) {
			t.Errorf("refused without naming file, line and key (want %q):\n%s", want, out)
		}
		return
	}
	a := daemontest.Start(t, bin, daemontest.Options{Config: toml, BoardInConfig: true})
	st := a.WaitFor("every child up for a second", 20*time.Second, func(st control.Status) bool {
		for _, c := range st.Children {
			if c.State != control.Running || c.StartedAt == nil || time.Since(*c.StartedAt) < time.Second {
				return false
			}
		}
		return true
	})
	for _, c := range st.Children {
		if c.Restarts != 0 {
			t.Errorf("accepted by sensord config, but %s died %d times: %s\n%s", c.Name, c.Restarts, c.LastExit.Reason, a.Log())
		}
	}
}
