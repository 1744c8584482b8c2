package board

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"golang.org/x/sys/unix"
	"periph.io/x/conn/v3/driver/driverreg"
	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpioreg"
	"periph.io/x/host/v3/gpioioctl"
)

// openI2C opens /dev/i2c-n, with errors that say what to do.
func openI2C(n int) (*i2cDev, error) {
	path := fmt.Sprintf("/dev/i2c-%d", n)
	bus, err := openI2CDev(path)
	switch {
	case err == nil:
		return bus, nil
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("board: %s does not exist; enable I2C with dtparam=i2c_arm=on in /boot/firmware/config.txt "+
			"(or raspi-config, Interface Options, I2C), load i2c-dev and reboot: %w", path, err)
	case errors.Is(err, fs.ErrPermission):
		return nil, fmt.Errorf("board: %s: permission denied; add the sensord user to group i2c: %w", path, err)
	}
	return nil, fmt.Errorf("board: %s: %w", path, err)
}

// gpioInit loads periph's GPIO character-device driver, and only that:
// board imports no other host driver, so driverreg has nothing else to
// start (and never bcm283x's memory-mapped registers).
var gpioInit = sync.OnceValue(func() error {
	_, err := driverreg.Init()
	return err
})

// openPin opens a GPIO line by name ("GPIO17") or number on the first
// pinctrl chip, through /dev/gpiochipN.
func openPin(name string) (gpio.PinIn, func() error, error) {
	if err := checkGPIOChips(); err != nil {
		return nil, nil, err
	}
	if err := gpioInit(); err != nil {
		return nil, nil, fmt.Errorf("board: GPIO character device: %w", err)
	}
	p := gpioreg.ByName(name)
	if p == nil {
		return nil, nil, fmt.Errorf("board: no GPIO line named %q; use a name as gpioinfo prints it, such as GPIO17", name)
	}
	line, ok := p.(*gpioioctl.GPIOLine)
	if !ok {
		return nil, nil, fmt.Errorf("board: GPIO %q is not a character-device line (%T)", name, p)
	}
	return line, func() error { line.Close(); return nil }, nil
}

// gpioChips are the GPIO character devices, all of which periph's
// gpioioctl driver opens.
func gpioChips() []string {
	chips, _ := filepath.Glob("/dev/gpiochip*")
	return chips
}

// checkGPIOChips turns the usual setup problems into errors naming the
// device and what to do, before periph meets them and only logs them.
func checkGPIOChips() error {
	chips := gpioChips()
	if len(chips) == 0 {
		return errors.New("board: no /dev/gpiochip* found; this needs a Linux kernel with the GPIO character device (any Raspberry Pi OS)")
	}
	f, err := os.OpenFile(chips[0], os.O_RDONLY|unix.O_CLOEXEC, 0)
	if errors.Is(err, fs.ErrPermission) {
		return fmt.Errorf("board: %s: permission denied; add the sensord user to group gpio: %w", chips[0], err)
	}
	if err != nil {
		return fmt.Errorf("board: %s: %w", chips[0], err)
	}
	return f.Close()
}
