// Package model says whether this machine is a Raspberry Pi, and which.
// It is the one home of that rule: package board (which resolves
// board.kind "auto") and package config (which checks values whose
// limits depend on the board) both ask it. It imports nothing of
// periph, so the configuration check stays light.
package model

import (
	"os"
	"strings"
)

// treeModels are the device tree's model string: in sysfs first, which
// stays readable under systemd's ProcSubset=pid (see README.md, "The
// systemd unit"), then /proc/device-tree, a link to it on older kernels.
var treeModels = []string{"/sys/firmware/devicetree/base/model", "/proc/device-tree/model"}

// Pi returns the Raspberry Pi model, such as "Raspberry Pi 4 Model B
// Rev 1.4", or "" on anything that is not a Raspberry Pi.
func Pi() string { return pi(treeModels...) }

// pi reads the first of paths that exists.
func pi(paths ...string) string {
	var b []byte
	err := os.ErrNotExist
	for _, p := range paths {
		if b, err = os.ReadFile(p); err == nil {
			break
		}
	}
	if err != nil {
		return ""
	}
	m := strings.TrimRight(string(b), "\x00\n")
	if !strings.Contains(m, "Raspberry Pi") {
		return ""
	}
	return m
}

// Real says whether board.kind k means the real board here: "pi", or
// "auto" on a Raspberry Pi.
func Real(kind string) bool { return kind == "pi" || kind == "auto" && Pi() != "" }
