// Package gui is the gui role of sensord. See doc.go of each package once written.
package gui
