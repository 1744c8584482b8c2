package board

import (
	"os"
	"strings"
)

// Resolve turns board.kind into the kind to use, "pi" or "sim", and a
// model string for status and the dashboard. "auto" picks "pi" on a
// Raspberry Pi and "sim" elsewhere.
func Resolve(kind string) (resolved, model string) {
	model = piModel()
	switch kind {
	case "sim":
		return "sim", "simulated board"
	case "pi":
		if model == "" {
			model = "unknown board"
		}
		return "pi", model
	}
	if model != "" {
		return "pi", model
	}
	return "sim", "simulated board"
}

// piModel reads the device tree model, such as "Raspberry Pi 4 Model B
// Rev 1.4"; it is empty on anything that is not a Raspberry Pi.
func piModel() string {
	b, err := os.ReadFile("/proc/device-tree/model")
	if err != nil {
		return ""
	}
	m := strings.TrimRight(string(b), "\x00\n")
	if !strings.Contains(m, "Raspberry Pi") {
		return ""
	}
	return m
}
