package board

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/pin"
)

// PIR timing of the simulation, after an HC-SR501 with its hold time
// near the minimum: a person passes every MeanGap on average, the output
// stays high Hold after the last trigger, and movement while it is high
// retriggers it (extends the pulse). A pulse never lasts longer than
// MaxPulse, so a pulse longer than that is a fault.
const (
	PIRMeanGap  = 25 * time.Second
	PIRHoldMin  = 2500 * time.Millisecond
	PIRHoldMax  = 5 * time.Second
	PIRRetrig   = 0.5 // chance that a trigger is followed by another within the pulse
	PIRMaxPulse = 20 * time.Second
)

// SimPIR is a gpio.PinIn whose level is a PIR sensor's output. Edges are
// queued like the kernel's line event queue and taken one per
// WaitForEdge. Stuck-high faults come from the schedule and from Fault.
type SimPIR struct {
	name string
	opt  SimOptions

	mu        sync.Mutex
	rng       *rand.Rand
	edge      gpio.Edge
	model     bool       // the sensor's own output
	pulseFrom time.Time  // when the current pulse began
	holdUntil time.Time  // when a pulse ends unless retriggered
	nextTrig  time.Time  // next trigger of the model
	at        time.Time  // the model has been advanced up to here
	stuck     bool       // switched by Fault
	level     gpio.Level // the output as seen on the pin
	pending   int        // edges not yet taken by WaitForEdge
	changed   chan struct{}
	halts     int
}

var _ gpio.PinIn = &SimPIR{}

// NewSimPIR returns a simulated PIR output, low, with the first trigger
// some seconds away.
func NewSimPIR(opt SimOptions, name string) *SimPIR {
	p := &SimPIR{
		name: name, opt: opt, changed: make(chan struct{}),
		rng: rand.New(rand.NewPCG(uint64(opt.Seed), 0x501)),
		at:  opt.Start,
	}
	p.nextTrig = opt.Start.Add(p.gap())
	p.level = p.effective(opt.Start)
	return p
}

func (p *SimPIR) gap() time.Duration {
	return time.Duration(p.rng.ExpFloat64() * float64(PIRMeanGap))
}

func (p *SimPIR) hold() time.Duration {
	return PIRHoldMin + time.Duration(p.rng.Int64N(int64(PIRHoldMax-PIRHoldMin)))
}

// advance runs the model and the fault schedule up to now, counting the
// edges the pin shows.
func (p *SimPIR) advance(now time.Time) {
	for {
		t := p.nextEvent()
		if t.After(now) {
			break
		}
		p.at = t
		p.step(t)
		p.observe(t)
	}
	p.at = now
}

// nextEvent is the next time the model or the schedule changes.
func (p *SimPIR) nextEvent() time.Time {
	t := p.nextTrig
	if p.model && p.holdUntil.Before(t) {
		t = p.holdUntil
	}
	if off, ok := p.opt.Faults.NextChange(FaultPIRStuck, p.at.Sub(p.opt.Start)); ok {
		if s := p.opt.Start.Add(off); s.Before(t) {
			t = s
		}
	}
	return t
}

// step applies the model's events at t.
func (p *SimPIR) step(t time.Time) {
	switch {
	case !t.Before(p.nextTrig):
		if !p.model {
			p.model, p.pulseFrom = true, t
		}
		p.holdUntil = t.Add(p.hold())
		if limit := p.pulseFrom.Add(PIRMaxPulse); p.holdUntil.After(limit) {
			p.holdUntil = limit
		}
		if p.rng.Float64() < PIRRetrig {
			p.nextTrig = t.Add(time.Duration(p.rng.Int64N(int64(PIRHoldMin))) + time.Second)
		} else {
			p.nextTrig = p.holdUntil.Add(p.gap() + time.Second)
		}
	case p.model && !t.Before(p.holdUntil):
		p.model = false
		if !p.nextTrig.After(t) {
			p.nextTrig = t.Add(p.gap() + time.Second)
		}
	}
}

func (p *SimPIR) effective(t time.Time) gpio.Level {
	sched, _ := p.opt.Faults.Active(FaultPIRStuck, t.Sub(p.opt.Start))
	return gpio.Level(p.model || p.stuck || sched)
}

// observe counts an edge if the pin's level changed in a way In asked for.
func (p *SimPIR) observe(t time.Time) {
	l := p.effective(t)
	if l == p.level {
		return
	}
	p.level = l
	if p.edge == gpio.BothEdges || p.edge == gpio.RisingEdge && l || p.edge == gpio.FallingEdge && !l {
		p.pending++
	}
	p.wake()
}

// wake tells waiters that something changed.
func (p *SimPIR) wake() {
	close(p.changed)
	p.changed = make(chan struct{})
}

// WaitForEdge implements gpio.PinIn. It waits up to timeout on the
// injected clock (a timeout of 0 or less waits for good) and returns
// false on timeout and when Halt interrupts it.
func (p *SimPIR) WaitForEdge(timeout time.Duration) bool {
	clk := p.opt.Clock
	deadline := clk.Now().Add(timeout)
	p.mu.Lock()
	halts := p.halts
	for {
		now := clk.Now()
		p.advance(now)
		switch {
		case p.pending > 0:
			p.pending--
			p.mu.Unlock()
			return true
		case p.halts != halts, p.edge == gpio.NoEdge, timeout > 0 && !now.Before(deadline):
			p.mu.Unlock()
			return false
		}
		wait := p.nextEvent().Sub(now)
		if timeout > 0 {
			wait = min(wait, deadline.Sub(now))
		}
		changed := p.changed
		p.mu.Unlock()
		tm := clk.NewTimer(wait)
		select {
		case <-tm.Chan():
		case <-changed:
		}
		tm.Stop()
		p.mu.Lock()
	}
}

// Halt implements conn.Resource: it interrupts a WaitForEdge in progress.
func (p *SimPIR) Halt() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.halts++
	p.wake()
	return nil
}

// In implements gpio.PinIn. Pulls make no difference: a PIR drives its
// output. Edges queued before the call are dropped, as the kernel does
// when a line is reconfigured.
func (p *SimPIR) In(pull gpio.Pull, edge gpio.Edge) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.advance(p.opt.Clock.Now())
	p.edge, p.pending = edge, 0
	return nil
}

// Read implements gpio.PinIn.
func (p *SimPIR) Read() gpio.Level {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.advance(p.opt.Clock.Now())
	return p.level
}

// Fault switches the stuck-high fault on (SimStuckHigh) or off
// (SimRelease); it adds to the schedule.
func (p *SimPIR) Fault(f SimFault) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.opt.Clock.Now()
	p.advance(now)
	switch f {
	case SimStuckHigh:
		p.stuck = true
	case SimRelease:
		p.stuck = false
	default:
		return fmt.Errorf("board: fault %d is not a PIR fault", f)
	}
	p.observe(now)
	return nil
}

func (p *SimPIR) String() string             { return "sim-" + p.name }
func (p *SimPIR) Name() string               { return p.name }
func (p *SimPIR) Number() int                { return -1 }
func (p *SimPIR) Function() string           { return string(p.Func()) }
func (p *SimPIR) Func() pin.Func             { return gpio.IN }
func (p *SimPIR) SupportedFuncs() []pin.Func { return []pin.Func{gpio.IN} }
func (p *SimPIR) Pull() gpio.Pull            { return gpio.PullNoChange }
func (p *SimPIR) DefaultPull() gpio.Pull     { return gpio.PullNoChange }
func (p *SimPIR) SetFunc(f pin.Func) error   { return errors.New("board: a simulated PIR is input only") }
