package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestKeysCoverStruct checks the key table against the struct: one key
// per toml-tagged field, and each key's getter reads that field.
func TestKeysCoverStruct(t *testing.T) {
	var fields []string
	top := reflect.TypeOf(Config{})
	for i := range top.NumField() {
		sec := top.Field(i)
		for j := range sec.Type.NumField() {
			f := sec.Type.Field(j)
			name := sec.Tag.Get("toml") + "." + f.Tag.Get("toml")
			fields = append(fields, name)
			var c Config
			before := getAll(&c)
			reflect.ValueOf(&c).Elem().Field(i).Field(j).Set(sentinel(f.Type))
			after := getAll(&c)
			for n := range after {
				if changed := after[n] != before[n]; changed != (n == name) {
					t.Errorf("setting %s changes key %s: %v", name, n, changed)
				}
			}
		}
	}
	var names []string
	for _, k := range keys {
		names = append(names, k.name)
	}
	if !reflect.DeepEqual(fields, names) {
		t.Errorf("keys table\n%v\nstruct fields\n%v", names, fields)
	}
}

func getAll(c *Config) map[string]any {
	m := map[string]any{}
	for _, k := range keys {
		m[k.name] = k.get(c)
	}
	return m
}

func sentinel(t reflect.Type) reflect.Value {
	v := reflect.New(t).Elem()
	switch t.Kind() {
	case reflect.String:
		v.SetString("x")
	case reflect.Bool:
		v.SetBool(true)
	default:
		v.SetInt(7)
	}
	return v
}

func TestDefaultIsValid(t *testing.T) {
	for _, pi := range []bool{false, true} {
		if err := Default().validate(pi); err != nil {
			t.Errorf("pi=%v: %v", pi, err)
		}
	}
}

func TestDurationAuto(t *testing.T) {
	var d Duration
	if err := d.UnmarshalText([]byte("auto")); err != nil || d != Auto {
		t.Fatalf("auto: %v %v", d, err)
	}
	if b, _ := d.MarshalText(); string(b) != "auto" {
		t.Errorf("Auto marshals as %q", b)
	}
	if b, _ := Duration(1500 * time.Millisecond).MarshalText(); string(b) != "1.5s" {
		t.Errorf("1.5s marshals as %q", b)
	}
	c := Default()
	if c.WarmupFor(true) != 0 || c.WarmupFor(false) != time.Minute {
		t.Errorf("auto warmup: sim %v, pi %v", c.WarmupFor(true), c.WarmupFor(false))
	}
	c.Motion.Warmup = Duration(5 * time.Second)
	if c.WarmupFor(true) != 5*time.Second {
		t.Errorf("set warmup: %v", c.WarmupFor(true))
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "none.toml")
	if c, err := Load(missing, false); err != nil || c != Default() {
		t.Errorf("missing, optional: %v", err)
	}
	if _, err := Load(missing, true); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing, required: %v", err)
	}
	p := filepath.Join(dir, "s.toml")
	if err := os.WriteFile(p, []byte("[light]\ninterval = \"250ms\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(p, true)
	if err != nil || c.Light.Interval.D() != 250*time.Millisecond {
		t.Errorf("load: %v %v", c.Light.Interval, err)
	}
	if c.Light.Bus != "1" {
		t.Errorf("unset key lost its default: bus %q", c.Light.Bus)
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	c := Default()
	c.Board = Board{Kind: "sim", Seed: -42, SimFaults: `light-unplug "at" 10s\ttab`}
	c.Supervisor.ExecWrapper = "qemu-aarch64-static"
	c.Supervisor.Group = "adm"
	c.Light.Address = 0x5C
	c.Motion.Warmup = Duration(90 * time.Second)
	c.Logger.Dir = "/srv/données/sensord"
	c.GUI.TTY = "/dev/tty1"
	c.Supervisor.SIGCHLD = false
	b := Marshal(c)
	got, err := Parse("marshal", b, Config{})
	if err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	if got != c {
		t.Errorf("round trip\n got %+v\nwant %+v\n%s", got, c, b)
	}
	// Every key line has its comment on the line before.
	ls := strings.Split(string(b), "\n")
	for i, l := range ls {
		if strings.Contains(l, " = ") && (i == 0 || !strings.HasPrefix(ls[i-1], "# ")) {
			t.Errorf("line %d %q has no comment", i+1, l)
		}
	}
	if !strings.Contains(string(b), "address = 0x5C\n") {
		t.Errorf("address not in hex:\n%s", b)
	}
}

var keyLine = regexp.MustCompile(`(?m)^# ([a-z_]+ = )`)

func TestMarshalCommented(t *testing.T) {
	want := Default()
	want.GUI.TTY = "/dev/tty1"
	b := MarshalCommented(want, "gui.tty")
	got, err := Parse("template", b, Default())
	if err != nil || got != want {
		t.Fatalf("got %+v, %v", got.GUI, err)
	}
	if strings.Count(string(b), "\n# ") < len(keys)-1 {
		t.Errorf("keys not commented out:\n%s", b)
	}
	// Uncommenting every key line gives the same configuration over an
	// empty base: the comments hold every default.
	got, err = Parse("uncommented", keyLine.ReplaceAll(b, []byte("$1")), Config{})
	if err != nil || got != want {
		t.Errorf("uncommented: %+v, %v", got, err)
	}
}

// TestWatchdogResolved: "auto" is 5 s for sensord's own roles, 20 s for
// the uplink, off for a program set with exec; a value set wins.
func TestWatchdogResolved(t *testing.T) {
	c := Default()
	c.Light.Exec = "/usr/local/bin/my-light"
	c.Logger.Watchdog = Duration(time.Second)
	for role, want := range map[string]time.Duration{
		RoleMotion: DefaultWatchdog, RoleGUI: DefaultWatchdog, RoleUplink: UplinkWatchdog,
		RoleLight: 0, RoleLogger: time.Second,
	} {
		if got := c.Watchdog(role); got != want {
			t.Errorf("%s: watchdog %s, want %s", role, got, want)
		}
	}
}
