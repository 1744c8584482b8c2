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

// waitStamps polls path until it holds more than n stamps.
func waitStamps(path string, n int, timeout time.Duration) ([]stamp, error) {
	deadline := time.Now().Add(timeout)
	for {
		st, err := readStamps(path)
		if err != nil {
			return nil, err
		}
		if len(st) > n {
			return st, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%s: no new start within %s (%d so far)", path, timeout, len(st))
		}
		time.Sleep(200 * time.Microsecond)
	}
}

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
