package packaging

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"sensord/config"
	"sensord/generator"
)

var update = flag.Bool("update", false, "rewrite deb/etc/sensord/sensord.toml from package config")

const conffile = "deb/etc/sensord/sensord.toml"

// conffileText is the packaged configuration: every key commented out
// with its default as root, except gui.tty, which puts the dashboard on
// the console.
func conffileText() ([]byte, config.Config) {
	c := config.Default()
	c.Supervisor.RuntimeDir = "/run/sensord"
	c.Logger.Dir = "/var/lib/sensord"
	c.GUI.TTY = "/dev/tty1"
	head := "# /etc/sensord/sensord.toml: sensord's configuration.\n" +
		"# Every key is shown with its default. Uncomment a line to change it,\n" +
		"# then: sudo systemctl reload sensord (only the affected processes\n" +
		"# restart). `sensord config` prints the configuration in effect.\n\n"
	return append([]byte(head), config.MarshalCommented(c, "gui.tty")...), c
}

func TestConffile(t *testing.T) {
	want, c := conffileText()
	if *update {
		if err := os.WriteFile(conffile, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(conffile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is out of date; run: go test ./packaging -run Conffile -update", conffile)
	}
	parsed, err := config.Parse(conffile, got, config.Default())
	if err != nil {
		t.Fatal(err)
	}
	if parsed.GUI.TTY != "/dev/tty1" || parsed.Light != c.Light {
		t.Errorf("conffile parses to %+v", parsed)
	}
}

// TestUnitVerify runs systemd-analyze verify on the unit, with the
// binary path pointed at an executable that exists here, alone and with
// the drop-ins the generator writes (no broker; a broker with every path
// the drop-in may carry). verify warns about unknown keys and bad values
// but still exits 0, so any output fails the test.
func TestUnitVerify(t *testing.T) {
	if _, err := exec.LookPath("systemd-analyze"); err != nil {
		t.Skip("systemd-analyze not installed; apt-get install systemd")
	}
	unit, err := os.ReadFile(unitPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Type=notify", "NotifyAccess=main", "WatchdogSec=10s",
		"Restart=always", "RestartSec=1s", "LimitCORE=infinity", "ExecStart=/usr/bin/sensord run",
		"ExecReload=/bin/kill -HUP $MAINPID", "Conflicts=getty@tty1.service",
		"RuntimeDirectory=sensord", "KillMode=mixed", "StartLimitIntervalSec=0",
		"SystemCallArchitectures=native"} {
		if !bytes.Contains(unit, []byte("\n"+want+"\n")) {
			t.Errorf("unit lacks %s", want)
		}
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	unit = bytes.ReplaceAll(unit, []byte("/usr/bin/sensord"), []byte(self))
	_, packaged := conffileText()
	full := packaged
	full.Uplink.Broker, full.Uplink.Textfile = "mqtt://127.0.0.1:1883", "/var/lib/node_exporter/textfile/sensord.prom"
	full.Logger.Dir, full.Supervisor.RuntimeDir, full.GUI.TTY = "/srv/sensord", "/run/appliance/sensord", "/dev/ttyAMA0"
	for name, c := range map[string]*config.Config{"unit alone": nil, "no broker": &packaged, "every path": &full} {
		t.Run(name, func(t *testing.T) {
			path := writeUnit(t, unit, c)
			out, err := exec.Command("systemd-analyze", "verify", path).CombinedOutput()
			if err != nil || len(out) > 0 {
				t.Errorf("systemd-analyze verify: %v\n%s", err, out)
			}
		})
	}
}

const unitPath = "deb/lib/systemd/system/sensord.service"

// writeUnit writes unit into a new directory and, for a configuration,
// the generator's drop-in for it beside, where systemd-analyze finds it;
// it returns the unit's path.
func writeUnit(t *testing.T, unit []byte, c *config.Config) string {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, generator.Unit)
	if err := os.WriteFile(path, unit, 0o644); err != nil {
		t.Fatal(err)
	}
	if c != nil {
		var warn bytes.Buffer
		if err := generator.Write(dir, *c, &warn); err != nil || warn.Len() > 0 {
			t.Fatalf("generator: %v %s", err, warn.String())
		}
	}
	return path
}

// TestScriptSyntax parses every shell script the package and the CI run.
func TestScriptSyntax(t *testing.T) {
	scripts := []string{"debian/postinst", "debian/prerm", "debian/postrm", "deb/etc/init.d/sensord",
		"deb/lib/systemd/system-generators/sensord-generator"}
	more, _ := filepath.Glob("../scripts/*.sh")
	for _, s := range append(scripts, more...) {
		b, err := os.ReadFile(s)
		if err != nil {
			t.Fatal(err)
		}
		sh := "sh"
		if bytes.HasPrefix(b, []byte("#!/bin/bash")) || bytes.HasPrefix(b, []byte("#!/usr/bin/env bash")) {
			sh = "bash"
		}
		if out, err := exec.Command(sh, "-n", s).CombinedOutput(); err != nil {
			t.Errorf("%s -n %s: %v\n%s", sh, s, err, out)
		}
		if fi, err := os.Stat(s); err == nil && fi.Mode()&0o111 == 0 {
			t.Errorf("%s is not executable", s)
		}
	}
}

// The highest systemd-analyze security ratings the unit may have
// (README.md, "The systemd unit"): as packaged, with the drop-in the
// generator writes for the packaged configuration (no uplink.broker: no
// network), and alone, which is the unit with a broker configured.
// The goal is 2.5 or lower for both; lower these as the unit gets better, never
// raise them.
const (
	maxExposure           = 1.5
	maxExposureWithBroker = 2.4
)

// TestUnitExposure rates the unit offline and fails if it got worse.
func TestUnitExposure(t *testing.T) {
	if _, err := exec.LookPath("systemd-analyze"); err != nil {
		t.Skip("systemd-analyze not installed; apt-get install systemd")
	}
	unit, err := os.ReadFile(unitPath)
	if err != nil {
		t.Fatal(err)
	}
	_, packaged := conffileText()
	for _, tc := range []struct {
		name string
		c    *config.Config
		max  float64
	}{
		{"packaged config", &packaged, maxExposure},
		{"with a broker", nil, maxExposureWithBroker},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, out := exposure(t, writeUnit(t, unit, tc.c))
			t.Logf("exposure %.1f", got)
			if got > tc.max {
				t.Errorf("unit exposure %.1f, want <= %.1f; the ✗ lines say what loosened:\n%s", got, tc.max, out)
			}
		})
	}
}

// exposure is systemd-analyze security's overall rating of the unit at path.
func exposure(t *testing.T, path string) (float64, []byte) {
	t.Helper()
	out, err := exec.Command("systemd-analyze", "security", "--offline=yes", path).CombinedOutput()
	if err != nil {
		t.Fatalf("systemd-analyze security: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`Overall exposure level for sensord\.service: ([0-9.]+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("no overall exposure level in:\n%s", out)
	}
	got, err := strconv.ParseFloat(string(m[1]), 64)
	if err != nil {
		t.Fatal(err)
	}
	return got, out
}
