package light

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"time"

	"periph.io/x/conn/v3/i2c"

	"sensord/board"
	"sensord/light/bh1750"
	"sensord/sensor"
)

// Board is what the light role needs of a board: the common part and
// its I2C bus. *board.Board is one.
type Board interface {
	sensor.Board
	// I2C opens bus name ("1" for /dev/i2c-1) and says where it is, for
	// info replies ("i2c-1", "sim i2c-1"). The board owns the bus.
	I2C(name string) (bus i2c.Bus, where string, err error)
}

var _ Board = (*board.Board)(nil)

// Main is the light role's entry point: parse args, then Run.
func Main(ctx context.Context, args []string) error {
	return sensor.Main(ctx, args, "light", "light-unplug@5s-15s,i2c-errors=0.1", defineFlags)
}

// flags are the light role's own flags.
type flags struct {
	bus, addr *string
	interval  *time.Duration
	address   uint16
}

func defineFlags(fs *flag.FlagSet) sensor.Role {
	return &flags{
		bus:      fs.String("bus", "1", "I2C bus number (/dev/i2c-N)"),
		addr:     fs.String("address", "0x23", "BH1750 address: 0x23 (ADDR low) or 0x5C (ADDR high)"),
		interval: fs.Duration("interval", time.Second, "sampling interval"),
	}
}

// Prepare checks --address and makes it the simulated chip's too, so
// --address works in the simulation as the ADDR pin does on hardware.
func (f *flags) Prepare(bc *board.Config) error {
	a, err := strconv.ParseUint(*f.addr, 0, 7)
	if err == nil {
		err = bh1750.CheckAddress(int(a))
	}
	if err != nil {
		return fmt.Errorf("light: --address %q: %w", *f.addr, err)
	}
	f.address, bc.LightAddr = uint16(a), uint16(a)
	return nil
}

func (f *flags) Run(ctx context.Context, c sensor.Common) error {
	return Run(ctx, Config{
		Settings: sensor.Settings{Gen: c.Gen, Log: c.Log, Confine: c.Confine},
		Board:    c.Board,
		Bus:      *f.bus,
		Address:  f.address,
		Interval: *f.interval,
	}, c.Ends)
}
