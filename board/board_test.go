package board

import (
	"errors"
	"flag"
	"strings"
	"testing"
)

func TestOpen(t *testing.T) {
	if _, err := Open(Config{Kind: "pi", Faults: "pir-stuck"}); err == nil || !strings.Contains(err.Error(), "needs --board sim") {
		t.Errorf("faults on a Pi: %v", err)
	}
	if _, err := Open(Config{Kind: "sim", Faults: "smoke"}); err == nil {
		t.Error("bad faults accepted")
	}
	b, err := Open(Config{Kind: "sim", Seed: 5})
	if err != nil || !b.Simulated() || b.Seed() != 5 || b.Kind() != "sim" {
		t.Fatalf("Open sim: %v %+v", err, b)
	}
	if err := b.Fault(SimStuckHigh); err == nil {
		t.Error("a PIR fault before any PIR was opened")
	}
	if _, where, err := b.I2C("/dev/i2c-3"); err != nil || where != "sim i2c-3" {
		t.Errorf("I2C: %q %v", where, err)
	}
	if err := b.Fault(SimUnplug); err != nil {
		t.Error(err)
	}
	real, _ := Open(Config{Kind: "pi"})
	if err := real.Fault(SimUnplug); !errors.Is(err, ErrNotSimulated) {
		t.Errorf("fault on a Pi: %v", err)
	}
}

func TestBusNumber(t *testing.T) {
	for in, want := range map[string]int{"1": 1, "i2c-1": 1, "/dev/i2c-20": 20} {
		if n, err := busNumber(in); n != want || err != nil {
			t.Errorf("busNumber(%q) = %d, %v", in, n, err)
		}
	}
	for _, in := range []string{"", "x", "-1", "1a", "/dev/spidev0.0"} {
		if _, err := busNumber(in); err == nil {
			t.Errorf("busNumber(%q) accepted", in)
		}
	}
}

func TestConfigAddFlags(t *testing.T) {
	var c Config
	fs := flag.NewFlagSet("light", flag.ContinueOnError)
	c.AddFlags(fs, "light-unplug@5s-15s")
	if c.Kind != "auto" {
		t.Errorf("default --board %q; want auto", c.Kind)
	}
	if err := fs.Parse([]string{"--board", "sim", "--seed", "7", "--sim-faults", "pir-stuck@1s-2s"}); err != nil {
		t.Fatal(err)
	}
	if want := (Config{Kind: "sim", Seed: 7, Faults: "pir-stuck@1s-2s"}); c != want {
		t.Errorf("parsed %+v; want %+v", c, want)
	}
}

// TestSimulatedBoardOpensNoDevice: a sensor on the simulated board is
// confined to no device file at all (board.Devices, sensor.Main).
func TestSimulatedBoardOpensNoDevice(t *testing.T) {
	b, err := Open(Config{Kind: "sim", Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, _, err := b.I2C("1"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Pin("GPIO17"); err != nil {
		t.Fatal(err)
	}
	if d := b.Devices(); len(d) != 0 {
		t.Errorf("devices %v on the simulated board; want none", d)
	}
}
