// Package motion is the motion role of sensord. See doc.go of each package once written.
package motion
