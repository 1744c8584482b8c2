package gui

import (
	"fmt"
	"sensord/control"
	"strconv"
	"time"
)

// fmtAge formats a duration the way a glance wants it: short, at most
// two units, rounded down.
func fmtAge(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	switch {
	case d < 10*time.Second:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd%02dh", int(d.Hours())/24, int(d.Hours())%24)
}

// fmtAgo formats how long ago something was, in one unit: 12s, 5m, 3h, 2d.
func fmtAgo(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(max(d, 0).Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd", int(d.Hours())/24)
}

// fmtSpan formats a whole span such as a chart's width: "34s", "6m", "1h30m".
func fmtSpan(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Round(time.Second).Seconds()))
	case d < time.Hour && d%time.Minute == 0:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	}
	return fmtAge(d)
}

// fmtLux formats lux with three significant digits or whole lux.
func fmtLux(v float64) string {
	switch {
	case v >= 1000:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// fmtBytes formats a byte count with a binary unit: 512B, 4.0K, 1.0M.
func fmtBytes(n int64) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%dB", n)
	case n < 100<<10:
		return fmt.Sprintf("%.1fK", float64(n)/1024)
	case n < 1<<20:
		return fmt.Sprintf("%dK", n>>10)
	}
	return fmt.Sprintf("%.1fM", float64(n)/(1<<20))
}

// fmtCount formats a counter compactly: 999, 12k, 3.4M.
func fmtCount(n uint64) string {
	switch {
	case n < 10000:
		return strconv.FormatUint(n, 10)
	case n < 1e6:
		return fmt.Sprintf("%dk", n/1000)
	}
	return fmt.Sprintf("%.1fM", float64(n)/1e6)
}

// exitReason says how a child's last run ended: "SIGSEGV, core, ran 5.0s".
func exitReason(e *control.ExitStatus) string {
	if e == nil {
		return "-"
	}
	var s string
	switch {
	case e.SignalName() != "":
		s = e.SignalName()
	case e.ExitCode != nil:
		s = fmt.Sprintf("exit %d", *e.ExitCode)
	default:
		s = "exited"
	}
	if e.CoreDumped {
		s += ", core"
	}
	return s + ", ran " + fmtAge(time.Duration(e.RanMS)*time.Millisecond)
}

// fit cuts s to n columns, putting mark in the last one if it cut.
func fit(s string, n int, mark rune) string {
	r := []rune(s)
	if n <= 0 {
		return ""
	}
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + string(mark)
}

// wrap splits s into at most n lines of width w, at spaces where it
// can; the last line may be longer (the caller cuts it with fit).
func wrap(s string, w, n int) []string {
	var out []string
	r := []rune(s)
	for len(out) < n-1 && len(r) > w && w > 0 {
		cut := w
		for i := w; i > w/2; i-- {
			if r[i] == ' ' {
				cut = i
				break
			}
		}
		out = append(out, string(r[:cut]))
		for cut < len(r) && r[cut] == ' ' {
			cut++
		}
		r = r[cut:]
	}
	return append(out, string(r))
}
