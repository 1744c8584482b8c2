package main

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// stamp is one start of a child: its pid and CLOCK_MONOTONIC ns.
type stamp struct {
	pid  int
	mono int64
}

// readStamps parses a stamp log; a torn last line is left for later.
func readStamps(path string) ([]stamp, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []stamp
	for _, l := range strings.SplitAfter(string(data), "\n") {
		var s stamp
		if strings.HasSuffix(l, "\n") {
			if n, _ := fmt.Sscan(l, &s.pid, &s.mono); n == 2 {
				out = append(out, s)
			}
		}
	}
	return out, nil
}

// waitStamps waits until path holds more than n stamps.
func waitStamps(path string, n int, timeout time.Duration) ([]stamp, error) {
	w, err := watchStamps(path)
	if err != nil {
		return nil, err
	}
	defer w.close()
	if st, err := readStamps(path); err != nil || len(st) > n {
		return st, err // written before the watch was made
	}
	return w.wait(n, timeout)
}

// stampWatch is an inotify watch on a stamp log. The restart benchmark
// makes it before the kill and then only sleeps in it until the file is
// written, so that nothing of the benchmark runs between a kill and the
// successor's stamp: a poll loop here would compete for the CPU with the
// very restart it measures (the first versions polled every 200 µs and
// read the file after each kill, which cost every supervisor wake-ups of
// this process on the restart's CPU).
type stampWatch struct {
	path string
	fd   int
}

func watchStamps(path string) (*stampWatch, error) {
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("inotify_init1: %w", err)
	}
	if _, err := unix.InotifyAddWatch(fd, path, unix.IN_MODIFY); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("inotify_add_watch %s: %w", path, err)
	}
	return &stampWatch{path: path, fd: fd}, nil
}

// wait returns the stamps once there are more than n, reading the file
// only when inotify says it was written since the watch was made.
func (w *stampWatch) wait(n int, timeout time.Duration) ([]stamp, error) {
	deadline := time.Now().Add(timeout)
	var buf [4096]byte
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return nil, fmt.Errorf("%s: no new start within %s", w.path, timeout)
		}
		fds := []unix.PollFd{{Fd: int32(w.fd), Events: unix.POLLIN}}
		if _, err := unix.Poll(fds, int(left.Milliseconds())+1); err != nil && err != unix.EINTR {
			return nil, fmt.Errorf("poll inotify: %w", err)
		}
		if fds[0].Revents&unix.POLLIN == 0 {
			continue
		}
		_, _ = unix.Read(w.fd, buf[:]) // the events only say "look again"
		st, err := readStamps(w.path)
		if err != nil || len(st) > n {
			return st, err
		}
	}
}

func (w *stampWatch) close() { unix.Close(w.fd) }

func mono() int64 {
	var ts unix.Timespec
	_ = unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	return ts.Nano()
}

// percentile is the nearest-rank percentile of sorted values.
func percentile(sorted []float64, p float64) float64 {
	i := int(float64(len(sorted))*p/100+0.999999) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return percentile(s, 50)
}
