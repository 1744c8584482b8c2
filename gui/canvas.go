package gui

import (
	"strings"
	"unicode/utf8"

	"github.com/gdamore/tcell/v2"
)

// Styles. Only the eight colours of the Linux console and bold or
// reverse, so the dashboard looks the same there and on a 256-colour
// terminal.
var (
	stPlain = tcell.StyleDefault
	stTitle = stPlain.Bold(true)
	stBar   = stPlain.Reverse(true)
	stDim   = stPlain.Foreground(tcell.ColorTeal)
	stOK    = stPlain.Foreground(tcell.ColorGreen)
	stWarn  = stPlain.Foreground(tcell.ColorOlive).Bold(true)
	stBad   = stPlain.Foreground(tcell.ColorMaroon).Bold(true)
	stChart = stPlain.Foreground(tcell.ColorOlive)
	stBig   = stPlain.Foreground(tcell.ColorOlive).Bold(true)
	stOn    = stPlain.Foreground(tcell.ColorMaroon).Bold(true).Reverse(true)
	stKey   = stPlain.Reverse(true).Bold(true)
)

// canvas draws clipped text with one charset's glyphs.
type canvas struct {
	s     tcell.Screen
	g     *glyphs
	ascii bool
}

// put writes str at (x, y), at most maxw columns, and returns the
// columns used. Control characters, and anything outside ASCII on an
// ASCII terminal, become '?': sensor reasons come from other processes.
func (c canvas) put(x, y, maxw int, str string, st tcell.Style) int {
	n := 0
	for i, r := range str {
		if n >= maxw {
			break
		}
		cell := "?"
		if r >= ' ' && r != 0x7f && r != utf8.RuneError && !(c.ascii && r > 0x7e) {
			cell = str[i : i+utf8.RuneLen(r)] // one rune; a substring, so no allocation
		}
		c.s.Put(x+n, y, cell, st)
		n++
	}
	return n
}

// fit writes str at (x, y) cut to maxw columns with a mark if cut.
func (c canvas) fit(x, y, maxw int, str string, st tcell.Style) int {
	return c.put(x, y, maxw, fit(str, maxw, c.g.more), st)
}

// fill sets w cells from (x, y) to r.
func (c canvas) fill(x, y, w int, r rune, st tcell.Style) {
	for i := range w {
		c.cell(x+i, y, r, st)
	}
}

// rule draws a section title: "─ Title ──────── right ─".
func (c canvas) rule(x, y, w int, title, right string) {
	if w <= 0 {
		return
	}
	c.fill(x, y, w, c.g.hline, stDim)
	n := c.put(x+1, y, w-1, " "+title+" ", stTitle)
	if right == "" {
		return
	}
	room := w - n - 4
	right = " " + fit(right, room-2, c.g.more) + " "
	if room > 2 {
		c.put(x+w-1-len([]rune(right)), y, room, right, stDim)
	}
}

// box draws a frame with a blank inside.
func (c canvas) box(x, y, w, h int) {
	tl, tr, bl, br := '┌', '┐', '└', '┘'
	if c.ascii {
		tl, tr, bl, br = '+', '+', '+', '+'
	}
	for j := range h {
		c.fill(x, y+j, w, ' ', stPlain)
		c.cell(x, y+j, c.g.vline, stPlain)
		c.cell(x+w-1, y+j, c.g.vline, stPlain)
	}
	c.fill(x, y, w, c.g.hline, stPlain)
	c.fill(x, y+h-1, w, c.g.hline, stPlain)
	c.cell(x, y, tl, stPlain)
	c.cell(x+w-1, y, tr, stPlain)
	c.cell(x, y+h-1, bl, stPlain)
	c.cell(x+w-1, y+h-1, br, stPlain)
}

// join joins the non-empty parts with the charset's separator.
func (c canvas) join(parts ...string) string {
	out := parts[:0:0]
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, c.g.dot)
}

// cellStrings holds a string for every rune the canvas draws cell by
// cell, so drawing a cell does not allocate one (tcell's SetContent
// does). Read-only after init.
var cellStrings = func() map[rune]string {
	m := make(map[rune]string)
	for r := rune(' '); r < 0x7f; r++ {
		m[r] = string(r)
	}
	for _, g := range glyphSets {
		for _, r := range append([]rune{g.hline, g.vline, g.full, g.empty, g.on, g.off, g.more}, g.levels...) {
			m[r] = string(r)
		}
	}
	for _, r := range "┌┐└┘" {
		m[r] = string(r)
	}
	return m
}()

// cell sets one cell to r.
func (c canvas) cell(x, y int, r rune, st tcell.Style) {
	s, ok := cellStrings[r]
	if !ok {
		s = string(r)
	}
	c.s.Put(x, y, s, st)
}
