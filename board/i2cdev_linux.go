package board

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
	"periph.io/x/conn/v3/i2c"
	"periph.io/x/conn/v3/physic"
)

// i2cDev is an i2c.Bus on /dev/i2c-N through the I2C_RDWR ioctl: a write
// and a read in one transfer with a repeated start, as the kernel's
// i2c-dev documents. It is ours rather than periph's sysfs package so
// that importing it does not register sysfs's GPIO, SPI and LED drivers.
type i2cDev struct {
	path string
	mu   sync.Mutex
	f    *os.File
}

var _ i2c.BusCloser = &i2cDev{}

const (
	i2cRDWR  = 0x0707 // I2C_RDWR from <linux/i2c-dev.h>
	i2cMsgRD = 0x0001 // I2C_M_RD from <linux/i2c.h>
)

// i2cMsg is struct i2c_msg; the Go layout matches C on 32 and 64 bits.
type i2cMsg struct {
	addr  uint16
	flags uint16
	len   uint16
	buf   unsafe.Pointer
}

// i2cRdwrData is struct i2c_rdwr_ioctl_data.
type i2cRdwrData struct {
	msgs  unsafe.Pointer
	nmsgs uint32
}

func openI2CDev(path string) (*i2cDev, error) {
	f, err := os.OpenFile(path, os.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	return &i2cDev{path: path, f: f}, nil
}

func (d *i2cDev) String() string { return d.path }

// Tx implements i2c.Bus.
func (d *i2cDev) Tx(addr uint16, w, r []byte) error {
	if addr > 0x7F {
		return fmt.Errorf("board: %s: address %#x is not a 7-bit address", d.path, addr)
	}
	var msgs [2]i2cMsg
	n := 0
	if len(w) > 0 {
		msgs[n] = i2cMsg{addr: addr, len: uint16(len(w)), buf: unsafe.Pointer(&w[0])}
		n++
	}
	if len(r) > 0 {
		msgs[n] = i2cMsg{addr: addr, flags: i2cMsgRD, len: uint16(len(r)), buf: unsafe.Pointer(&r[0])}
		n++
	}
	if n == 0 {
		return nil
	}
	data := i2cRdwrData{msgs: unsafe.Pointer(&msgs[0]), nmsgs: uint32(n)}
	d.mu.Lock()
	defer d.mu.Unlock()
	rc, err := d.f.SyscallConn()
	if err != nil {
		return err
	}
	var errno error
	if err := rc.Control(func(fd uintptr) {
		_, _, e := unix.Syscall(unix.SYS_IOCTL, fd, i2cRDWR, uintptr(unsafe.Pointer(&data)))
		if e != 0 {
			errno = e
		}
	}); err != nil {
		return err
	}
	return txError(d.path, addr, errno)
}

// txError explains the errnos the kernel's I2C adapters return.
func txError(path string, addr uint16, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, unix.EREMOTEIO), errors.Is(err, unix.ENXIO):
		return fmt.Errorf("board: %s: no answer at %#02x; check the wiring, power and the ADDR pin: %w", path, addr, err)
	case errors.Is(err, unix.ETIMEDOUT), errors.Is(err, unix.EAGAIN):
		return fmt.Errorf("board: %s: bus timeout at %#02x; is SDA or SCL held low? %w", path, addr, err)
	}
	return fmt.Errorf("board: %s: transfer at %#02x: %w", path, addr, err)
}

// SetSpeed implements i2c.Bus. The kernel fixes the bus clock
// (dtparam=i2c_arm_baudrate in config.txt); it cannot change here.
func (d *i2cDev) SetSpeed(f physic.Frequency) error {
	return fmt.Errorf("board: %s: set the clock with dtparam=i2c_arm_baudrate in config.txt", d.path)
}

// Close implements i2c.BusCloser.
func (d *i2cDev) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.f.Close()
}
