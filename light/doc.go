// Package light is the light role of sensord. See doc.go of each package once written.
package light
