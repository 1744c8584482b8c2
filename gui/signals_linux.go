package gui

import (
	"os"
	"os/signal"
	"syscall"
)

const sigCont = syscall.SIGCONT

// notifySignals routes the signals the GUI handles itself to a channel
// for the event loop: SIGTERM (the daemon stopping it), SIGINT (only
// seen with no screen: in raw mode Ctrl-C is a key), SIGHUP (the
// console hung up) and SIGCONT (repaint after SIGSTOP). SIGWINCH is
// tcell's. SIGTTOU is ignored, so that setting up the terminal never
// stops the GUI should it not be in the foreground group.
func notifySignals() (<-chan os.Signal, func()) {
	ch := make(chan os.Signal, 4)
	signal.Notify(ch, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGCONT)
	signal.Ignore(syscall.SIGTTOU)
	return ch, func() { signal.Stop(ch) }
}
