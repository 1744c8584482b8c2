package light

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"time"

	"sensord/board"
	"sensord/sensor"
)

// Interval limits. On real hardware a sample faster than the chip's
// longest conversion would repeat the last one; the simulated chip
// allows down to a millisecond for stress tests.
const (
	MinIntervalSim = time.Millisecond
	MaxInterval    = time.Hour
)

// CheckInterval says whether d is a sampling interval the light role
// accepts; sim is whether the board is simulated. The daemon may call it
// to refuse light.interval at start.
func CheckInterval(d time.Duration, sim bool) error {
	lo := MaxConversion
	if sim {
		lo = MinIntervalSim
	}
	switch {
	case d < lo && !sim:
		return fmt.Errorf("light: interval %s is shorter than the BH1750's conversion time (up to %s); use %s or more", d, lo, lo)
	case d < lo:
		return fmt.Errorf("light: interval %s is below the simulated chip's %s minimum", d, lo)
	case d > MaxInterval:
		return fmt.Errorf("light: interval %s is longer than %s", d, MaxInterval)
	}
	return nil
}

// Main is the light role's entry point: parse args, then Run.
func Main(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("light", flag.ContinueOnError)
	sf := sensor.AddFlags(fs, "light")
	var bc board.Config
	bc.AddFlags(fs, "light-unplug@5s-15s,i2c-errors=0.1")
	bus := fs.String("bus", "1", "I2C bus number (/dev/i2c-N)")
	addr := fs.String("address", "0x23", "BH1750 address: 0x23 (ADDR low) or 0x5C (ADDR high)")
	interval := fs.Duration("interval", time.Second, "sampling interval")
	if err := fs.Parse(args); err != nil {
		return err
	}
	a, err := strconv.ParseUint(*addr, 0, 7)
	if err != nil || (uint16(a) != AddrLow && uint16(a) != AddrHigh) {
		return fmt.Errorf("light: --address %q: a BH1750 is at 0x23 (ADDR low) or 0x5C (ADDR high)", *addr)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil)).With("role", "light", "gen", sf.Gen())
	ends, err := sf.Open(log)
	if err != nil {
		return err
	}
	return Run(ctx, Config{
		Gen:      sf.Gen(),
		Board:    bc,
		Bus:      *bus,
		Address:  uint16(a),
		Interval: *interval,
		Log:      log,
	}, ends)
}
