package logger

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"sensord/ipc"
	"sensord/ipc/ipctest"
)

// fixedClock stamps frames with wall times 1 ms apart from base.
func fixedClock(base time.Time) func() (int64, int64) {
	n := int64(0)
	return func() (int64, int64) {
		n++
		return n * 1e6, base.UnixNano() + n*1e6
	}
}

var testBase = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

func testNow() time.Time { return testBase }

func newSender(gen uint32) *ipc.Sender {
	s := ipc.NewSender(gen)
	s.SetClock(fixedClock(testBase))
	return s
}

func testConfig(t testing.TB, motion, light ipctest.Pipe) Config {
	return Config{
		Motion: motion.R, Light: light.R, Dir: t.TempDir() + "/data",
		FsyncInterval: time.Second, MaxFileSize: 1 << 20, MaxFiles: 4,
		Retry: 10 * time.Millisecond,
		Log:   slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

// startRun runs Run in the background; stop cancels it and returns its
// error.
func startRun(t testing.TB, c Config) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, c) }()
	stopped := false
	stop = func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(10 * time.Second):
			t.Fatal("Run did not return after cancel")
			return nil
		}
	}
	t.Cleanup(func() { stop() })
	return stop
}

// dataLines returns every line of the data files in dir, in order.
func dataLines(t testing.TB, dir string) []string {
	t.Helper()
	files, err := listFiles(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var out []string
	for _, f := range files {
		b, err := os.ReadFile(f.path)
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		if s != "" && !strings.HasSuffix(s, "\n") {
			t.Fatalf("%s: torn last line %q", f.path, s[strings.LastIndexByte(s, '\n')+1:])
		}
		out = append(out, strings.Split(strings.TrimSuffix(s, "\n"), "\n")...)
		if s == "" {
			out = out[:len(out)-1]
		}
	}
	return out
}

// countSamples counts the complete sample lines in dir; unlike
// dataLines it passes over a torn last line, which a starting logger
// has yet to repair.
func countSamples(t testing.TB, dir string) int {
	files, _ := listFiles(dir)
	n := 0
	for _, f := range files {
		b, _ := os.ReadFile(f.path)
		for _, l := range strings.SplitAfter(string(b), "\n") {
			if strings.HasSuffix(l, "\n") && strings.Contains(l, `"seq":`) {
				n++
			}
		}
	}
	return n
}

func filter(lines []string, sub string) []string {
	var out []string
	for _, l := range lines {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return out
}
