package generator

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sensord/config"
)

// asRoot is the configuration the generator sees by default: systemd
// runs it as root, so the root defaults (config.Default depends on the
// user running the test).
func asRoot() config.Config {
	c := config.Default()
	c.Logger.Dir = "/var/lib/sensord"
	c.Supervisor.RuntimeDir = "/run/sensord"
	c.GUI.TTY = "/dev/tty1"
	return c
}

func TestDropIn(t *testing.T) {
	for _, tc := range []struct {
		name    string
		change  func(*config.Config)
		want    string // after the header
		skipped string // a word of the skipped line; "" for none
	}{
		{"packaged config: no broker, no network", func(*config.Config) {}, noNetwork, ""},
		{"broker: the network stays", func(c *config.Config) { c.Uplink.Broker = "mqtt://10.0.0.5" },
			"# uplink.broker is set: the unit's AF_INET/AF_INET6 stays, for the uplink.\n", ""},
		{"broker and textfile", func(c *config.Config) {
			c.Uplink.Broker = "mqtts://broker.lan:8883"
			c.Uplink.Textfile = "/var/lib/node_exporter/textfile/sensord.prom"
		}, "# uplink.broker is set: the unit's AF_INET/AF_INET6 stays, for the uplink.\n" +
			"ReadWritePaths=-/var/lib/node_exporter/textfile\n", ""},
		{"textfile in the data directory", func(c *config.Config) {
			c.Uplink.Broker = "mqtt://10.0.0.5"
			c.Uplink.Textfile = "/var/lib/sensord/metrics/sensord.prom"
		}, "# uplink.broker is set: the unit's AF_INET/AF_INET6 stays, for the uplink.\n", ""},
		{"textfile without a broker: no uplink to write it", func(c *config.Config) {
			c.Uplink.Textfile = "/srv/textfile/sensord.prom"
		}, noNetwork, ""},
		{"logger.dir inside the unit's", func(c *config.Config) { c.Logger.Dir = "/var/lib/sensord/data/" }, noNetwork, ""},
		{"logger.dir elsewhere", func(c *config.Config) { c.Logger.Dir = "/srv/sensord" },
			noNetwork + "ReadWritePaths=/srv/sensord\n", ""},
		{"logger.dir with a space", func(c *config.Config) { c.Logger.Dir = "/srv/my data" }, noNetwork, "logger.dir"},
		{"logger.dir with a specifier", func(c *config.Config) { c.Logger.Dir = "/srv/%n" }, noNetwork, "logger.dir"},
		{"runtime_dir under /run", func(c *config.Config) { c.Supervisor.RuntimeDir = "/run/appliance/sensord" },
			noNetwork + "RuntimeDirectory=appliance/sensord\n", ""},
		{"runtime_dir elsewhere", func(c *config.Config) { c.Supervisor.RuntimeDir = "/var/run2/sensord" },
			noNetwork + "ReadWritePaths=/var/run2/sensord\n", ""},
		{"gui.tty a serial console", func(c *config.Config) { c.GUI.TTY = "/dev/ttyAMA0" },
			noNetwork + "DeviceAllow=/dev/ttyAMA0 rw\n", ""},
		{"gui.tty none", func(c *config.Config) { c.GUI.TTY = "none" }, noNetwork, ""},
		{"gui.tty the daemon's terminal", func(c *config.Config) { c.GUI.TTY = "" }, noNetwork, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := asRoot()
			tc.change(&c)
			got, skipped := DropIn(c)
			if want := header + tc.want; got != want {
				t.Errorf("drop-in:\n%s\nwant:\n%s", got, want)
			}
			switch {
			case tc.skipped == "" && len(skipped) > 0:
				t.Errorf("skipped %q, want nothing", skipped)
			case tc.skipped != "" && (len(skipped) != 1 || !strings.Contains(skipped[0], tc.skipped)):
				t.Errorf("skipped %q, want one line on %s", skipped, tc.skipped)
			}
		})
	}
}

func dropInPath(dir string) string { return filepath.Join(dir, Unit+".d", DropInName) }

// TestMainWrites writes the drop-in where systemd reads it: the first of its
// three arguments. Whatever the configuration, it succeeds.
func TestMainWrites(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "sensord.toml")
	out := filepath.Join(dir, "normal")
	for _, tc := range []struct {
		name, config string
		want         string // in the drop-in; "" for no drop-in
	}{
		{"no file: the defaults", "", "PrivateNetwork=yes"},
		{"a broker", "[uplink]\nbroker = \"mqtt://127.0.0.1:1883\"\n", "uplink.broker is set"},
		{"a broken file: no drop-in", "[light]\ninterval = \"fast\"\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			os.RemoveAll(out)
			os.Remove(cfg)
			if tc.config != "" {
				if err := os.WriteFile(cfg, []byte(tc.config), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if err := Main(context.Background(), []string{"--config", cfg, out, out + ".early", out + ".late"}); err != nil {
				t.Fatalf("Main: %v", err)
			}
			b, err := os.ReadFile(dropInPath(out))
			switch {
			case tc.want == "" && err == nil:
				t.Errorf("a drop-in was written for a broken configuration:\n%s", b)
			case tc.want == "" && !os.IsNotExist(err):
				t.Error(err)
			case tc.want != "" && err != nil:
				t.Fatal(err)
			case tc.want != "" && !strings.Contains(string(b), tc.want):
				t.Errorf("drop-in lacks %q:\n%s", tc.want, b)
			}
		})
	}
}

func TestMainUsage(t *testing.T) {
	if err := Main(context.Background(), nil); err == nil {
		t.Error("no output directory accepted")
	}
}
