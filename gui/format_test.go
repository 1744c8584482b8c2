package gui

import (
	"sensord/control"
	"strings"
	"testing"
	"time"
)

func TestFormat(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{fmtAge(-time.Second), "0.0s"},
		{fmtAge(400 * time.Millisecond), "0.4s"},
		{fmtAge(12 * time.Second), "12s"},
		{fmtAge(3*time.Minute + 12*time.Second), "3m12s"},
		{fmtAge(3*time.Hour + 2*time.Minute), "3h02m"},
		{fmtAge(50 * time.Hour), "2d02h"},
		{fmtAgo(59 * time.Second), "59s"},
		{fmtAgo(5*time.Minute + 59*time.Second), "5m"},
		{fmtAgo(26 * time.Hour), "1d"},
		{fmtSpan(200 * time.Second), "3m20s"},
		{fmtSpan(300 * time.Second), "5m"},
		{fmtSpan(30 * time.Second), "30s"},
		{fmtLux(0.5), "0.50"},
		{fmtLux(312.54), "312.5"},
		{fmtLux(54321.6), "54322"},
		{fmtBytes(512), "512B"},
		{fmtBytes(4096), "4.0K"},
		{fmtBytes(700 << 10), "700K"},
		{fmtBytes(1 << 20), "1.0M"},
		{fmtCount(9999), "9999"},
		{fmtCount(12345), "12k"},
		{fmtCount(3400000), "3.4M"},
		{exitReason(nil), "-"},
		{exitReason(&control.ExitStatus{ExitCode: intp(2), RanMS: 1500}), "exit 2, ran 1.5s"},
		{exitReason(&control.ExitStatus{Signal: strp("SIGSEGV"), CoreDumped: true, RanMS: 5012}), "SIGSEGV, core, ran 5.0s"},
		{fit("abcdef", 4, '~'), "abc~"},
		{fit("abc", 4, '~'), "abc"},
		{fit("abc", 0, '~'), ""},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestDetectCharset(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		want Charset
	}{
		{map[string]string{}, CharsetASCII},
		{map[string]string{"LANG": "C"}, CharsetASCII},
		{map[string]string{"LANG": "C.UTF-8"}, CharsetUTF8},
		{map[string]string{"LANG": "en_GB.utf8", "TERM": "xterm-256color"}, CharsetUTF8},
		{map[string]string{"LANG": "en_GB.UTF-8", "TERM": "linux"}, CharsetConsole},
		{map[string]string{"LANG": "de_DE.UTF-8@euro", "TERM": "linux-16color"}, CharsetConsole},
		{map[string]string{"LANG": "en_US.ISO-8859-1"}, CharsetASCII},
		{map[string]string{"LANG": "en_US"}, CharsetASCII},
		{map[string]string{"LANG": "en_US.UTF-8", "LC_CTYPE": "POSIX"}, CharsetASCII},
		{map[string]string{"LANG": "C", "LC_CTYPE": "en_US.UTF-8"}, CharsetUTF8},
		{map[string]string{"LC_ALL": "C", "LC_CTYPE": "en_US.UTF-8"}, CharsetASCII},
		{map[string]string{"LC_ALL": "en_US.UTF-8", "LANG": "C"}, CharsetUTF8},
	} {
		if got := DetectCharset(func(k string) string { return c.env[k] }); got != c.want {
			t.Errorf("%v: got %d, want %d", c.env, got, c.want)
		}
	}
}

func TestWrap(t *testing.T) {
	for _, c := range []struct {
		s    string
		w, n int
		want []string
	}{
		{"short", 10, 2, []string{"short"}},
		{"OFFLINE: light: no ACK at 0x23", 16, 2, []string{"OFFLINE: light:", "no ACK at 0x23"}},
		{"abcdefghijklmnopqrstuvwxyz", 10, 2, []string{"abcdefghij", "klmnopqrstuvwxyz"}},
		{"a b c d e f g h i j k l m n o p", 6, 3, []string{"a b c", "d e f", "g h i j k l m n o p"}},
	} {
		got := wrap(c.s, c.w, c.n)
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("wrap(%q, %d, %d) = %q, want %q", c.s, c.w, c.n, got, c.want)
		}
	}
}
