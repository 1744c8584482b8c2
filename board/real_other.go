//go:build !linux

package board

import (
	"errors"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/i2c"
)

var errNotLinux = errors.New("board: real hardware needs Linux; use --board sim")

type i2cDev struct{ i2c.BusCloser }

func openI2C(n int) (*i2cDev, error) { return nil, errNotLinux }

func openPin(name string) (gpio.PinIn, func() error, error) { return nil, nil, errNotLinux }
func gpioChips() []string                                   { return nil }
