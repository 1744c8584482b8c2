package board

import (
	"context"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"periph.io/x/conn/v3/gpio"
)

func newTestPIR(t *testing.T, faults string, seed int64) (*SimPIR, *clockwork.FakeClock) {
	t.Helper()
	clk := clockwork.NewFakeClockAt(noon)
	sch, err := ParseFaults(faults)
	if err != nil {
		t.Fatal(err)
	}
	p := NewSimPIR(SimOptions{Clock: clk, Seed: seed, Faults: sch, Start: clk.Now()}, "GPIO17")
	if err := p.In(gpio.PullDown, gpio.BothEdges); err != nil {
		t.Fatal(err)
	}
	return p, clk
}

// pulses samples the pin every 50 ms for d and returns the pulse lengths
// and the number of edges the pin queued.
func pulses(p *SimPIR, clk *clockwork.FakeClock, d time.Duration) (lens []time.Duration, edges int) {
	var since time.Time
	prev := p.Read()
	for end := clk.Now().Add(d); clk.Now().Before(end); {
		clk.Advance(50 * time.Millisecond)
		l := p.Read()
		if l && !prev {
			since = clk.Now()
		}
		if bool(!l && prev) && !since.IsZero() {
			lens = append(lens, clk.Now().Sub(since))
		}
		prev = l
	}
	p.mu.Lock()
	edges = p.pending
	p.mu.Unlock()
	return lens, edges
}

func TestSimPIRPulses(t *testing.T) {
	for seed := int64(1); seed <= 5; seed++ {
		p, clk := newTestPIR(t, "", seed)
		lens, edges := pulses(p, clk, time.Hour)
		t.Logf("seed %d: %d pulses, %d edges, first %v", seed, len(lens), edges, lens[:min(5, len(lens))])
		if len(lens) < 40 || len(lens) > 250 {
			t.Errorf("seed %d: %d pulses in an hour; want about 100", seed, len(lens))
		}
		if edges < 2*len(lens) {
			t.Errorf("seed %d: %d edges queued for %d pulses", seed, edges, len(lens))
		}
		long := 0
		for _, l := range lens {
			if l < PIRHoldMin-50*time.Millisecond || l > PIRMaxPulse+50*time.Millisecond {
				t.Errorf("seed %d: pulse of %s; want %s..%s", seed, l, PIRHoldMin, PIRMaxPulse)
			}
			if l > PIRHoldMax+50*time.Millisecond {
				long++
			}
		}
		if long == 0 {
			t.Errorf("seed %d: no retriggered pulse longer than %s", seed, PIRHoldMax)
		}
	}
}

func TestSimPIRStuck(t *testing.T) {
	for _, tc := range []struct {
		name   string
		faults string
		at     time.Duration // when the pin is stuck
		manual bool
	}{
		{"scheduled", "pir-stuck@1m-2m", time.Minute, false},
		{"run time", "", time.Minute, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, clk := newTestPIR(t, tc.faults, 7)
			clk.Advance(tc.at)
			if tc.manual {
				if err := p.Fault(SimStuckHigh); err != nil {
					t.Fatal(err)
				}
			}
			for range 50 {
				clk.Advance(time.Second)
				if !p.Read() {
					t.Fatalf("pin low at %s while stuck", clk.Since(noon))
				}
			}
			if tc.manual {
				_ = p.Fault(SimRelease)
			} else {
				clk.Advance(10 * time.Second)
			}
			lens, _ := pulses(p, clk, 10*time.Minute)
			if len(lens) == 0 {
				t.Error("the pin never pulsed again after the fault")
			}
		})
	}
}

func TestSimPIRWaitForEdge(t *testing.T) {
	p, clk := newTestPIR(t, "", 3)
	got := make(chan bool)
	go func() { got <- p.WaitForEdge(time.Second) }()
	if err := clk.BlockUntilContext(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Second)
	if <-got {
		t.Fatal("WaitForEdge reported an edge on a quiet pin")
	}

	go func() { got <- p.WaitForEdge(time.Hour) }()
	_ = clk.BlockUntilContext(context.Background(), 1)
	_ = p.Fault(SimStuckHigh)
	if !<-got || !bool(p.Read()) {
		t.Fatal("stuck-high did not wake WaitForEdge with a rising edge")
	}

	go func() { got <- p.WaitForEdge(time.Hour) }()
	_ = clk.BlockUntilContext(context.Background(), 1)
	_ = p.Halt()
	if <-got {
		t.Fatal("Halt: WaitForEdge returned true")
	}
}

func TestSimPIREdgeFilter(t *testing.T) {
	for _, tc := range []struct {
		edge gpio.Edge
		want int
	}{{gpio.BothEdges, 2}, {gpio.RisingEdge, 1}, {gpio.FallingEdge, 1}, {gpio.NoEdge, 0}} {
		p, clk := newTestPIR(t, "pir-stuck@1s-2s", 1)
		_ = p.In(gpio.PullDown, tc.edge)
		p.opt.Seed = 0
		p.nextTrig = noon.Add(time.Hour) // keep the model quiet
		clk.Advance(3 * time.Second)
		p.Read()
		if p.pending != tc.want {
			t.Errorf("edge %s: %d edges queued; want %d", tc.edge, p.pending, tc.want)
		}
	}
}
