package board

import (
	"errors"
	"flag"
	"fmt"
	"sensord/board/model"
	"strings"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"
	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/i2c"
)

// Resolve turns board.kind into the kind to use, "pi" or "sim", and a
// model string for status and the dashboard. "auto" picks "pi" on a
// Raspberry Pi and "sim" elsewhere.
func Resolve(kind string) (resolved, name string) {
	if kind == "sim" || !model.Real(kind) {
		return "sim", "simulated board"
	}
	if name = model.Pi(); name == "" {
		name = "unknown board"
	}
	return "pi", name
}

// Config says which board to open.
type Config struct {
	Kind   string          // "pi", "sim" or "auto" (see Resolve)
	Seed   int64           // simulation seed; 0 picks one from the clock
	Faults string          // --sim-faults, see ParseFaults
	Clock  clockwork.Clock // time of the simulation; nil: the real clock
	// LightAddr is where the simulated BH1750 answers: the address the
	// light role was told to use (0x23 if zero), so --address works in
	// the simulation as it does with the ADDR pin on real hardware.
	LightAddr uint16
}

// AddFlags defines the board flags of a sensor role on fs, stored in c:
// --board, --seed and --sim-faults, whose help shows faults as an
// example.
func (c *Config) AddFlags(fs *flag.FlagSet, faults string) {
	fs.StringVar(&c.Kind, "board", "auto", "board: pi, sim or auto")
	fs.Int64Var(&c.Seed, "seed", 0, "simulation seed (0: from the clock)")
	fs.StringVar(&c.Faults, "sim-faults", "", "simulated faults, e.g. "+faults)
}

// ErrNotSimulated is returned by Fault on real hardware.
var ErrNotSimulated = errors.New("board: simulation faults need the simulated board (--board sim)")

// Board is an opened board. It owns every bus and pin it hands out and
// closes them in Close; sensor code uses them and never closes them.
// Its methods may be called from several goroutines.
type Board struct {
	kind, model string
	sim         *simBoard // nil on real hardware

	mu      sync.Mutex
	closers []func() error
	devices []string // the device files opened, for the sandbox
}

// Open opens the board cfg names. It touches no hardware yet: buses and
// pins are opened by I2C and Pin, so a missing device is an error there,
// where the sensor can report it and retry.
func Open(cfg Config) (*Board, error) {
	kind, model := Resolve(cfg.Kind)
	sch, err := ParseFaults(cfg.Faults)
	if err != nil {
		return nil, err
	}
	b := &Board{kind: kind, model: model}
	if kind == "sim" {
		b.sim = newSimBoard(cfg, sch)
	} else if cfg.Faults != "" {
		return nil, fmt.Errorf("board: --sim-faults %q needs --board sim", cfg.Faults)
	}
	return b, nil
}

// Kind is "pi" or "sim".
func (b *Board) Kind() string { return b.kind }

// Model is the board model, such as "Raspberry Pi 4 Model B Rev 1.4".
func (b *Board) Model() string { return b.model }

// Simulated reports whether this is the simulated board.
func (b *Board) Simulated() bool { return b.sim != nil }

// Seed is the simulation seed in use (0 on real hardware), for logs, so a
// run can be repeated.
func (b *Board) Seed() int64 {
	if b.sim == nil {
		return 0
	}
	return b.sim.seed
}

// I2C opens I2C bus name ("1", "i2c-1" or "/dev/i2c-1"). On the simulated
// board every bus holds one BH1750 at Config.LightAddr.
func (b *Board) I2C(name string) (i2c.Bus, string, error) {
	n, err := busNumber(name)
	if err != nil {
		return nil, "", err
	}
	where := fmt.Sprintf("i2c-%d", n)
	if b.sim != nil {
		return b.sim.lightBus(), "sim " + where, nil
	}
	bus, err := openI2C(n)
	if err != nil {
		return nil, "", err
	}
	b.onClose(bus.Close)
	b.opened(bus.String())
	return bus, where, nil
}

// Pin opens GPIO name (such as "GPIO17") as an input. Halt on the pin
// interrupts a WaitForEdge in progress.
func (b *Board) Pin(name string) (gpio.PinIn, error) {
	if b.sim != nil {
		return b.sim.pir(name), nil
	}
	p, closeFn, err := openPin(name)
	if err != nil {
		return nil, err
	}
	b.onClose(closeFn)
	b.opened(gpioChips()...)
	return p, nil
}

// Fault switches a simulated fault on or off at run time (ipc.OpSimFault).
func (b *Board) Fault(f SimFault) error {
	if b.sim == nil {
		return ErrNotSimulated
	}
	return b.sim.fault(f)
}

// HangAt is when the main loop of role ("light" or "motion") is to
// hang for good, from the schedule's light-hang or motion-hang; false
// if never (and always on real hardware).
func (b *Board) HangAt(role string) (time.Time, bool) {
	if b.sim == nil {
		return time.Time{}, false
	}
	d, ok := b.sim.sch.HangFrom(role + "-hang")
	return b.sim.start.Add(d), ok
}

// Close closes every bus and pin the board handed out.
func (b *Board) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	var errs []error
	for i := len(b.closers) - 1; i >= 0; i-- {
		errs = append(errs, b.closers[i]())
	}
	b.closers = nil
	return errors.Join(errs...)
}

// Devices are the device files the board has opened (none on the
// simulated board): what a sensor role's sandbox allows (sensor.Main).
func (b *Board) Devices() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.devices...)
}

func (b *Board) opened(paths ...string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.devices = append(b.devices, paths...)
}

func (b *Board) onClose(f func() error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closers = append(b.closers, f)
}

func busNumber(name string) (int, error) {
	s := strings.TrimPrefix(strings.TrimPrefix(name, "/dev/"), "i2c-")
	var n int
	if _, err := fmt.Sscanf(s, "%d", &n); err != nil || n < 0 || fmt.Sprint(n) != s {
		return 0, fmt.Errorf("board: I2C bus %q: write it as a number such as 1 (for /dev/i2c-1)", name)
	}
	return n, nil
}

// simBoard holds the simulated devices of one process.
type simBoard struct {
	cfg   Config
	sch   Schedule
	seed  int64
	start time.Time

	mu    sync.Mutex
	light *SimBH1750
	pin   *SimPIR
}

func newSimBoard(cfg Config, sch Schedule) *simBoard {
	if cfg.Clock == nil {
		cfg.Clock = clockwork.NewRealClock()
	}
	if cfg.LightAddr == 0 {
		cfg.LightAddr = 0x23
	}
	seed := cfg.Seed
	if seed == 0 {
		seed = time.Now().UnixNano()
	}
	return &simBoard{cfg: cfg, sch: sch, seed: seed, start: cfg.Clock.Now()}
}

func (s *simBoard) lightBus() *SimBH1750 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.light == nil {
		s.light = NewSimBH1750(SimOptions{
			Clock: s.cfg.Clock, Seed: s.seed, Faults: s.sch, Start: s.start,
		}, s.cfg.LightAddr)
	}
	return s.light
}

func (s *simBoard) pir(name string) *SimPIR {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pin == nil {
		s.pin = NewSimPIR(SimOptions{
			Clock: s.cfg.Clock, Seed: s.seed + 1, Faults: s.sch, Start: s.start,
		}, name)
	}
	return s.pin
}

func (s *simBoard) fault(f SimFault) error {
	s.mu.Lock()
	light, pin := s.light, s.pin
	s.mu.Unlock()
	switch f {
	case SimUnplug, SimReplug, SimBusErrorsOn, SimBusErrorsOff:
		if light == nil {
			return fmt.Errorf("board: no simulated light sensor in this process for fault %d", f)
		}
		return light.Fault(f)
	case SimStuckHigh, SimRelease:
		if pin == nil {
			return fmt.Errorf("board: no simulated PIR in this process for fault %d", f)
		}
		return pin.Fault(f)
	case SimHang:
		return nil // the sensor's loop blocks (package sensor)
	}
	return fmt.Errorf("board: unknown simulation fault %d", f)
}
