package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

// table prints the results file as one markdown table, a row per
// supervisor in the order they first appear.
func table(args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("table: want the results file")
	}
	f, err := os.Open(args[0])
	if err != nil {
		return err
	}
	defer f.Close()
	var order []string
	vals := map[string]map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		p := strings.SplitN(sc.Text(), "\t", 3)
		if len(p) != 3 {
			continue
		}
		if vals[p[0]] == nil {
			vals[p[0]] = map[string]string{}
			order = append(order, p[0])
		}
		vals[p[0]][p[1]] = p[2]
	}
	fmt.Println("| supervisor | restart p50 ms | p95 ms | p99 ms | max ms | kills | crash loop: gaps after 5th start, s | starts (quiet at end, s) | idle CPU % | wake-ups/s | RSS KiB |")
	fmt.Println("|---|--:|--:|--:|--:|--:|---|--:|--:|--:|--:|")
	for _, name := range order {
		v := func(k string) string {
			if s, ok := vals[name][k]; ok && s != "" {
				return s
			}
			return "–"
		}
		fmt.Printf("| %s | %s | %s | %s | %s | %s | %s | %s (%s) | %s | %s | %s |\n", name,
			v("restart_p50_ms"), v("restart_p95_ms"), v("restart_p99_ms"), v("restart_max_ms"), v("restart_n"),
			v("crash_gaps_s"), v("crash_starts"), v("crash_quiet_s"),
			v("idle_cpu_pct"), v("idle_wakeups_s"), v("rss_kib"))
	}
	return sc.Err()
}
