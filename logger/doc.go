// Package logger is the logger role of sensord. See doc.go of each package once written.
package logger
