package gui

import (
	"fmt"
	"time"

	"github.com/gdamore/tcell/v2"

	"sensord/ipc"
)

// lightPanel: the lux now in big digits, the sensor's health, a chart
// of the recent samples and their range.
func (c canvas) lightPanel(m *Model, x, y, w, h int) {
	s := &m.Sensors[SrcLight]
	c.rule(x, y, w, "Light", genText(s))
	if h < 2 || w < 4 {
		return
	}
	c.bigLux(m, x+1, y+1, w-2)
	if h < 5 {
		return
	}
	text, st := c.healthText(m, SrcLight)
	lines := wrap(text, w-2, 2)
	for i, l := range lines {
		c.fit(x+1, y+4+i, w-2, l, st)
	}
	if h < 6+len(lines) {
		return
	}
	c.chart(m, x+1, y+4+len(lines), w-1, h-5-len(lines))
	c.fit(x+1, y+h-1, w-2, rangeText(m, w-1), stDim)
}

// bigLux writes the last lux value in the big font with its unit and
// the interval beside it.
func (c canvas) bigLux(m *Model, x, y, w int) {
	v := "---"
	if m.Lux.N > 0 {
		v = fmtLux(m.Lux.Now)
	}
	rows := c.g.bigText(v)
	dw := len([]rune(rows[0]))
	for i, r := range rows {
		c.put(x, y+i, w, r, stBig)
	}
	ix := x + dw + 2
	iw := w - dw - 2
	s := &m.Sensors[SrcLight]
	if s.Interval > 0 {
		c.fit(ix, y, iw, "every "+s.Interval.String(), stPlain)
	}
	if want := m.WantInterval; want != 0 && want != s.Interval {
		c.fit(ix, y+1, iw, "asked "+want.String(), stWarn)
	}
	c.put(ix, y+2, iw, "lx", stTitle)
}

// chart draws the recent light history as bars, one column per
// colStep, now at the right, scaled from the lowest to the highest
// sample shown. A column with no sample stays blank: the sensor was
// offline or the GUI was not running.
func (c canvas) chart(m *Model, x, y, w, h int) {
	if h <= 0 || w <= 0 {
		return
	}
	win := m.Lux.Window(m.Now, w)
	lo, hi, ok := bucketRange(win)
	if !ok {
		c.fit(x+1, y+h/2, w-2, "waiting for samples...", stDim)
		return
	}
	sub := len(c.g.levels) - 1
	total := h * sub
	for i, b := range win {
		if b.N == 0 {
			continue
		}
		bar := total / 2
		if hi > lo {
			bar = 1 + int((b.Mean()-lo)/(hi-lo)*float64(total-1)+0.5)
		}
		for row := range h {
			lvl := min(max(bar-row*sub, 0), sub)
			c.cell(x+i, y+h-1-row, c.g.levels[lvl], stChart)
		}
	}
}

// bucketRange is the lowest and highest sample in the window.
func bucketRange(win []Bucket) (lo, hi float64, ok bool) {
	for _, b := range win {
		if b.N == 0 {
			continue
		}
		if !ok {
			lo, hi, ok = b.Min, b.Max, true
		}
		lo, hi = min(lo, b.Min), max(hi, b.Max)
	}
	return lo, hi, ok
}

// rangeText is the line under the chart: its range and span.
func rangeText(m *Model, w int) string {
	lo, hi, ok := bucketRange(m.Lux.Window(m.Now, w))
	if !ok {
		return "no samples yet"
	}
	return fmt.Sprintf("min %s  max %s lx  last %s", fmtLux(lo), fmtLux(hi), fmtSpan(time.Duration(w)*colStep))
}

// genText is the generation of the sensor process, for section titles.
func genText(s *Sensor) string {
	if s.Gen == 0 {
		return ""
	}
	return fmt.Sprintf("gen %d", s.Gen)
}

// healthText says how a sensor is: its status, and for the light
// sensor how old its last sample is.
func (c canvas) healthText(m *Model, src Src) (string, tcell.Style) {
	s := &m.Sensors[src]
	text, st := "no status yet", stDim
	switch {
	case !s.Known:
	case s.Health == ipc.HealthOK:
		text, st = "ok", stOK
	case s.Health == ipc.HealthWarming:
		text, st = "warming up", stWarn
	default:
		text, st = "OFFLINE", stBad
	}
	if s.Known && s.Reason != "" {
		text += ": " + s.Reason
	}
	if src != SrcLight || s.LastSample.IsZero() {
		return text, st
	}
	age := m.Now.Sub(s.LastSample)
	if s.Health == ipc.HealthOK && age > max(3*s.Interval, 3*time.Second) {
		return fmt.Sprintf("%s, but no sample for %s", text, fmtAge(age)), stWarn
	}
	return c.join(text, "last sample "+fmtAge(age)+" ago"), st
}

// rightColumn: motion, the sensors' info replies, recent events.
func (c canvas) rightColumn(m *Model, x, y, w, h int) {
	c.motionPanel(m, x, y, w, min(h, 6))
	if h > 6 {
		c.infoPanel(m, x, y+6, w, min(h-6, 3))
	}
	if h > 10 {
		c.eventsPanel(m, x, y+9, w, h-9)
	}
}

// motionPanel: the PIR state and for how long, the last motion, the
// sensor's health and a timeline of recent motion.
func (c canvas) motionPanel(m *Model, x, y, w, h int) {
	c.rule(x, y, w, "Motion", genText(&m.Sensors[SrcMotion]))
	lines := []func(){
		func() { c.motionState(m, x+1, y+1, w-2) },
		func() { c.fit(x+1, y+2, w-2, lastMotionText(m), stPlain) },
		func() { text, st := c.healthText(m, SrcMotion); c.fit(x+1, y+3, w-2, text, st) },
		func() { c.timeline(m, x+1, y+4, w-2) },
	}
	for i, f := range lines {
		if i+1 < h && (i < 3 || h >= 6) {
			f()
		}
	}
}

func (c canvas) motionState(m *Model, x, y, w int) {
	mh := &m.Motion
	if !mh.Known {
		c.fit(x, y, w, "state unknown", stDim)
		return
	}
	label, st := " no motion ", stOK
	if mh.On {
		label, st = " MOTION ", stOn
	}
	n := c.put(x, y, w, label, st)
	c.fit(x+n, y, w-n, " for "+fmtAge(m.Now.Sub(mh.Since)), stPlain)
}

// lastMotionText describes the last motion period that ended.
func lastMotionText(m *Model) string {
	var last Period
	m.Motion.Each(func(p Period) bool {
		last = p
		return p.End.IsZero()
	})
	if last.End.IsZero() {
		return "no earlier motion seen"
	}
	return fmt.Sprintf("last motion %s ago, lasted %s",
		fmtAge(m.Now.Sub(last.End)), fmtAge(last.End.Sub(last.Start)))
}

// timeline draws one row of recent motion, now at the right, and an
// axis under it. Before what the GUI knows about, the row is blank.
func (c canvas) timeline(m *Model, x, y, w int) {
	if w < 8 {
		return
	}
	known := m.Started
	if mh := &m.Motion; mh.Known && !mh.On && mh.Since.Before(known) {
		known = mh.Since
	}
	for i := range w {
		from := m.Now.Add(-time.Duration(w-i) * colStep)
		to := from.Add(colStep)
		r, st := c.g.off, stDim
		switch {
		case motionIn(m, from, to):
			r, st = c.g.on, stBad
		case to.Before(known):
			r = ' '
		}
		c.cell(x+i, y+0, r, st)
	}
	span := time.Duration(w) * colStep
	c.put(x, y+1, w, "-"+fmtSpan(span), stDim)
	mid := "-" + fmtSpan(span/2)
	c.put(x+w/2-len(mid)/2, y+1, w, mid, stDim)
	c.put(x+w-3, y+1, 3, "now", stDim)
}

// motionIn reports whether any motion period overlaps [from, to).
func motionIn(m *Model, from, to time.Time) bool {
	found := false
	m.Motion.Each(func(p Period) bool {
		end := p.End
		if end.IsZero() {
			end = m.Now
		}
		if p.Start.Before(to) && !end.Before(from) {
			found = true
		}
		return !found && !end.Before(from.Add(-time.Hour))
	})
	return found
}

// infoPanel shows each sensor's answer to the last info request.
func (c canvas) infoPanel(m *Model, x, y, w, h int) {
	c.rule(x, y, w, "Sensors", "")
	for i, src := range []Src{SrcLight, SrcMotion} {
		if i+1 >= h {
			return
		}
		n := c.put(x+1, y+1+i, w-2, fmt.Sprintf("%-7s", src), stTitle)
		text, st := c.infoText(&m.Sensors[src], w)
		c.fit(x+1+n, y+1+i, w-2-n, text, st)
	}
}

func (c canvas) infoText(s *Sensor, w int) (string, tcell.Style) {
	r := &s.Info
	switch {
	case !s.HasInfo:
		return "no answer yet (press i)", stDim
	case !r.OK:
		return "error: " + r.Error, stBad
	}
	driver := ""
	if w >= 60 {
		driver = r.Driver
	}
	interval := ""
	if r.Interval > 0 {
		interval = r.Interval.String()
	}
	return c.join(r.Model, r.Where, interval, driver, r.Version), stPlain
}

// eventsPanel lists recent events, newest first.
func (c canvas) eventsPanel(m *Model, x, y, w, h int) {
	c.rule(x, y, w, "Events", "")
	for i, e := range m.Events.Recent(h - 1) {
		st := stPlain
		if e.Bad {
			st = stWarn
		}
		n := c.put(x+1, y+1+i, w-2, e.At.In(m.Now.Location()).Format("15:04:05 "), stDim)
		c.fit(x+1+n, y+1+i, w-2-n, e.Text, st)
	}
}
