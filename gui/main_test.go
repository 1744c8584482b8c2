package gui

import (
	"strings"
	"testing"
)

func TestParseFlags(t *testing.T) {
	cfg, err := parseFlags(strings.Fields("--gen 3 --rx-motion 3 --rx-light 4 --tx-motion 5 --tx-light 6 --tty console --control /run/s.sock --board-model Pi"))
	if err != nil {
		t.Fatal(err)
	}
	want := Config{Gen: 3, RxMotion: 3, RxLight: 4, TxMotion: 5, TxLight: 6, Mode: ModeConsole, Control: "/run/s.sock", BoardModel: "Pi"}
	if cfg != want {
		t.Errorf("got %+v, want %+v", cfg, want)
	}
	if _, err := parseFlags([]string{"--tty", "/dev/tty1"}); err == nil || !strings.Contains(err.Error(), "want none, terminal or console") {
		t.Errorf("a tty path must be refused: %v", err)
	}
}
