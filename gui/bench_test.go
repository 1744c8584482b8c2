package gui

import (
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"

	"sensord/ipc"
)

// benchDraw measures one full redraw (Draw and Show) of the busy
// fixture model on a w x h simulation screen.
func benchDraw(b *testing.B, cs Charset, w, h int) {
	s := tcell.NewSimulationScreen("UTF-8")
	if err := s.Init(); err != nil {
		b.Fatal(err)
	}
	defer s.Fini()
	s.SetSize(w, h)
	m := fixtureModel(cs, ModeTerminal)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		m.Now = t0.Add(time.Duration(i%2) * time.Second) // the clock changes, as every second
		Draw(s, m)
		s.Show()
	}
}

func BenchmarkDraw80x24(b *testing.B)        { benchDraw(b, CharsetUTF8, 80, 24) }
func BenchmarkDraw120x40(b *testing.B)       { benchDraw(b, CharsetUTF8, 120, 40) }
func BenchmarkDraw80x24ASCII(b *testing.B)   { benchDraw(b, CharsetASCII, 80, 24) }
func BenchmarkDraw200x60(b *testing.B)       { benchDraw(b, CharsetUTF8, 200, 60) }
func BenchmarkDraw80x24Console(b *testing.B) { benchDraw(b, CharsetConsole, 80, 24) }

// BenchmarkUpdateLight is the model update for one light sample, the
// commonest message.
func BenchmarkUpdateLight(b *testing.B) {
	m := fixtureModel(CharsetUTF8, ModeTerminal)
	f := frame(SrcLight, 3, 1000, t0, &ipc.LightSample{Lux: 300})
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		at := t0.Add(time.Duration(i) * 100 * time.Millisecond)
		f.Header.Wall = at.UnixNano()
		m, _ = Update(m, at, f)
	}
}

// BenchmarkDrawOnly80x24 is Draw without the simulation screen's Show,
// whose per-cell copies are not what a terminal screen does.
func BenchmarkDrawOnly80x24(b *testing.B) {
	s := tcell.NewSimulationScreen("UTF-8")
	if err := s.Init(); err != nil {
		b.Fatal(err)
	}
	defer s.Fini()
	s.SetSize(80, 24)
	m := fixtureModel(CharsetUTF8, ModeTerminal)
	b.ReportAllocs()
	for b.Loop() {
		Draw(s, m)
	}
}
