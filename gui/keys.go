package gui

import (
	"fmt"
	"time"

	"github.com/gdamore/tcell/v2"

	"sensord/board"
	"sensord/ipc"
)

// Key is one entry of the key list, shown on screen and in the help.
type Key struct {
	Keys  string // as shown: "+/-"
	Short string // on the key line
	Long  string // in the help overlay
}

// KeyList is every key the dashboard understands, in display order.
var KeyList = []Key{
	{"+/-", "interval", "light sampling interval: + longer, - shorter (100ms .. 5s)"},
	{"i", "info", "ask both sensors for model, driver, address and version"},
	{"w", "warm-up", "skip the PIR warm-up"},
	{"u", "unplug", "simulated board: unplug the light sensor, or replug it when offline"},
	{"s", "stick PIR", "simulated board: PIR output stuck high / released"},
	{"?", "help", "show or hide this help"},
	{"q", "quit", "stop the whole appliance (only when run from a terminal)"},
}

func onKey(m Model, k KeyMsg) (Model, []Effect) {
	if m.Help && (k.Key == tcell.KeyEscape || k.Key == tcell.KeyEnter || k.Rune == '?') {
		m.Help = false
		return m, nil
	}
	switch {
	case k.Key == tcell.KeyCtrlC:
		return quit(m)
	case k.Key == tcell.KeyCtrlL:
		return m, []Effect{ResyncEffect{}}
	case k.Key != tcell.KeyRune:
		return m, nil
	}
	switch k.Rune {
	case '?':
		m.Help = !m.Help
		return m, nil
	case 'q', 'Q':
		return quit(m)
	case '+', '=':
		return stepInterval(m, +1)
	case '-', '_':
		return stepInterval(m, -1)
	case 'i', 'I':
		eff := m.sendBoth(ipc.OpInfo)
		return m.say(false, "asked both sensors for info"), eff
	case 'w', 'W':
		eff := m.send(SrcMotion, ipc.OpSkipWarmup, 0)
		return m.say(false, "motion: skip warm-up sent"), []Effect{eff}
	case 'u', 'U':
		return toggleUnplug(m)
	case 's', 'S':
		return toggleStuck(m)
	}
	return m, nil
}

// quit stops the appliance when the GUI runs on the terminal sensord
// was started from. On a console nobody should be able to stop the
// appliance from the keyboard, so q only explains itself.
func quit(m Model) (Model, []Effect) {
	if m.Mode != ModeTerminal {
		return m.say(true, "q is disabled on the console; stop the appliance with its service manager"), nil
	}
	m.Daemon.StopAsked = true
	return m.say(false, "asking the daemon to stop the appliance..."), []Effect{StopEffect{}}
}

// stepInterval moves the light interval one step along Intervals from
// the last one asked for, or else the one in force.
func stepInterval(m Model, dir int) (Model, []Effect) {
	cur := m.WantInterval
	if cur == 0 {
		cur = m.Sensors[SrcLight].Interval
	}
	if cur == 0 {
		cur = time.Second
	}
	i := nearestInterval(cur) + dir
	if i < 0 || i >= len(Intervals) {
		return m.say(true, fmt.Sprintf("light interval stays %s: the range is %s to %s",
			Intervals[i-dir], Intervals[0], Intervals[len(Intervals)-1])), nil
	}
	m.WantInterval = Intervals[i]
	eff := m.send(SrcLight, ipc.OpSetInterval, int64(Intervals[i]))
	return m.say(false, fmt.Sprintf("light: interval %s asked", Intervals[i])), []Effect{eff}
}

// nearestInterval returns the index in Intervals closest to d.
func nearestInterval(d time.Duration) int {
	best := 0
	for i, v := range Intervals {
		if absDur(v-d) < absDur(Intervals[best]-d) {
			best = i
		}
	}
	return best
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

func toggleUnplug(m Model) (Model, []Effect) {
	f, text := board.SimUnplug, "light: unplug sent (simulated board only)"
	light := &m.Sensors[SrcLight]
	if m.LightPulled || light.Known && light.Health == ipc.HealthOffline {
		f, text = board.SimReplug, "light: replug sent"
	}
	m.LightPulled = f == board.SimUnplug
	eff := m.send(SrcLight, ipc.OpSimFault, int64(f))
	return m.say(false, text), []Effect{eff}
}

func toggleStuck(m Model) (Model, []Effect) {
	f, text := board.SimStuckHigh, "motion: PIR stuck high sent (simulated board only)"
	if m.PIRStuck {
		f, text = board.SimRelease, "motion: PIR release sent"
	}
	m.PIRStuck = !m.PIRStuck
	eff := m.send(SrcMotion, ipc.OpSimFault, int64(f))
	return m.say(false, text), []Effect{eff}
}
