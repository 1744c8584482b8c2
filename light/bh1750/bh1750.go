package bh1750

import (
	"fmt"
	"time"

	"periph.io/x/conn/v3/i2c"
	"periph.io/x/conn/v3/physic"
)

// Mode is a BH1750 measurement mode: its opcode.
type Mode byte

// Measurement modes (datasheet, "Instruction Set Architecture").
const (
	ContinuousH  Mode = 0x10 // 1 lx resolution, 120 ms
	ContinuousH2 Mode = 0x11 // 0.5 lx resolution, 120 ms
	ContinuousL  Mode = 0x13 // 4 lx resolution, 16 ms
	OneTimeH     Mode = 0x20 // as ContinuousH, then power down
	OneTimeH2    Mode = 0x21
	OneTimeL     Mode = 0x23
)

// Other instructions.
const (
	opPowerDown = 0x00
	opPowerOn   = 0x01
	opReset     = 0x07 // clears the data register; ignored in power down
	opMTHigh    = 0x40 // | MTreg bits 7..5
	opMTLow     = 0x60 // | MTreg bits 4..0
)

// Measurement time register: default and range (datasheet p. 11).
const (
	MTDefault = 69
	MTMin     = 31
	MTMax     = 254
)

// MaxConversion is the longest H-resolution measurement at MTreg 69 per
// the datasheet (typ. 120 ms, max. 180 ms): the shortest interval at
// which every sample is a new conversion on real hardware.
const MaxConversion = 180 * time.Millisecond

// Dev drives a ROHM BH1750FVI ambient light sensor on an i2c.Bus it
// does not own. It never sleeps: the caller waits ConversionTime between
// Start and the first Read (on its own clock), so one goroutine can
// sample, take commands and stop promptly.
type Dev struct {
	// Tries is how many times each transfer is tried before its error
	// is returned (1 if less). Every instruction the driver sends is
	// idempotent, so a transfer that failed can simply be sent again.
	Tries int

	dev  i2c.Dev
	mode Mode
	mt   byte
}

// New returns a driver for the chip at addr that tries each
// transfer once. It does no I/O.
func New(bus i2c.Bus, addr uint16) *Dev {
	return &Dev{Tries: 1, dev: i2c.Dev{Bus: bus, Addr: addr}, mode: ContinuousH, mt: MTDefault}
}

// tx is one transfer, tried up to Tries times.
func (d *Dev) tx(w, r []byte) error {
	err := d.dev.Tx(w, r)
	for i := 1; err != nil && i < d.Tries; i++ {
		err = d.dev.Tx(w, r)
	}
	return err
}

func (d *Dev) write(op byte) error {
	if err := d.tx([]byte{op}, nil); err != nil {
		return fmt.Errorf("bh1750: at %#02x, instruction %#02x: %w", d.dev.Addr, op, err)
	}
	return nil
}

// Start powers the chip on, clears its data register and starts mode,
// writing the measurement time first when it is not the default (a
// power cycle resets it). It is also how to set the chip up again after
// it was unplugged.
func (d *Dev) Start(mode Mode) error {
	ops := []byte{opPowerOn, opReset}
	if d.mt != MTDefault {
		ops = append(ops, opMTHigh|d.mt>>5, opMTLow|d.mt&0x1F)
	}
	for _, op := range append(ops, byte(mode)) {
		if err := d.write(op); err != nil {
			return err
		}
	}
	d.mode = mode
	return nil
}

// Rearm repeats power on and the mode without a reset: a chip that lost
// power for less than a sample interval is in power down and would
// return its last result for ever; a chip that did not keeps its result
// until the next conversion completes.
func (d *Dev) Rearm() error {
	if err := d.write(opPowerOn); err != nil {
		return err
	}
	return d.write(byte(d.mode))
}

// SetMeasurementTime sets MTreg (31..254; 69 is the default). A higher
// value is more sensitive and slower. It takes effect at the next Start.
func (d *Dev) SetMeasurementTime(mt int) error {
	if mt < MTMin || mt > MTMax {
		return fmt.Errorf("bh1750: measurement time %d out of range %d..%d", mt, MTMin, MTMax)
	}
	d.mt = byte(mt)
	return nil
}

// ConversionTime is the longest a measurement takes in the current mode
// and measurement time.
func (d *Dev) ConversionTime() time.Duration {
	base := MaxConversion
	if d.mode == ContinuousL || d.mode == OneTimeL {
		base = 24 * time.Millisecond
	}
	return base * time.Duration(d.mt) / MTDefault
}

// Read reads the data register: the last completed conversion. The
// value is illuminance in lux, carried as physic.LuminousFlux as periph
// does for this chip (periph has no illuminance type: read it as lumens
// per square metre).
func (d *Dev) Read() (physic.LuminousFlux, error) {
	var b [2]byte
	if err := d.tx(nil, b[:]); err != nil {
		return 0, fmt.Errorf("bh1750: at %#02x, read: %w", d.dev.Addr, err)
	}
	return d.lux(uint16(b[0])<<8 | uint16(b[1])), nil
}

// Halt powers the chip down (0x00), which periph's driver never does.
func (d *Dev) Halt() error { return d.write(opPowerDown) }

// lux converts counts: lux = counts / 1.2 × 69/MTreg, halved in
// H-resolution mode 2 (datasheet p. 11).
func (d *Dev) lux(counts uint16) physic.LuminousFlux {
	v := float64(counts) / 1.2 * MTDefault / float64(d.mt)
	if d.mode == ContinuousH2 || d.mode == OneTimeH2 {
		v /= 2
	}
	return physic.LuminousFlux(v * float64(physic.Lumen))
}

// Lux returns f as a float64 number of lux, for the wire.
func Lux(f physic.LuminousFlux) float64 { return float64(f) / float64(physic.Lumen) }
