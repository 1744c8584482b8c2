// Package bh1750 is a driver for the ROHM BH1750FVI ambient-light
// sensor on an i2c.Bus it does not own, and the one home of the chip's
// limits: the addresses it answers on and the sampling intervals the
// light role accepts. The configuration check (package config) and the
// light role both call CheckAddress and CheckInterval, so a value that
// `sensord config` accepts never makes the light process refuse to
// start.
//
// It is our own small driver rather than periph.io/x/devices/v3/bh1750,
// whose Sense sleeps 140 ms inline (the light role's goroutine must keep
// taking commands and stop promptly, and tests use a fake clock), whose
// SetMode always writes a reset instead of the power opcode, so its Halt
// never powers the chip down, and which rewrites the mode before every
// read (restarting the conversion). This one does no I/O in New, never
// sleeps (ConversionTime tells the caller how long to wait between Start
// and the first Read), and powers the chip down in Halt.
package bh1750
