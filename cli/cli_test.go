package cli

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

// TestParse: flags are taken before, between and after the positional
// arguments, and everything after "--" is positional.
func TestParse(t *testing.T) {
	for _, tc := range []struct {
		args []string
		pos  []string
		rt   string
		json bool
	}{
		{[]string{"light"}, []string{"light"}, "", false},
		{[]string{"light", "--runtime-dir", "/r"}, []string{"light"}, "/r", false},
		{[]string{"--runtime-dir=/r", "light"}, []string{"light"}, "/r", false},
		{[]string{"a", "--json", "b", "--runtime-dir", "/r"}, []string{"a", "b"}, "/r", true},
		{[]string{"--json", "--", "--runtime-dir", "x"}, []string{"--runtime-dir", "x"}, "", true},
		{[]string{"a", "--", "-b"}, []string{"a", "-b"}, "", false},
		{nil, nil, "", false},
	} {
		fs := NewFlagSet("restart", "NAME")
		rt := fs.String("runtime-dir", "", "")
		js := fs.Bool("json", false, "")
		pos, err := Parse(fs, tc.args)
		if err != nil || !reflect.DeepEqual(pos, tc.pos) || *rt != tc.rt || *js != tc.json {
			t.Errorf("Parse(%q) = %q, %v, runtime-dir %q, json %v; want %q, %q, %v", tc.args, pos, err, *rt, *js, tc.pos, tc.rt, tc.json)
		}
	}
}

// TestArgs: too few or too many arguments name what is missing or
// which argument is extra; an unknown flag is an error.
func TestArgs(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "missing a child name; see sensord restart -h"},
		{[]string{"gui", "light"}, `unexpected argument "light"; see sensord restart -h`},
		{[]string{"gui", "--bogus"}, "flag provided but not defined: -bogus"},
	} {
		fs := NewFlagSet("restart", "NAME")
		fs.SetOutput(new(bytes.Buffer))
		if _, err := Args(fs, tc.args, 1, 1, "a child name"); err == nil || err.Error() != tc.want {
			t.Errorf("Args(%q): %v; want %q", tc.args, err, tc.want)
		}
	}
	fs := NewFlagSet("restart", "NAME")
	if err := OneOf(fs, "lamp", "gui", "light"); err == nil || !strings.Contains(err.Error(), `"lamp" is not one of gui, light`) {
		t.Errorf("OneOf: %v", err)
	}
}

// TestUsage: -h prints the synopsis and the flags.
func TestUsage(t *testing.T) {
	fs := NewFlagSet("restart", "gui|motion|light|logger")
	var out bytes.Buffer
	fs.SetOutput(&out)
	fs.String("runtime-dir", "", "`directory` of the control socket")
	if _, err := Parse(fs, []string{"-h"}); err == nil {
		t.Fatal("-h gave no error")
	}
	for _, want := range []string{"usage: sensord restart gui|motion|light|logger", "before or after the arguments", "-runtime-dir directory"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("usage lacks %q:\n%s", want, out.String())
		}
	}
}
