package logger

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeData(t *testing.T, files ...string) string {
	t.Helper()
	dir := t.TempDir()
	for i, content := range files {
		p := filepath.Join(dir, fileName(i+1, testNow()))
		if err := os.WriteFile(p, []byte(content), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const (
	l1  = `{"src":"light","gen":1,"seq":1,"t":"2026-11-21T10:00:01Z","lux":1}` + "\n"
	l2  = `{"src":"light","gen":1,"seq":2,"t":"2026-11-21T10:00:02Z","lux":2}` + "\n"
	l3  = `{"src":"light","gen":1,"seq":3,"t":"2026-11-21T10:00:03Z","lux":3}` + "\n"
	l6  = `{"src":"light","gen":1,"seq":6,"t":"2026-11-21T10:00:06Z","lux":6}` + "\n"
	g45 = `{"src":"light","gen":1,"gap":{"first":4,"last":5,"count":2},"t":"2026-11-21T10:00:06Z"}` + "\n"
	m1  = `{"src":"motion","gen":1,"seq":1,"t":"2026-11-21T10:00:01.5Z","motion":true}` + "\n"
	n1  = `{"src":"light","gen":2,"seq":1,"t":"2026-11-21T10:01:00Z","lux":null}` + "\n"
	st1 = `{"src":"light","gen":2,"t":"2026-11-21T10:01:00.5Z","status":"offline","reason":"NACK"}` + "\n"
	// a new daemon run: gen 1 from seq 1 again, later
	r1 = `{"src":"light","gen":1,"seq":1,"t":"2026-11-22T08:00:00Z","lux":9}` + "\n"
)

func TestVerify(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files []string
		ok    bool
		out   []string // substrings of the report or error
	}{
		{"clean with gap, gens, duplicates and a new run", []string{l1 + m1 + l2 + l3, l2 + l3 + g45 + l6 + n1 + st1 + r1}, true,
			[]string{"light:  6 samples, 1 gaps (2 samples lost, recorded), 0 unexplained holes", "2 duplicates dropped",
				"1 seq restarts", "motion: 1 samples", "torn or damaged lines: 0"}},
		{"hole", []string{l1 + l2 + l6}, false,
			[]string{"1 unexplained holes (3 samples)", "light: 3 samples missing without a gap record (gen 1 seq 3-5)"}},
		{"new generation past seq 1", []string{l1 + `{"src":"light","gen":2,"seq":3,"t":"2026-11-21T10:01:00Z","lux":1}` + "\n"}, false,
			[]string{"gen 2 seq 1-2"}},
		{"torn line", []string{l1 + `{"src":"li`, l2}, false,
			[]string{"torn or damaged lines: 1", "sensord-00000001-20261121T100000Z.jsonl:2"}},
		{"damaged line", []string{l1 + "garbage\n" + l2}, false, []string{"torn or damaged lines: 1"}},
		{"data kept starts mid-sequence", []string{l3 + g45 + l6}, true, []string{"light:  2 samples"}},
		// Gen 1 dropped seq 4-9 and died (its report comes from the drop
		// ledger, via gen 2); a drop within gen 2 (seq 2-3) is also a
		// gap, and is counted once.
		{"drops at the end of a generation", []string{l1 + l2 + l3 +
			`{"src":"light","gen":1,"t":"2026-11-21T10:01:00Z","drop":{"frames":6,"samples":6,"first":4,"last":9}}` + "\n" +
			// sent again by a generation killed right after its write
			`{"src":"light","gen":1,"t":"2026-11-21T10:01:00.1Z","drop":{"frames":6,"samples":6,"first":4,"last":9}}` + "\n" +
			`{"src":"light","gen":2,"seq":1,"t":"2026-11-21T10:01:00Z","lux":1}` + "\n" +
			`{"src":"light","gen":2,"t":"2026-11-21T10:01:01Z","drop":{"frames":2,"samples":2,"first":2,"last":3}}` + "\n" +
			`{"src":"light","gen":2,"t":"2026-11-21T10:01:01Z","gap":{"first":2,"last":3,"count":2}}` + "\n" +
			`{"src":"light","gen":2,"seq":4,"t":"2026-11-21T10:01:01Z","lux":1}` + "\n"}, true,
			[]string{"1 gaps (2 samples lost, recorded)", "3 drop reports (6 samples lost at the end of a generation)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeData(t, tc.files...)
			var out bytes.Buffer
			err := dataCmd(context.Background(), []string{"verify", dir}, &out, &out)
			if (err == nil) != tc.ok {
				t.Errorf("err = %v, want ok %v\n%s", err, tc.ok, out.String())
			}
			all := out.String()
			if err != nil {
				all += err.Error()
			}
			for _, s := range tc.out {
				if !strings.Contains(all, s) {
					t.Errorf("output lacks %q:\n%s", s, all)
				}
			}
		})
	}
}

func TestCat(t *testing.T) {
	dir := writeData(t, l1+m1+l2+l3, l2+l3+g45+l6+st1+`{"src":"li`)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, l1 + m1 + l2 + l3 + g45 + l6 + st1},
		{[]string{"--src", "motion"}, m1},
		{[]string{"--samples", "--src", "light"}, l1 + l2 + l3 + l6},
		{[]string{"--since", "2026-11-21T10:00:02Z", "--until", "2026-11-21T10:00:06Z"}, l2 + l3},
	} {
		var out, errOut bytes.Buffer
		args := append(append([]string{"cat"}, tc.args...), dir)
		if err := dataCmd(context.Background(), args, &out, &errOut); err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		if out.String() != tc.want {
			t.Errorf("cat %v:\n%s\nwant\n%s", tc.args, out.String(), tc.want)
		}
		if !strings.Contains(errOut.String(), "skipped 1 torn") {
			t.Errorf("cat %v: stderr %q does not mention the torn line", tc.args, errOut.String())
		}
	}
}

func TestDataErrorsSayWhatToDo(t *testing.T) {
	for _, args := range [][]string{
		{}, {"frobnicate"}, {"verify", t.TempDir()}, {"verify", "/nonexistent/dir"},
		{"cat", "--since", "yesterday", t.TempDir()},
	} {
		err := dataCmd(context.Background(), args, &bytes.Buffer{}, &bytes.Buffer{})
		if err == nil || !strings.HasPrefix(err.Error(), "data: ") {
			t.Errorf("%q: err %v, want a data: error", args, err)
		}
	}
}
