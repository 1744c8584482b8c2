// Package board is the hardware: real periph.io GPIO and I2C on a
// Raspberry Pi, or a simulated board below the same drivers. It is the
// only package that imports periph.io/x/host.
package board
