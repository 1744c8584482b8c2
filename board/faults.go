package board

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The fault kinds a schedule may name.
const (
	FaultLightUnplug = "light-unplug" // the BH1750 stops answering (NACK), then comes back reset
	FaultPIRStuck    = "pir-stuck"    // the PIR output sticks high
	FaultI2CErrors   = "i2c-errors"   // a share of I2C transfers fail with a bus error
	// The sensor's main loop blocks for good from the start offset on
	// (SimHang at a set time): no rate, no end.
	FaultLightHang  = "light-hang"
	FaultMotionHang = "motion-hang"
)

// DefaultI2CErrorRate is the share of failing transfers when i2c-errors is
// given without a rate, and when it is switched on at run time.
const DefaultI2CErrorRate = 0.1

// Fault is one item of a fault schedule: a kind, active in a window of
// time measured from the start of the simulated board (the sensor
// process), optionally repeating.
type Fault struct {
	Kind   string
	Rate   float64       // i2c-errors: probability that a transfer fails
	From   time.Duration // window start
	To     time.Duration // window end; 0 means for good
	Period time.Duration // 0: once; otherwise the window repeats every Period
}

// Schedule is a parsed --sim-faults string. The zero value has no faults.
type Schedule struct {
	faults []Fault
}

// ParseFaults parses the --sim-faults syntax (board.sim_faults):
//
//	spec   = [ item { "," item } ]
//	item   = kind [ "=" rate ] [ "@" start [ "-" end [ "/" period ] ] ]
//	kind   = "light-unplug" | "pir-stuck" | "i2c-errors" | "light-hang" | "motion-hang"
//
// start, end and period are Go durations from the start of the sensor
// process; without "@" the fault is on from the start for good; without
// an end it is on from start for good. rate (i2c-errors only) is a
// probability in [0, 1], 0.1 if left out. A hang (light-hang,
// motion-hang: the role's main loop blocks, see SimHang) takes only a
// start: it lasts until the process is stopped. Examples:
//
//	light-unplug@5s-15s,pir-stuck@20s-30s,i2c-errors=0.1
//	light-unplug@50s-60s/5m   (unplugged 10 s in every 5 minutes)
//	motion-hang@5s            (the motion loop hangs 5 s after its start)
func ParseFaults(s string) (Schedule, error) {
	var sch Schedule
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		f, err := parseFault(item)
		if err != nil {
			return Schedule{}, fmt.Errorf("board: sim faults %q: %w", item, err)
		}
		sch.faults = append(sch.faults, f)
	}
	return sch, nil
}

func parseFault(item string) (Fault, error) {
	head, when, timed := strings.Cut(item, "@")
	kind, rate, hasRate := strings.Cut(head, "=")
	f := Fault{Kind: kind}
	switch kind {
	case FaultLightHang, FaultMotionHang:
		if hasRate || strings.ContainsAny(when, "-/") {
			return f, fmt.Errorf("%s takes only a start: %s@5s", kind, kind)
		}
	case FaultLightUnplug, FaultPIRStuck:
		if hasRate {
			return f, fmt.Errorf("%s takes no rate", kind)
		}
	case FaultI2CErrors:
		f.Rate = DefaultI2CErrorRate
		if hasRate {
			r, err := strconv.ParseFloat(rate, 64)
			if err != nil || r < 0 || r > 1 {
				return f, fmt.Errorf("rate %q must be a number from 0 to 1", rate)
			}
			f.Rate = r
		}
	default:
		return f, fmt.Errorf("unknown fault %q; use %s, %s, %s, %s or %s",
			kind, FaultLightUnplug, FaultPIRStuck, FaultI2CErrors, FaultLightHang, FaultMotionHang)
	}
	if timed {
		if err := f.parseWindow(when); err != nil {
			return f, err
		}
	}
	return f, nil
}

// parseWindow parses start[-end[/period]].
func (f *Fault) parseWindow(s string) error {
	s, period, repeats := strings.Cut(s, "/")
	from, to, bounded := strings.Cut(s, "-")
	var err error
	if f.From, err = parseDur(from); err != nil {
		return err
	}
	if bounded {
		if f.To, err = parseDur(to); err != nil {
			return err
		}
		if f.To <= f.From {
			return fmt.Errorf("window end %s is not after its start %s", f.To, f.From)
		}
	}
	if repeats {
		if !bounded {
			return fmt.Errorf("a repeating window needs an end: start-end/period")
		}
		if f.Period, err = parseDur(period); err != nil {
			return err
		}
		if f.Period < f.To {
			return fmt.Errorf("period %s is shorter than the window end %s", f.Period, f.To)
		}
	}
	return nil
}

func parseDur(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q is not a duration; write it like 5s, 1m30s", s)
	}
	return d, nil
}

// String gives the schedule back in the --sim-faults syntax.
func (s Schedule) String() string {
	parts := make([]string, 0, len(s.faults))
	for _, f := range s.faults {
		p := f.Kind
		if f.Kind == FaultI2CErrors {
			p += "=" + strconv.FormatFloat(f.Rate, 'g', -1, 64)
		}
		if f.From > 0 || f.To > 0 {
			p += "@" + f.From.String()
		}
		if f.To > 0 {
			p += "-" + f.To.String()
		}
		if f.Period > 0 {
			p += "/" + f.Period.String()
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, ",")
}

// active reports whether fault f is on at offset t.
func (f Fault) active(t time.Duration) bool {
	if f.Period > 0 {
		t %= f.Period
	}
	return t >= f.From && (f.To == 0 || t < f.To)
}

// Active reports whether a fault of this kind is on at offset t from the
// board's start, and the highest rate among those that are.
func (s Schedule) Active(kind string, t time.Duration) (bool, float64) {
	on, rate := false, 0.0
	for _, f := range s.faults {
		if f.Kind == kind && f.active(t) {
			on, rate = true, max(rate, f.Rate)
		}
	}
	return on, rate
}

// HangFrom returns the earliest start of a hang of this kind
// (FaultLightHang, FaultMotionHang), or false if there is none.
func (s Schedule) HangFrom(kind string) (time.Duration, bool) {
	best, found := time.Duration(0), false
	for _, f := range s.faults {
		if f.Kind == kind && (!found || f.From < best) {
			best, found = f.From, true
		}
	}
	return best, found
}

// NextChange returns the first offset after t at which a fault of this
// kind switches on or off, or false if none ever does.
func (s Schedule) NextChange(kind string, t time.Duration) (time.Duration, bool) {
	best, found := time.Duration(0), false
	for _, f := range s.faults {
		if f.Kind != kind {
			continue
		}
		if n, ok := f.nextEdge(t); ok && (!found || n < best) {
			best, found = n, true
		}
	}
	return best, found
}

// nextEdge returns the first window boundary after t. A boundary where
// nothing changes (a window that ends as the next begins) may be
// returned; callers re-evaluate Active there.
func (f Fault) nextEdge(t time.Duration) (time.Duration, bool) {
	bases := []time.Duration{0}
	if f.Period > 0 {
		base := t - t%f.Period
		bases = []time.Duration{base, base + f.Period}
	}
	for _, b := range bases {
		if b+f.From > t {
			return b + f.From, true
		}
		if f.To > 0 && b+f.To > t {
			return b + f.To, true
		}
	}
	return 0, false
}

// SimFault is a fault to switch on or off at run time in the simulated
// hardware below the driver. Its numbers are the argument of the
// sim-fault command on the wire (ipc.OpSimFault), listed in the README.
type SimFault int64

const (
	SimUnplug       SimFault = 1 // light: the chip stops answering (NACK)
	SimReplug       SimFault = 2 // light: the chip answers again
	SimBusErrorsOn  SimFault = 3 // light: some I2C transfers fail
	SimBusErrorsOff SimFault = 4
	SimStuckHigh    SimFault = 5 // motion: the PIR output sticks high
	SimRelease      SimFault = 6 // motion: the PIR works again
	// SimHang (either sensor): the role's main loop blocks until the
	// process is stopped (SIGTERM), so it stops pinging its watchdog
	// while the process stays alive; for the daemon's watchdog tests.
	// The board accepts it and does nothing; package sensor blocks.
	SimHang SimFault = 7
)
