package board

import (
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
)

func TestParseFaults(t *testing.T) {
	for _, tc := range []struct {
		in, out, err string
	}{
		{in: "", out: ""},
		{in: "light-unplug@5s-15s,pir-stuck@20s-30s,i2c-errors=0.1",
			out: "light-unplug@5s-15s,pir-stuck@20s-30s,i2c-errors=0.1"},
		{in: "i2c-errors", out: "i2c-errors=0.1"},
		{in: " pir-stuck@1m ", out: "pir-stuck@1m0s"},
		{in: "light-unplug@50s-1m/5m", out: "light-unplug@50s-1m0s/5m0s"},
		{in: "i2c-errors=0.5@1s-2s", out: "i2c-errors=0.5@1s-2s"},
		{in: "motion-hang@5s,light-hang", out: "motion-hang@5s,light-hang"},
		{in: "fire@1s", err: `unknown fault "fire"`},
		{in: "light-hang@5s-6s", err: "takes only a start"},
		{in: "motion-hang=0.1", err: "takes only a start"},
		{in: "light-unplug=0.3", err: "takes no rate"},
		{in: "i2c-errors=2", err: "from 0 to 1"},
		{in: "pir-stuck@10s-5s", err: "not after its start"},
		{in: "pir-stuck@5x", err: "not a duration"},
		{in: "pir-stuck@5s/1m", err: "needs an end"},
		{in: "pir-stuck@5s-2m/1m", err: "shorter than the window end"},
	} {
		s, err := ParseFaults(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.HasPrefix(err.Error(), "board: ") {
				t.Errorf("ParseFaults(%q) = %v; want error containing %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || s.String() != tc.out {
			t.Errorf("ParseFaults(%q) = %q, %v; want %q", tc.in, s, err, tc.out)
		}
	}
}

// TestHangAt: a hang scheduled for a role is at the board's start plus
// its offset, the earliest if several; none for the other role, none on
// real hardware.
func TestHangAt(t *testing.T) {
	start := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	b, err := Open(Config{Kind: "sim", Seed: 1, Faults: "light-hang@9s,light-hang@5s", Clock: clockwork.NewFakeClockAt(start)})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if at, ok := b.HangAt("light"); !ok || !at.Equal(start.Add(5*time.Second)) {
		t.Errorf("light hangs at %v, %v; want 5 s after start", at, ok)
	}
	if _, ok := b.HangAt("motion"); ok {
		t.Error("motion hangs; none scheduled")
	}
	pi := &Board{kind: "pi"}
	if _, ok := pi.HangAt("light"); ok {
		t.Error("a hang on real hardware")
	}
}

func TestScheduleActive(t *testing.T) {
	s, err := ParseFaults("light-unplug@5s-15s,light-unplug@1m-2m/10m,i2c-errors=0.2@3s,i2c-errors=0.7@4s-5s")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		kind string
		at   time.Duration
		on   bool
		rate float64
	}{
		{FaultLightUnplug, 0, false, 0},
		{FaultLightUnplug, 5 * time.Second, true, 0},
		{FaultLightUnplug, 15 * time.Second, false, 0},
		{FaultLightUnplug, 90 * time.Second, true, 0},
		{FaultLightUnplug, 10*time.Minute + 90*time.Second, true, 0},
		{FaultLightUnplug, 10*time.Minute + 130*time.Second, false, 0},
		{FaultI2CErrors, 2 * time.Second, false, 0},
		{FaultI2CErrors, 3 * time.Second, true, 0.2},
		{FaultI2CErrors, 4500 * time.Millisecond, true, 0.7},
		{FaultI2CErrors, time.Hour, true, 0.2},
		{FaultPIRStuck, time.Hour, false, 0},
	} {
		on, rate := s.Active(tc.kind, tc.at)
		if on != tc.on || rate != tc.rate {
			t.Errorf("Active(%s, %s) = %v, %v; want %v, %v", tc.kind, tc.at, on, rate, tc.on, tc.rate)
		}
	}
}

func TestScheduleNextChange(t *testing.T) {
	s, _ := ParseFaults("pir-stuck@5s-15s,pir-stuck@1m-2m/10m")
	for _, tc := range []struct {
		at, next time.Duration
		ok       bool
	}{
		{0, 5 * time.Second, true},
		{5 * time.Second, 15 * time.Second, true},
		{15 * time.Second, time.Minute, true},
		{2 * time.Minute, 11 * time.Minute, true},
		{11 * time.Minute, 12 * time.Minute, true},
	} {
		next, ok := s.NextChange(FaultPIRStuck, tc.at)
		if next != tc.next || ok != tc.ok {
			t.Errorf("NextChange(%s) = %s, %v; want %s, %v", tc.at, next, ok, tc.next, tc.ok)
		}
	}
	if _, ok := s.NextChange(FaultLightUnplug, 0); ok {
		t.Error("NextChange of a kind not in the schedule reported a change")
	}
}
