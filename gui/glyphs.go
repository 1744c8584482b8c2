package gui

import "strings"

// Charset is which characters the dashboard may draw with.
type Charset int

const (
	// CharsetUTF8 is a UTF-8 locale on a terminal emulator: block
	// eighths for the chart.
	CharsetUTF8 Charset = iota
	// CharsetConsole is a UTF-8 locale on the Linux console, whose
	// fonts hold little more than the CP437 repertoire: half blocks,
	// full block, shades and box lines only.
	CharsetConsole
	// CharsetASCII is any other locale: 7-bit ASCII only.
	CharsetASCII
)

// DetectCharset picks the charset from the locale (LC_ALL, then
// LC_CTYPE, then LANG, as POSIX says) and the terminal type. getenv is
// os.Getenv outside tests.
func DetectCharset(getenv func(string) string) Charset {
	loc := getenv("LC_ALL")
	if loc == "" {
		loc = getenv("LC_CTYPE")
	}
	if loc == "" {
		loc = getenv("LANG")
	}
	loc = strings.ToLower(loc)
	if i := strings.IndexByte(loc, '@'); i >= 0 {
		loc = loc[:i]
	}
	if !strings.HasSuffix(loc, ".utf-8") && !strings.HasSuffix(loc, ".utf8") {
		return CharsetASCII
	}
	if t := getenv("TERM"); t == "linux" || strings.HasPrefix(t, "linux-") {
		return CharsetConsole
	}
	return CharsetUTF8
}

// glyphs are the characters one charset draws with.
type glyphs struct {
	hline  rune   // section rules
	vline  rune   // column separator
	levels []rune // a chart cell from empty to full
	full   rune   // filled part of a gauge
	empty  rune   // empty part of a gauge
	on     rune   // timeline: motion
	off    rune   // timeline: known, no motion
	more   rune   // marks text cut short
	dot    string // separator between items on a line
	big    map[rune][3]string
}

var glyphSets = [...]glyphs{
	CharsetUTF8: {
		hline: '─', vline: '│', full: '█', empty: '░', on: '█', off: '·',
		more: '…', dot: " · ", big: halfBlockFont,
		levels: []rune{' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'},
	},
	CharsetConsole: {
		hline: '─', vline: '│', full: '█', empty: '░', on: '█', off: '·',
		more: '~', dot: " · ", big: halfBlockFont,
		levels: []rune{' ', '▄', '█'},
	},
	CharsetASCII: {
		hline: '-', vline: '|', full: '#', empty: '.', on: '#', off: '.',
		more: '~', dot: ", ", big: sevenSegFont,
		levels: []rune{' ', '.', '-', '=', '#'},
	},
}

// halfBlockFont draws 3x5-pixel digits in three rows of half blocks.
var halfBlockFont = map[rune][3]string{
	'0': {"█▀█", "█ █", "▀▀▀"},
	'1': {"▄█ ", " █ ", "▀▀▀"},
	'2': {"▀▀█", "█▀▀", "▀▀▀"},
	'3': {"▀▀█", "▀▀█", "▀▀▀"},
	'4': {"█ █", "▀▀█", "  ▀"},
	'5': {"█▀▀", "▀▀█", "▀▀▀"},
	'6': {"█▀▀", "█▀█", "▀▀▀"},
	'7': {"▀▀█", "  █", "  ▀"},
	'8': {"█▀█", "█▀█", "▀▀▀"},
	'9': {"█▀█", "▀▀█", "▀▀▀"},
	'.': {" ", " ", "▀"},
	'-': {"   ", "▀▀▀", "   "},
}

// sevenSegFont draws digits as a seven-segment display in ASCII.
var sevenSegFont = map[rune][3]string{
	'0': {" _ ", "| |", "|_|"},
	'1': {"   ", "  |", "  |"},
	'2': {" _ ", " _|", "|_ "},
	'3': {" _ ", " _|", " _|"},
	'4': {"   ", "|_|", "  |"},
	'5': {" _ ", "|_ ", " _|"},
	'6': {" _ ", "|_ ", "|_|"},
	'7': {" _ ", "  |", "  |"},
	'8': {" _ ", "|_|", "|_|"},
	'9': {" _ ", "|_|", " _|"},
	'.': {" ", " ", "."},
	'-': {"   ", " _ ", "   "},
}

// bigText renders s in the big font: three rows, one column between
// characters.
func (g *glyphs) bigText(s string) [3]string {
	var rows [3]string
	for i, r := range s {
		f, ok := g.big[r]
		if !ok {
			f = [3]string{" ", " ", " "}
		}
		for j := range rows {
			if i > 0 {
				rows[j] += " "
			}
			rows[j] += f[j]
		}
	}
	return rows
}
