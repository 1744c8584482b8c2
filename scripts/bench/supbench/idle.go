package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// idle samples each supervisor's processes over a window: CPU (utime +
// stime), wake-ups (voluntary + nonvoluntary context switches of all
// threads) and RSS. NAME=PID,PID sums several processes.
func idle(args []string) error {
	fs := flag.NewFlagSet("idle", flag.ExitOnError)
	out := fs.String("out", "", "results file")
	secs := fs.Float64("secs", 10, "length of the window in seconds")
	ts, err := parseTargets(fs, args)
	if err != nil {
		return err
	}
	res, err := openResults(*out)
	if err != nil {
		return err
	}
	before := make([]counters, len(ts))
	for i, t := range ts {
		if before[i], err = sampleAll(t.value); err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
	}
	t0 := time.Now()
	time.Sleep(time.Duration(*secs * float64(time.Second)))
	el := time.Since(t0).Seconds()
	for i, t := range ts {
		after, err := sampleAll(t.value)
		if err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
		res.put(t.name, "idle_cpu_pct", "%.2f", float64(after.ticks-before[i].ticks)/clockTicks/el*100)
		res.put(t.name, "idle_wakeups_s", "%.1f", float64(after.ctxt-before[i].ctxt)/el)
		res.put(t.name, "rss_kib", "%d", after.rssKiB)
	}
	return nil
}

// clockTicks is USER_HZ, 100 on every Linux architecture.
const clockTicks = 100

type counters struct{ ticks, ctxt, rssKiB int64 }

func sampleAll(pids string) (counters, error) {
	var sum counters
	for _, p := range strings.Split(pids, ",") {
		pid, err := strconv.Atoi(p)
		if err != nil {
			return sum, fmt.Errorf("bad pid %q", p)
		}
		c, err := sample(pid)
		if err != nil {
			return sum, err
		}
		sum.ticks, sum.ctxt, sum.rssKiB = sum.ticks+c.ticks, sum.ctxt+c.ctxt, sum.rssKiB+c.rssKiB
	}
	return sum, nil
}

func sample(pid int) (counters, error) {
	var c counters
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return c, fmt.Errorf("pid %d gone: %w", pid, err)
	}
	f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+2:]))
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	c.ticks = ut + st
	c.rssKiB = field(fmt.Sprintf("/proc/%d/status", pid), "VmRSS:")
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/status", pid))
	for _, t := range tasks {
		c.ctxt += field(t, "voluntary_ctxt_switches:") + field(t, "nonvoluntary_ctxt_switches:")
	}
	return c, nil
}

// field returns the number after key in a /proc status file, 0 if none.
func field(path, key string) int64 {
	data, _ := os.ReadFile(path)
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, key); ok {
			n, _ := strconv.ParseInt(strings.Fields(v)[0], 10, 64)
			return n
		}
	}
	return 0
}
