package gui

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"
)

var update = flag.Bool("update", false, "rewrite the golden screens in testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v; run go test ./gui -run TestDrawGolden -update to create it", err)
	}
	if got != string(want) {
		t.Errorf("screen %s differs from the golden file (go test ./gui -update rewrites it)\n--- got:\n%s--- want:\n%s", name, got, want)
	}
}

// freshModel is the dashboard a moment after start: nothing heard yet,
// the daemon not reachable.
func freshModel(cs Charset) Model {
	m := NewModel(ModeTerminal, cs, "pi-kitchen", "simulated board", t0)
	m, _ = Update(m, t0, StartMsg{})
	m, _ = Update(m, t0.Add(time.Second), StatusMsg{Err: errors.New("gui: control socket: dial unix /run/sensord/sensord.sock: connect: no such file or directory")})
	return m
}

// offlineModel has the light sensor unplugged and the PIR warming up.
func offlineModel() Model {
	m := fixtureModel(CharsetUTF8, ModeTerminal)
	step := func(msg Msg) { m, _ = Update(m, t0.Add(20*time.Second), msg) }
	step(frame(SrcLight, 3, 0, t0.Add(20*time.Second), &ipcStatusOffline))
	step(frame(SrcMotion, 2, 0, t0.Add(20*time.Second), &ipcStatusWarming))
	step(KeyMsg{Key: tcell.KeyRune, Rune: 'u'})
	return m
}

func TestDrawGolden(t *testing.T) {
	help := fixtureModel(CharsetUTF8, ModeConsole)
	help.Help = true
	for _, c := range []struct {
		name string
		m    Model
		w, h int
	}{
		{"utf8-80x24.txt", fixtureModel(CharsetUTF8, ModeTerminal), 80, 24},
		{"console-80x24.txt", fixtureModel(CharsetConsole, ModeConsole), 80, 24},
		{"ascii-80x24.txt", fixtureModel(CharsetASCII, ModeTerminal), 80, 24},
		{"utf8-120x40.txt", fixtureModel(CharsetUTF8, ModeTerminal), 120, 40},
		{"ascii-120x40.txt", fixtureModel(CharsetASCII, ModeConsole), 120, 40},
		{"help-80x24.txt", help, 80, 24},
		{"fresh-80x24.txt", freshModel(CharsetUTF8), 80, 24},
		{"offline-80x24.txt", offlineModel(), 80, 24},
		{"small-60x16.txt", fixtureModel(CharsetUTF8, ModeTerminal), 60, 16},
	} {
		t.Run(c.name, func(t *testing.T) {
			golden(t, c.name, screenText(c.m, c.w, c.h))
		})
	}
}

// TestDrawASCIIOnly checks that an ASCII screen holds nothing but
// printable ASCII, even when a sensor's reason is not ASCII.
func TestDrawASCIIOnly(t *testing.T) {
	m := offlineModel()
	m.Charset = CharsetASCII
	m, _ = Update(m, m.Now, frame(SrcLight, 3, 0, m.Now, &ipcStatusUnicode))
	for _, size := range [][2]int{{80, 24}, {120, 40}, {200, 60}} {
		text := screenText(m, size[0], size[1])
		for i, r := range text {
			if r != '\n' && (r < ' ' || r > '~') {
				t.Fatalf("%dx%d: non-ASCII %q at byte %d:\n%s", size[0], size[1], r, i, text)
			}
		}
	}
}

// TestDrawConsoleGlyphs checks the Linux-console screen uses only
// characters its fonts have: ASCII, the CP437 blocks and box lines, and
// the middle dot.
func TestDrawConsoleGlyphs(t *testing.T) {
	m := fixtureModel(CharsetConsole, ModeConsole)
	m.Help = true
	allowed := "─│┌┐└┘█▀▄░·"
	text := screenText(m, 120, 40) + screenText(fixtureModel(CharsetConsole, ModeConsole), 80, 24)
	for _, r := range text {
		if r > '~' && !strings.ContainsRune(allowed, r) {
			t.Fatalf("rune %q is not in the console set:\n%s", r, text)
		}
	}
}

// TestDrawStyles checks the colours that carry meaning.
func TestDrawStyles(t *testing.T) {
	s := tcell.NewSimulationScreen("UTF-8")
	if err := s.Init(); err != nil {
		t.Fatal(err)
	}
	defer s.Fini()
	s.SetSize(80, 24)
	Draw(s, offlineModel())
	s.Show()
	text := simText(s)
	find := func(word string) tcell.Style {
		for y, line := range strings.Split(text, "\n") {
			if x := strings.Index(line, word); x >= 0 {
				_, st, _ := s.Get(len([]rune(line[:x])), y)
				return st
			}
		}
		t.Fatalf("%q not on screen:\n%s", word, text)
		return tcell.StyleDefault
	}
	for _, c := range []struct {
		word string
		fg   tcell.Color
	}{
		{"OFFLINE", tcell.ColorMaroon},
		{"warming up", tcell.ColorOlive},
		{"backoff", tcell.ColorMaroon},
		{"running", tcell.ColorGreen},
	} {
		if fg, _, _ := find(c.word).Decompose(); fg != c.fg {
			t.Errorf("%q drawn in %v, want %v", c.word, fg, c.fg)
		}
	}
}

// TestDrawEverySize draws at many sizes, down to absurd ones, to check
// that nothing panics and the header always shows.
func TestDrawEverySize(t *testing.T) {
	m := fixtureModel(CharsetUTF8, ModeTerminal)
	m.Help = true
	for w := 1; w <= 130; w += 7 {
		for h := 1; h <= 45; h += 4 {
			text := screenText(m, w, h)
			if w >= 10 && !strings.Contains(text, "sens") {
				t.Fatalf("%dx%d: no header:\n%s", w, h, text)
			}
		}
	}
}
