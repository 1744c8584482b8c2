package board

import (
	"errors"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
)

var noon = time.Date(2026, 6, 21, 12, 0, 0, 0, time.Local)

func newTestBH1750(t *testing.T, faults string) (*SimBH1750, *clockwork.FakeClock) {
	t.Helper()
	clk := clockwork.NewFakeClockAt(noon)
	sch, err := ParseFaults(faults)
	if err != nil {
		t.Fatal(err)
	}
	return NewSimBH1750(SimOptions{Clock: clk, Seed: 1, Faults: sch, Start: clk.Now()}, 0x23), clk
}

func read(t *testing.T, s *SimBH1750) uint16 {
	t.Helper()
	var b [2]byte
	if err := s.Tx(0x23, nil, b[:]); err != nil {
		t.Fatalf("read: %v", err)
	}
	return uint16(b[0])<<8 | uint16(b[1])
}

// TestSimBH1750Sequences drives the chip through instruction sequences
// from the datasheet and checks the result register.
func TestSimBH1750Sequences(t *testing.T) {
	lux := DayLux(noon)
	for _, tc := range []struct {
		name     string
		ops      []byte
		wait     time.Duration
		min, max float64 // expected counts
	}{
		{"power-up state reads 0", nil, time.Second, 0, 0},
		{"power on alone measures nothing", []byte{0x01}, time.Second, 0, 0},
		{"H-res before first conversion", []byte{0x01, 0x10}, 100 * time.Millisecond, 0, 0},
		{"H-res after one conversion", []byte{0x01, 0x10}, 121 * time.Millisecond, lux * 1.2 * 0.9, lux * 1.2 * 1.1},
		{"H-res2 doubles the counts", []byte{0x01, 0x11}, 121 * time.Millisecond, lux * 2.4 * 0.9, lux * 2.4 * 1.1},
		{"L-res counts in steps of 4", []byte{0x01, 0x13}, 17 * time.Millisecond, lux*1.2*0.9 - 4, lux * 1.2 * 1.1},
		{"one-time H-res", []byte{0x01, 0x20}, 121 * time.Millisecond, lux * 1.2 * 0.9, lux * 1.2 * 1.1},
		{"measurement from power down", []byte{0x10}, 121 * time.Millisecond, lux * 1.2 * 0.9, lux * 1.2 * 1.1},
		{"MTreg 138 doubles counts and time", []byte{0x01, 0x44, 0x6A, 0x10}, 239 * time.Millisecond, 0, 0},
		{"MTreg 138 after its conversion", []byte{0x01, 0x44, 0x6A, 0x10}, 241 * time.Millisecond, lux * 2.4 * 0.9, lux * 2.4 * 1.1},
		{"power down stops conversion", []byte{0x01, 0x10, 0x00}, time.Second, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, clk := newTestBH1750(t, "")
			for _, op := range tc.ops {
				if err := s.Tx(0x23, []byte{op}, nil); err != nil {
					t.Fatalf("write %#02x: %v", op, err)
				}
			}
			clk.Advance(tc.wait)
			got := float64(read(t, s))
			if got < tc.min || got > tc.max {
				t.Errorf("counts = %v; want %v..%v", got, tc.min, tc.max)
			}
		})
	}
}

func TestSimBH1750OneTimePowersDown(t *testing.T) {
	s, clk := newTestBH1750(t, "")
	_ = s.Tx(0x23, []byte{0x01, 0x20}, nil)
	clk.Advance(200 * time.Millisecond)
	first := read(t, s)
	clk.Advance(10 * time.Second)
	if got := read(t, s); got != first || first == 0 {
		t.Errorf("one-time result changed from %d to %d, or is 0: the chip did not power down", first, got)
	}
	if s.on {
		t.Error("chip still on after a one-time measurement")
	}
}

func TestSimBH1750Reset(t *testing.T) {
	s, clk := newTestBH1750(t, "")
	_ = s.Tx(0x23, []byte{0x01, 0x10}, nil)
	clk.Advance(150 * time.Millisecond)
	if read(t, s) == 0 {
		t.Fatal("no result")
	}
	_ = s.Tx(0x23, []byte{0x07}, nil)
	if got := read(t, s); got != 0 {
		t.Errorf("after reset read %d; want 0", got)
	}
	_ = s.Tx(0x23, []byte{0x00}, nil)
	clk.Advance(time.Second)
	_ = s.Tx(0x23, []byte{0x01, 0x10}, nil)
	clk.Advance(150 * time.Millisecond)
	v := read(t, s)
	_ = s.Tx(0x23, []byte{0x00, 0x07}, nil) // reset is ignored in power down
	if got := read(t, s); got != v {
		t.Errorf("reset in power down changed the register from %d to %d", v, got)
	}
}

func TestSimBH1750Errors(t *testing.T) {
	s, _ := newTestBH1750(t, "")
	if err := s.Tx(0x5C, []byte{0x01}, nil); !errors.Is(err, ErrSimNACK) {
		t.Errorf("wrong address: %v; want NACK", err)
	}
	if err := s.Tx(0x23, []byte{0x99}, nil); err == nil {
		t.Error("unknown opcode accepted")
	}
}

func TestSimBH1750Unplug(t *testing.T) {
	s, clk := newTestBH1750(t, "light-unplug@5s-15s")
	_ = s.Tx(0x23, []byte{0x01, 0x10}, nil)
	clk.Advance(5 * time.Second)
	if err := s.Tx(0x23, nil, make([]byte, 2)); !errors.Is(err, ErrSimNACK) {
		t.Fatalf("scheduled unplug: %v; want NACK", err)
	}
	clk.Advance(10 * time.Second)
	if got := read(t, s); got != 0 {
		t.Errorf("replugged chip read %d; want 0 (power-up state)", got)
	}
	if err := s.Fault(SimUnplug); err != nil {
		t.Fatal(err)
	}
	if err := s.Tx(0x23, []byte{0x01}, nil); !errors.Is(err, ErrSimNACK) {
		t.Errorf("run-time unplug: %v; want NACK", err)
	}
	_ = s.Fault(SimReplug)
	if err := s.Tx(0x23, []byte{0x01}, nil); err != nil {
		t.Errorf("after replug: %v", err)
	}
	if err := s.Fault(SimStuckHigh); err == nil {
		t.Error("a PIR fault was accepted by the light sensor")
	}
}

func TestSimBH1750BusErrors(t *testing.T) {
	s, _ := newTestBH1750(t, "i2c-errors=0.5")
	fails := 0
	for range 1000 {
		if err := s.Tx(0x23, []byte{0x01}, nil); errors.Is(err, ErrSimBusError) {
			fails++
		}
	}
	if fails < 400 || fails > 600 {
		t.Errorf("%d of 1000 transfers failed; want about 500", fails)
	}
}

// TestSimBH1750Seeded checks that one seed gives one sequence.
func TestSimBH1750Seeded(t *testing.T) {
	run := func() []uint16 {
		s, clk := newTestBH1750(t, "")
		_ = s.Tx(0x23, []byte{0x01, 0x10}, nil)
		var out []uint16
		for range 5 {
			clk.Advance(time.Second)
			out = append(out, read(t, s))
		}
		return out
	}
	a, b := run(), run()
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("same seed, different readings: %v and %v", a, b)
		}
	}
}

func TestDayLux(t *testing.T) {
	day := func(h int) time.Time { return time.Date(2026, 3, 1, h, 0, 0, 0, time.Local) }
	if l := DayLux(day(2)); l > 5 {
		t.Errorf("02:00: %v lx; want dark", l)
	}
	if l := DayLux(day(13)); l < 300 || l > 900 {
		t.Errorf("13:00: %v lx; want daylight indoors", l)
	}
}
