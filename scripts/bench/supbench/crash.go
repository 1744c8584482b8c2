package main

import (
	"flag"
	"fmt"
	"strings"
	"time"
)

// crashloop waits while children that exit at once are restarted, then
// reads their start stamps and records the delays between successive
// starts after the 5th: the supervisor's steady crash-loop throttle.
func crashloop(args []string) error {
	fs := flag.NewFlagSet("crashloop", flag.ExitOnError)
	out := fs.String("out", "", "results file")
	wait := fs.Duration("wait", 15*time.Second, "how long to let the children crash-loop")
	ts, err := parseTargets(fs, args)
	if err != nil {
		return err
	}
	res, err := openResults(*out)
	if err != nil {
		return err
	}
	time.Sleep(*wait)
	end := mono()
	for _, t := range ts {
		st, err := readStamps(t.value)
		if err != nil {
			return err
		}
		res.put(t.name, "crash_starts", "%d", len(st))
		if len(st) == 0 {
			continue
		}
		res.put(t.name, "crash_quiet_s", "%.1f", float64(end-st[len(st)-1].mono)/1e9)
		var gaps []float64
		for i := 5; i < len(st); i++ {
			gaps = append(gaps, float64(st[i].mono-st[i-1].mono)/1e9)
		}
		res.put(t.name, "crash_gaps_s", "%s", formatGaps(gaps))
		if len(gaps) > 0 {
			res.put(t.name, "crash_median_gap_s", "%.3f", median(gaps))
		}
	}
	return nil
}

// formatGaps lists up to eight gaps, then how many more.
func formatGaps(g []float64) string {
	var b strings.Builder
	for i, v := range g {
		if i == 8 {
			fmt.Fprintf(&b, " (+%d)", len(g)-8)
			break
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%.2f", v)
	}
	return b.String()
}
