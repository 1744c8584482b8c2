package bh1750

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"periph.io/x/conn/v3/i2c/i2ctest"
	"periph.io/x/conn/v3/physic"
)

// Transcripts checked against the BH1750FVI datasheet: power down 0x00,
// power on 0x01, reset 0x07, continuous H 0x10, H2 0x11, L 0x13, one
// time 0x20/0x21/0x23, MTreg 0x40|hi3 and 0x60|lo5, result two bytes
// big endian, lux = counts/1.2 at MTreg 69.
func TestBH1750Transcripts(t *testing.T) {
	w := func(b byte) i2ctest.IO { return i2ctest.IO{Addr: 0x23, W: []byte{b}} }
	r := func(hi, lo byte) i2ctest.IO { return i2ctest.IO{Addr: 0x23, R: []byte{hi, lo}} }
	for _, tc := range []struct {
		name string
		mt   int
		mode Mode
		ops  []i2ctest.IO
		lux  float64
	}{
		{"continuous H", 69, ContinuousH, []i2ctest.IO{w(0x01), w(0x07), w(0x10), r(0x01, 0x90)}, 400 / 1.2},
		{"continuous H2 halves", 69, ContinuousH2, []i2ctest.IO{w(0x01), w(0x07), w(0x11), r(0x01, 0x90)}, 400 / 1.2 / 2},
		{"continuous L", 69, ContinuousL, []i2ctest.IO{w(0x01), w(0x07), w(0x13), r(0x00, 0x0C)}, 12 / 1.2},
		{"one time H", 69, OneTimeH, []i2ctest.IO{w(0x01), w(0x07), w(0x20), r(0xFF, 0xFF)}, 65535 / 1.2},
		{"one time L", 69, OneTimeL, []i2ctest.IO{w(0x01), w(0x07), w(0x23), r(0, 0)}, 0},
		// MTreg 138 = 0b100_01010: 0x40|0b100, 0x60|0b01010; twice as sensitive.
		{"MTreg 138", 138, ContinuousH, []i2ctest.IO{w(0x01), w(0x07), w(0x44), w(0x6A), w(0x10), r(0x01, 0x90)}, 400 / 1.2 / 2},
		{"MTreg 31", 31, ContinuousH, []i2ctest.IO{w(0x01), w(0x07), w(0x40), w(0x7F), w(0x10), r(0, 31)}, 31 / 1.2 * 69 / 31},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bus := &i2ctest.Playback{Ops: tc.ops, DontPanic: true}
			d := New(bus, 0x23)
			if err := d.SetMeasurementTime(tc.mt); err != nil {
				t.Fatal(err)
			}
			if err := d.Start(tc.mode); err != nil {
				t.Fatal(err)
			}
			f, err := d.Read()
			if err != nil {
				t.Fatal(err)
			}
			if got := Lux(f); math.Abs(got-tc.lux) > 1e-6 {
				t.Errorf("lux = %v; want %v", got, tc.lux)
			}
			if err := bus.Close(); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestBH1750HaltAndRearm(t *testing.T) {
	bus := &i2ctest.Playback{DontPanic: true, Ops: []i2ctest.IO{
		{Addr: 0x5C, W: []byte{0x01}}, {Addr: 0x5C, W: []byte{0x07}}, {Addr: 0x5C, W: []byte{0x11}},
		{Addr: 0x5C, W: []byte{0x01}}, {Addr: 0x5C, W: []byte{0x11}},
		{Addr: 0x5C, W: []byte{0x00}},
	}}
	d := New(bus, AddrHigh)
	if err := d.Start(ContinuousH2); err != nil {
		t.Fatal(err)
	}
	if err := d.Rearm(); err != nil {
		t.Fatal(err)
	}
	if err := d.Halt(); err != nil {
		t.Fatal(err)
	}
	if err := bus.Close(); err != nil {
		t.Error(err)
	}
}

func TestBH1750Errors(t *testing.T) {
	d := New(&i2ctest.Playback{DontPanic: true}, 0x23)
	err := d.Start(ContinuousH)
	if err == nil || !strings.HasPrefix(err.Error(), "bh1750: ") {
		t.Errorf("Start on a silent bus: %v; want a bh1750: error", err)
	}
	for _, mt := range []int{30, 255} {
		if d.SetMeasurementTime(mt) == nil {
			t.Errorf("MTreg %d accepted", mt)
		}
	}
}

func TestBH1750ConversionTime(t *testing.T) {
	d := New(nil, 0x23)
	if got := d.ConversionTime(); got != MaxConversion {
		t.Errorf("H at MTreg 69: %s; want %s", got, MaxConversion)
	}
	_ = d.SetMeasurementTime(138)
	if got := d.ConversionTime(); got != 2*MaxConversion {
		t.Errorf("H at MTreg 138: %s; want %s", got, 2*MaxConversion)
	}
}

// flakyBus fails every second transfer with a bus error, as a noisy
// cable might; it records the transfers that got through.
type flakyBus struct {
	n  int
	ok [][]byte
}

func (b *flakyBus) String() string                  { return "flaky" }
func (b *flakyBus) SetSpeed(physic.Frequency) error { return nil }
func (b *flakyBus) Tx(addr uint16, w, r []byte) error {
	b.n++
	if b.n%2 == 0 {
		return errors.New("bus error")
	}
	if w != nil {
		b.ok = append(b.ok, append([]byte(nil), w...))
	}
	clear(r)
	return nil
}

// Every transfer is retried on its own: a sequence such as Start's three
// instructions succeeds on a bus that fails every second transfer,
// where retrying the whole sequence would fail for ever.
func TestBH1750RetriesEachTransfer(t *testing.T) {
	bus := &flakyBus{}
	d := New(bus, 0x23)
	d.Tries = 2
	if err := d.Start(ContinuousH); err != nil {
		t.Fatalf("Start: %v", err)
	}
	if err := d.Rearm(); err != nil {
		t.Fatalf("Rearm: %v", err)
	}
	if _, err := d.Read(); err != nil {
		t.Fatalf("Read: %v", err)
	}
	want := [][]byte{{0x01}, {0x07}, {0x10}, {0x01}, {0x10}}
	if !reflect.DeepEqual(bus.ok, want) {
		t.Errorf("instructions that reached the chip: %x; want %x", bus.ok, want)
	}
	d.Tries = 1
	bus.n = 1 // the next transfer fails
	if err := d.Rearm(); err == nil || !strings.Contains(err.Error(), "bus error") {
		t.Errorf("Rearm with one try on a failing transfer: %v; want the bus error", err)
	}
}
