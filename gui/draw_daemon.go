package gui

import (
	"fmt"
	"sensord/control"
	"strings"

	"github.com/gdamore/tcell/v2"
)

const procFormat = "%-8s%-8s%-9s%-6s%-8s%-9s"

// processes is the table of the daemon and its children, from the last
// status poll.
func (c canvas) processes(m *Model, x, y, w, h int) {
	c.fill(x, y, w, ' ', stPlain)
	head := fmt.Sprintf(" "+procFormat+"%s", "PROCESS", "PID", "STATE", "GEN", "UPTIME", "RESTARTS", "LAST EXIT")
	c.fit(x, y, w, head, stTitle.Underline(true))
	d := &m.Daemon
	if h < 2 {
		return
	}
	c.daemonRow(m, x+1, y+1, w-1)
	if d.Status == nil {
		return
	}
	for i, ch := range d.Status.Children {
		if 2+i >= h {
			return
		}
		c.childRow(m, ch, x+1, y+2+i, w-1)
	}
}

func (c canvas) daemonRow(m *Model, x, y, w int) {
	d := &m.Daemon
	switch {
	case d.Headless:
		c.fit(x, y, w, "daemon: not polled (no screen)", stDim)
		return
	case d.Err != "":
		c.fit(x, y, w, "daemon: not reachable: "+strings.TrimPrefix(d.Err, "gui: control socket: "), stBad)
		return
	case d.Status == nil:
		c.fit(x, y, w, "daemon: asking...", stDim)
		return
	}
	s := d.Status
	up := "-"
	if t := s.StartedAt; !t.IsZero() {
		up = fmtAge(m.Now.Sub(t))
	}
	n := c.put(x, y, w, fmt.Sprintf("%-8s%-8d", "sensord", s.PID), stPlain)
	state := s.State
	if state == "" {
		state = "running"
	}
	n += c.put(x+n, y, w-n, fmt.Sprintf("%-9s", state), stateStyle(state))
	n += c.put(x+n, y, w-n, fmt.Sprintf("%-6s%-8s%-9s", "", up, ""), stPlain)
	c.fit(x+n, y, w-n, c.join(s.Version, "core limit "+s.CoreLimit, "board "+s.Board), stDim)
}

func (c canvas) childRow(m *Model, ch control.ChildStatus, x, y, w int) {
	up := "-"
	if t := ch.StartedAt; t != nil && !t.IsZero() && ch.State == control.Running {
		up = fmtAge(m.Now.Sub(*t))
	}
	n := c.put(x, y, w, fmt.Sprintf("%-8s%-8d", ch.Name, ch.PID), stPlain)
	state := ch.State
	if state == control.Running && !ch.Ready {
		state = "starting" // started, no READY=1 yet
	}
	n += c.put(x+n, y, w-n, fmt.Sprintf("%-9s", state), stateStyle(state))
	n += c.put(x+n, y, w-n, fmt.Sprintf("%-6d%-8s%-9d", ch.Gen, up, ch.Restarts), stPlain)
	if ch.Name == "uplink" && m.Daemon.Uplink != nil {
		text, st := uplinkLine(m.Daemon.Uplink, m.Now)
		c.fit(x+n, y, w-n, text, st)
		return
	}
	why := exitReason(ch.LastExit)
	if e := ch.LastExit; e != nil {
		if at := e.At; !at.IsZero() {
			why += ", " + fmtAgo(m.Now.Sub(at)) + " ago"
		}
	}
	st := stPlain
	if e := ch.LastExit; e != nil && (e.SignalName() != "" || e.CoreDumped) {
		st = stWarn
	}
	c.fit(x+n, y, w-n, why, st)
}

func stateStyle(state string) tcell.Style {
	switch state {
	case "running":
		return stOK
	case "backoff":
		return stBad
	}
	return stWarn
}

// pipeNames are the six pipes in the README's order.
var pipeNames = [...]string{"motion-gui", "light-gui", "gui-motion", "gui-light", "motion-logger", "light-logger"}

// pipes shows each pipe's fill from the daemon, and what the GUI itself
// counted on the four pipes it uses: frames the sensor dropped and
// samples missing (gaps) on the two it reads, commands lost on the two
// it writes.
func (c canvas) pipes(m *Model, x, y, w int) {
	c.rule(x, y, w, "Pipes", "fill, drops reported by the sender, gaps seen here")
	half := w / 2
	for i, name := range pipeNames {
		c.pipe(m, name, x+(i%2)*half+1, y+1+i/2, half-2)
	}
}

func (c canvas) pipe(m *Model, name string, x, y, w int) {
	n := c.put(x, y, w, fmt.Sprintf("%-14s", name), stPlain)
	extra, bad := pipeExtra(m, name)
	gw := max((w-n-6)/4, 4)
	p, ok := findPipe(m.Daemon.Status, name)
	if ok && p.CapacityBytes > 0 {
		pct := p.QueuedBytes * 100 / p.CapacityBytes
		filled := p.QueuedBytes * gw / p.CapacityBytes
		if p.QueuedBytes > 0 {
			filled = max(filled, 1)
		}
		st := stOK
		if pct >= 50 {
			st = stBad
		}
		for i := range gw {
			r := c.g.empty
			if i < filled {
				r = c.g.full
			}
			c.cell(x+n+i, y, r, st)
		}
		n += gw
		n += c.put(x+n, y, w-n, fmt.Sprintf(" %3d%% ", pct), stPlain)
	} else {
		n += c.put(x+n, y, w-n, fmt.Sprintf("%-*s", gw+6, " ?"), stDim)
	}
	st := stPlain
	if bad {
		st = stWarn
	}
	c.fit(x+n, y, w-n, extra, st)
}

// pipeExtra is what the GUI knows about a pipe beyond its fill.
func pipeExtra(m *Model, name string) (string, bool) {
	switch name {
	case "motion-gui", "light-gui":
		p := &m.Pipes[srcOf(name)]
		s := fmt.Sprintf("drop %s gap %s", fmtCount(p.DropFrames), fmtCount(p.Reader.GapSamples))
		if p.Reader.BadBytes > 0 {
			s += " bad " + fmtCount(p.Reader.BadBytes)
		}
		return s, p.DropFrames > 0 || p.Reader.GapSamples > 0 || p.Reader.BadBytes > 0
	case "gui-motion", "gui-light":
		p := &m.Pipes[srcOf(name)]
		return fmt.Sprintf("sent %s lost %s", fmtCount(p.SentCommands), fmtCount(p.LostCommands)), p.LostCommands > 0
	}
	if p, ok := findPipe(m.Daemon.Status, name); ok {
		return fmtBytes(int64(p.QueuedBytes)) + "/" + fmtBytes(int64(p.CapacityBytes)), false
	}
	return "", false
}

func srcOf(pipe string) Src {
	if pipe == "motion-gui" || pipe == "gui-motion" {
		return SrcMotion
	}
	return SrcLight
}

func findPipe(s *control.Status, name string) (control.PipeStatus, bool) {
	if s == nil {
		return control.PipeStatus{}, false
	}
	for _, p := range s.Pipes {
		if p.Name == name {
			return p, true
		}
	}
	return control.PipeStatus{}, false
}
