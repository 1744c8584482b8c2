package bh1750

import (
	"fmt"
	"time"
)

// Addresses: the ADDR pin low (or open) or high.
const (
	AddrLow  uint16 = 0x23
	AddrHigh uint16 = 0x5C
)

// Interval limits. On real hardware a sample faster than the chip's
// longest conversion would repeat the last one; the simulated chip
// allows down to a millisecond for stress tests.
const (
	MinIntervalSim = time.Millisecond
	MaxInterval    = time.Hour
)

// CheckAddress says whether a is an address a BH1750 answers on. The
// simulated board emulates the same chip, so the rule is the same there.
func CheckAddress(a int) error {
	if a != int(AddrLow) && a != int(AddrHigh) {
		return fmt.Errorf("bh1750: %#x is not an address a BH1750 answers on; use 0x23 (ADDR pin low or open) or 0x5C (ADDR high)", a)
	}
	return nil
}

// CheckInterval says whether d is a sampling interval the light role
// accepts; sim is whether the board is simulated.
func CheckInterval(d time.Duration, sim bool) error {
	switch {
	case d < MaxConversion && !sim:
		return fmt.Errorf("bh1750: interval %s is shorter than the chip's conversion time (up to %s); use %s or more", d, MaxConversion, MaxConversion)
	case d < MinIntervalSim:
		return fmt.Errorf("bh1750: interval %s is below the simulated chip's %s minimum", d, MinIntervalSim)
	case d > MaxInterval:
		return fmt.Errorf("bh1750: interval %s is longer than %s", d, MaxInterval)
	}
	return nil
}
