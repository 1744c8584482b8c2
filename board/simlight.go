package board

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"
	"periph.io/x/conn/v3/i2c"
	"periph.io/x/conn/v3/physic"
)

// SimOptions are what every simulated device needs.
type SimOptions struct {
	Clock  clockwork.Clock // required
	Seed   int64
	Faults Schedule
	Start  time.Time // offsets in Faults count from here
}

// Errors of the simulated I2C bus. Both mean what EREMOTEIO and EIO mean
// on /dev/i2c-N.
var (
	ErrSimNACK     = errors.New("sim-i2c: no acknowledge from the device")
	ErrSimBusError = errors.New("sim-i2c: bus error (simulated)")
)

// BH1750 opcodes, from the datasheet (ROHM BH1750FVI, "Instruction Set
// Architecture").
const (
	bhPowerDown = 0x00
	bhPowerOn   = 0x01
	bhReset     = 0x07
	bhContH     = 0x10
	bhContH2    = 0x11
	bhContL     = 0x13
	bhOnceH     = 0x20
	bhOnceH2    = 0x21
	bhOnceL     = 0x23
	bhMTDefault = 69
)

// SimBH1750 is an i2c.Bus with one BH1750 on it. It answers the chip's
// instruction set byte for byte: power down/on, reset, the three
// continuous and three one-time modes, the measurement time register
// (0x40|hi3, 0x60|lo5) and the two-byte big-endian result. A conversion
// takes as long as on the chip (120 ms in H-resolution at MTreg 69, 16 ms
// in L-resolution); until one completes, reads return the data register
// as it is (0 after power-up or reset). Light follows a day curve with
// noise, from the injected clock.
type SimBH1750 struct {
	addr uint16
	opt  SimOptions

	mu        sync.Mutex
	rng       *rand.Rand
	unplugged bool // switched by Fault
	busErrors bool // switched by Fault
	absent    bool // the chip was unplugged at the last transfer
	on        bool
	mode      byte // 0: no measurement running
	mt        byte
	convStart time.Time
	convDone  time.Duration // conversions completed since convStart
	data      uint16
}

var _ i2c.Bus = &SimBH1750{}

// NewSimBH1750 returns a bus with a BH1750 at addr, powered up: in power
// down, data register 0, MTreg 69.
func NewSimBH1750(opt SimOptions, addr uint16) *SimBH1750 {
	s := &SimBH1750{addr: addr, opt: opt, rng: rand.New(rand.NewPCG(uint64(opt.Seed), 0x1750))}
	s.powerUp()
	return s
}

func (s *SimBH1750) String() string { return fmt.Sprintf("sim-i2c(BH1750@%#02x)", s.addr) }

// SetSpeed implements i2c.Bus; the BH1750 does up to 400 kHz.
func (s *SimBH1750) SetSpeed(f physic.Frequency) error {
	if f > 400*physic.KiloHertz {
		return fmt.Errorf("sim-i2c: %s is above the BH1750's 400kHz", f)
	}
	return nil
}

// Tx implements i2c.Bus: each written byte is one instruction, then r is
// filled from the data register.
func (s *SimBH1750) Tx(addr uint16, w, r []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opt.Clock.Now()
	if err := s.faultAt(now); err != nil {
		return err
	}
	if addr != s.addr {
		return fmt.Errorf("%w at %#02x", ErrSimNACK, addr)
	}
	for _, op := range w {
		if err := s.command(op, now); err != nil {
			return err
		}
	}
	if len(r) > 0 {
		s.update(now)
		for i := range r {
			r[i] = 0xFF // the chip sends ones past the two result bytes
		}
		r[0] = byte(s.data >> 8)
		if len(r) > 1 {
			r[1] = byte(s.data)
		}
	}
	return nil
}

// faultAt applies unplug and bus-error faults. A chip plugged back in has
// been powered off, so it starts again from its power-up state.
func (s *SimBH1750) faultAt(now time.Time) error {
	off := now.Sub(s.opt.Start)
	sched, _ := s.opt.Faults.Active(FaultLightUnplug, off)
	if s.unplugged || sched {
		s.absent = true
		return fmt.Errorf("%w at %#02x (sensor unplugged)", ErrSimNACK, s.addr)
	}
	if s.absent {
		s.absent = false
		s.powerUp()
	}
	_, rate := s.opt.Faults.Active(FaultI2CErrors, off)
	if s.busErrors {
		rate = max(rate, DefaultI2CErrorRate)
	}
	if rate > 0 && s.rng.Float64() < rate {
		return ErrSimBusError
	}
	return nil
}

func (s *SimBH1750) powerUp() {
	s.on, s.mode, s.mt, s.data = false, 0, bhMTDefault, 0
}

func (s *SimBH1750) command(op byte, now time.Time) error {
	s.update(now)
	switch {
	case op == bhPowerDown:
		s.on, s.mode = false, 0
	case op == bhPowerOn:
		s.on = true
	case op == bhReset:
		if s.on { // the datasheet: reset is not accepted in power down
			s.data = 0
		}
	case isMode(op):
		s.on, s.mode, s.convStart, s.convDone = true, op, now, 0
	case op&0xF8 == 0x40:
		s.mt = s.mt&0x1F | (op&0x07)<<5
	case op&0xE0 == 0x60:
		s.mt = s.mt&0xE0 | op&0x1F
	default:
		return fmt.Errorf("sim-i2c: BH1750 has no instruction %#02x", op)
	}
	return nil
}

func isMode(op byte) bool {
	switch op {
	case bhContH, bhContH2, bhContL, bhOnceH, bhOnceH2, bhOnceL:
		return true
	}
	return false
}

// update moves the data register to the last conversion completed by now.
func (s *SimBH1750) update(now time.Time) {
	if s.mode == 0 || !s.on {
		return
	}
	t := conversionTime(s.mode, s.mt)
	n := now.Sub(s.convStart) / t
	if n < 1 || n == s.convDone {
		return
	}
	s.convDone = n
	if s.mode&0x20 != 0 { // one-time: one result, then power down
		n = 1
		defer func() { s.on, s.mode = false, 0 }()
	}
	s.data = s.counts(s.convStart.Add(n * t))
}

// conversionTime is the typical measurement time of a mode at MTreg mt.
func conversionTime(mode, mt byte) time.Duration {
	base := 120 * time.Millisecond
	if mode == bhContL || mode == bhOnceL {
		base = 16 * time.Millisecond
	}
	return base * time.Duration(mt) / bhMTDefault
}

// counts is the raw result for the light at t: lux × 1.2 × MTreg/69, twice
// that in H-resolution mode 2, in steps of 4 counts in L-resolution.
func (s *SimBH1750) counts(t time.Time) uint16 {
	lux := DayLux(t) * (1 + 0.02*s.rng.NormFloat64())
	c := max(lux, 0) * 1.2 * float64(s.mt) / bhMTDefault
	switch s.mode {
	case bhContH2, bhOnceH2:
		c *= 2
	case bhContL, bhOnceL:
		c = math.Floor(c/4) * 4
	}
	return uint16(min(math.Round(c), 65535))
}

// DayLux is the simulated light at t, in lux: a room with a window, dark
// at night (a little light from the street), a sine-shaped day from 06:00
// to 20:00 local time peaking near 800 lx, and passing clouds.
func DayLux(t time.Time) float64 {
	h := float64(t.Hour()) + float64(t.Minute())/60 + float64(t.Second())/3600
	lux := 0.5
	if h > 6 && h < 20 {
		sun := math.Sin(math.Pi * (h - 6) / 14)
		clouds := 0.85 + 0.15*math.Sin(2*math.Pi*float64(t.Unix()%420)/420)
		lux += 800 * math.Pow(sun, 1.5) * clouds
	}
	return lux
}

// Fault switches a light fault on or off at run time. A fault switched
// on here adds to the schedule: the sensor is unplugged while either
// says so.
func (s *SimBH1750) Fault(f SimFault) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch f {
	case SimUnplug:
		s.unplugged = true
	case SimReplug:
		s.unplugged = false
	case SimBusErrorsOn:
		s.busErrors = true
	case SimBusErrorsOff:
		s.busErrors = false
	default:
		return fmt.Errorf("board: fault %d is not a light sensor fault", f)
	}
	return nil
}
