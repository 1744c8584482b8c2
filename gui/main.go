package gui

import (
	"context"
	"fmt"
	"os"
	"sensord/cli"

	"github.com/gdamore/tcell/v2"
)

// Main is the gui role's entry point: parse args, make the screen for
// the --tty mode, confine the process (allowance), then Run. It handles its own signals (main.go gives it
// a bare context), so that the terminal is restored however it stops.
func Main(ctx context.Context, args []string) error {
	cfg, err := parseFlags(args)
	if err != nil {
		return err
	}
	sigs, stop := notifySignals()
	defer stop()
	cfg.Signals = sigs
	if cfg.Mode == ModeConsole && os.Getenv("TERM") == "" {
		// A console started by init or systemd often has no TERM; a
		// Linux virtual console is "linux".
		os.Setenv("TERM", "linux")
	}
	cfg.Host, _ = os.Hostname()
	cfg.Charset = DetectCharset(os.Getenv)
	cfg.ControlPollEnabled = cfg.Mode != ModeNone
	var screen tcell.Screen
	if cfg.Mode != ModeNone {
		if screen, err = openScreen(); err != nil {
			return err
		}
	}
	if err := confine(cfg); err != nil {
		return err
	}
	return Run(ctx, cfg, screen)
}

func parseFlags(args []string) (Config, error) {
	var cfg Config
	fs := cli.NewFlagSet("gui", "[flags] (started by the daemon)")
	gen := fs.Uint("gen", 1, "generation: how many times the daemon has started the GUI")
	fs.IntVar(&cfg.RxMotion, "rx-motion", -1, "descriptor of the motion-gui read end")
	fs.IntVar(&cfg.RxLight, "rx-light", -1, "descriptor of the light-gui read end")
	fs.IntVar(&cfg.TxMotion, "tx-motion", -1, "descriptor of the gui-motion write end")
	fs.IntVar(&cfg.TxLight, "tx-light", -1, "descriptor of the gui-light write end")
	mode := fs.String("tty", "terminal", "none, terminal or console: what fd 0/1 are")
	fs.StringVar(&cfg.Control, "control", "", "path of the daemon's control socket")
	fs.StringVar(&cfg.BoardModel, "board-model", "", "board model to show")
	if _, err := cli.Args(fs, args, 0, 0, ""); err != nil {
		return cfg, err
	}
	cfg.Gen = uint32(*gen)
	cfg.Mode = Mode(*mode)
	switch cfg.Mode {
	case ModeNone, ModeTerminal, ModeConsole:
	default:
		return cfg, fmt.Errorf("gui: --tty %q: want none, terminal or console", *mode)
	}
	return cfg, nil
}

// openScreen makes a screen on fd 0/1. The GUI never opens a tty path
// itself: the daemon hands it the terminal as stdio. A locale tcell has
// no encoding for falls back to ASCII rather than failing.
func openScreen() (tcell.Screen, error) {
	tcell.SetEncodingFallback(tcell.EncodingFallbackASCII)
	tty, err := tcell.NewStdIoTty()
	if err != nil {
		return nil, fmt.Errorf("gui: stdin/stdout: %w", err)
	}
	s, err := tcell.NewTerminfoScreenFromTty(tty)
	if err != nil {
		return nil, fmt.Errorf("gui: terminal type %q: %w; set TERM (linux on the console)", os.Getenv("TERM"), err)
	}
	return s, nil
}
