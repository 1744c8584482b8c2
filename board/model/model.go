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

// treeModel is the device tree's model string.
const treeModel = "/proc/device-tree/model"

// Pi returns the Raspberry Pi model, such as "Raspberry Pi 4 Model B
// Rev 1.4", or "" on anything that is not a Raspberry Pi.
func Pi() string { return pi(treeModel) }

func pi(path string) string {
	b, err := os.ReadFile(path)
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
