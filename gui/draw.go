package gui

import (
	"fmt"

	"github.com/gdamore/tcell/v2"
)

// MinWidth and MinHeight are the size the layout is made for; larger
// screens give the extra room to the chart, the timeline and the event
// list.
const (
	MinWidth  = 80
	MinHeight = 24
)

// layout is where each part goes on a w x h screen.
type layout struct {
	w, h     int
	topH     int // rows of the light and motion panels
	leftW    int // light panel width; a separator, then the right column
	rightX   int
	rightW   int
	procY    int
	procRows int
	pipeY    int
	pipeRows int
	messageY int
	keysY    int
}

func makeLayout(w, h int, m *Model) layout {
	l := layout{w: w, h: h, pipeRows: 4, procRows: 6}
	if s := m.Daemon.Status; s != nil {
		l.procRows = 2 + max(4, len(s.Children))
	}
	l.keysY, l.messageY = h-1, h-2
	l.pipeY = l.messageY - l.pipeRows
	l.procY = l.pipeY - l.procRows
	l.topH = l.procY - 1
	l.leftW = w / 2
	l.rightX = l.leftW + 1
	l.rightW = w - l.rightX
	return l
}

// Draw paints the whole model on s. It depends on nothing but m and the
// screen's size, and paints every cell, so a redraw after a restart, a
// resize or SIGCONT is complete. The caller calls s.Show.
func Draw(s tcell.Screen, m Model) {
	s.Clear()
	w, h := s.Size()
	c := canvas{s: s, g: &glyphSets[m.Charset], ascii: m.Charset == CharsetASCII}
	l := makeLayout(w, h, &m)
	c.header(&m, w)
	if h < 3 {
		return
	}
	if l.topH > 0 {
		for y := 1; y <= l.topH; y++ {
			c.cell(l.leftW, y, c.g.vline, stDim)
		}
		c.lightPanel(&m, 0, 1, l.leftW, l.topH)
		c.rightColumn(&m, l.rightX, 1, l.rightW, l.topH)
	}
	if l.procY > 0 {
		c.processes(&m, 0, l.procY, w, l.procRows)
	}
	if l.pipeY > 0 {
		c.pipes(&m, 0, l.pipeY, w)
	}
	c.messageLine(&m, l.messageY, w)
	c.keyLine(&m, l.keysY, w)
	if m.Help {
		c.help(&m, w, h)
	}
}

// header is the top bar: program, host, board, clock.
func (c canvas) header(m *Model, w int) {
	c.fill(0, 0, w, ' ', stBar)
	left := c.join(" sensord", m.Host, m.BoardModel)
	clock := m.Now.Format("2006-01-02 15:04:05") + " "
	if sw, sh := c.s.Size(); sw < MinWidth || sh < MinHeight {
		clock = fmt.Sprintf("%dx%d, want %dx%d ", sw, sh, MinWidth, MinHeight)
	}
	if w < len(clock)+12 {
		clock = ""
	}
	cw := len(clock)
	c.fit(0, 0, w-cw-1, left, stBar.Bold(true))
	if w > cw {
		c.put(w-cw, 0, cw, clock, stBar)
	}
}

// messageLine shows the result of the last key, or a hint.
func (c canvas) messageLine(m *Model, y, w int) {
	switch {
	case m.Message == "":
		c.fit(1, y, w-1, "press ? for help", stDim)
	case m.MessageBad:
		c.fit(1, y, w-1, m.Message, stBad)
	default:
		c.fit(1, y, w-1, m.Message, stPlain)
	}
}

// keyLine lists the keys, each with its short label; q only where it
// does something.
func (c canvas) keyLine(m *Model, y, w int) {
	x := 1
	for _, k := range KeyList {
		if k.Keys == "q" && m.Mode != ModeTerminal {
			continue
		}
		if x+len(k.Keys)+len(k.Short)+2 > w {
			break
		}
		x += c.put(x, y, w-x, k.Keys, stKey)
		x += c.put(x, y, w-x, " "+k.Short+"  ", stPlain)
	}
}

// help is the overlay that explains every key.
func (c canvas) help(m *Model, w, h int) {
	lines := make([]string, 0, len(KeyList)+4)
	for _, k := range KeyList {
		lines = append(lines, fmt.Sprintf("%-7s %s", k.Keys, k.Long))
	}
	lines = append(lines, "Ctrl-L  repaint the screen", "")
	if m.Mode == ModeTerminal {
		lines = append(lines, "q and Ctrl-C stop sensord and give the terminal back.")
	} else {
		lines = append(lines, "q is disabled on the console.")
	}
	lines = append(lines, "? or Esc closes this help.")
	bw, bh := min(w-2, 74), min(h-2, len(lines)+4)
	x, y := (w-bw)/2, (h-bh)/2
	if bw < 10 || bh < 5 {
		return
	}
	c.box(x, y, bw, bh)
	c.put(x+2, y, bw-4, " Keys ", stTitle)
	for i, s := range lines {
		if 2+i >= bh-1 {
			break
		}
		c.fit(x+2, y+2+i, bw-4, s, stPlain)
	}
}
