package config

import (
	"strings"
	"testing"
)

// TestParseErrors checks that every kind of mistake names the file, the
// right line and the key.
func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string // each a whole line of the error
	}{
		{"unknown key", "# c\n[board]\nkind = \"sim\"\n\nbogus = 1\n",
			[]string{"config: f.toml:5: board.bogus: unknown key; see `sensord config` for the keys there are"}},
		{"unknown table", "# c\n\n[bogus]\nx = 1\n",
			[]string{"config: f.toml:3: bogus: unknown table; see `sensord config` for the keys there are"}},
		{"unknown top-level key", "\nbogus = 3\n",
			[]string{"config: f.toml:2: bogus: unknown key; see `sensord config` for the keys there are"}},
		{"unknown dotted key", "\n\nlight.bogus = 1\n",
			[]string{"config: f.toml:3: light.bogus: unknown key; see `sensord config` for the keys there are"}},
		{"two unknown keys", "[board]\nx = 1\n[gui]\ny = 2\n", []string{
			"config: f.toml:2: board.x: unknown key; see `sensord config` for the keys there are",
			"config: f.toml:4: gui.y: unknown key; see `sensord config` for the keys there are"}},
		{"string for integer", "# c\n[light]\n\naddress = \"0x23\"\n",
			[]string{"config: f.toml:4: light.address: must be an integer, not a TOML string"}},
		{"integer for string", "[light]\nbus = 1\n",
			[]string{"config: f.toml:2: light.bus: must be a string, not a TOML integer"}},
		{"string for bool", "[supervisor]\n\nsigchld = \"yes\"\n",
			[]string{"config: f.toml:3: supervisor.sigchld: must be true or false, not a TOML string"}},
		{"bad duration", "# c\n[light]\n\ninterval = \"3 parsecs\"\n",
			[]string{`config: f.toml:4: light.interval: toml: "3 parsecs" is not a duration; write it as a string like "50ms", "1s" or "2m"`}},
		{"duration as integer", "[logger]\nfsync_interval = 5\n",
			[]string{`config: f.toml:2: logger.fsync_interval: toml: "5" is not a duration; write it as a string like "50ms", "1s" or "2m"`}},
		{"unknown empty table", "[board]\nkind = \"sim\"\n[x]\n",
			[]string{"config: f.toml:3: x: unknown table; see `sensord config` for the keys there are"}},
		{"bad value in inline table", "light = { bus = \"1\", interval = \"x\" }\n",
			[]string{`config: f.toml:1: light.interval: toml: "x" is not a duration; write it as a string like "50ms", "1s" or "2m"`}},
		{"bad board.kind", "[board]\n# the board\n\nkind = \"banana\"\n",
			[]string{`config: f.toml:4: board.kind: "banana" is not one of auto, pi, sim`}},
		{"two bad values", "[logger]\nmax_files = 0\n\n[gui]\ntty = \"tty1\"\n", []string{
			"config: f.toml:2: logger.max_files: 0 is too small; it must be at least 1",
			`config: f.toml:5: gui.tty: "tty1": write "" (the terminal sensord runs on), "none" or a device path such as "/dev/tty1"`}},
		{"quoted key", "[light]\n\"address\" = 0x80\n",
			[]string{"config: f.toml:2: light.address: bh1750: 0x80 is not an address a BH1750 answers on; use 0x23 (ADDR pin low or open) or 0x5C (ADDR high)"}},
		{"key defined twice", "[light]\nbus = \"1\"\n\nbus = \"2\"\n",
			[]string{"config: f.toml:4: light.bus: defined twice (first on line 2); keep one"}},
		{"table defined twice", "[light]\nbus = \"1\"\n[light]\n",
			[]string{"config: f.toml:3: light: defined twice (first on line 1); keep one"}},
		{"array of tables", "\n[[light]]\nbus = \"1\"\n",
			[]string{"config: f.toml:2: light: write [light]: the file has one table of each name, not an array of tables"}},
		{"syntax error", "[board]\n\nkind = \n",
			[]string{"config: f.toml:3: toml: incomplete number"}},
		{"value for a table", "light = 3\n",
			[]string{"config: f.toml:1: light: toml: cannot decode TOML integer into struct field config.Config.Light of type config.Light"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("f.toml", []byte(tt.in), Default())
			if err == nil {
				t.Fatal("no error")
			}
			got := strings.Split(err.Error(), "\n")
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", err, strings.Join(tt.want, "\n"))
			}
		})
	}
}

// TestParseKeepsBase: a refused file changes nothing.
func TestParseKeepsBase(t *testing.T) {
	base := Default()
	base.Light.Bus = "3"
	for _, in := range []string{"[light]\nbus = \"4\"\nbogus = 1\n", "[light]\nbus = \"4\"\naddress = 999\n"} {
		got, err := Parse("f", []byte(in), base)
		if err == nil || got != base {
			t.Errorf("%q: got bus %q, err %v", in, got.Light.Bus, err)
		}
	}
}
