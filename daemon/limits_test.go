package daemon

import (
	"testing"
	"time"

	"sensord/daemon/config"
)

func TestCheckLimits(t *testing.T) {
	for _, tc := range []struct {
		interval time.Duration
		board    string
		ok       bool
	}{
		{100 * time.Millisecond, "pi", false},
		{180 * time.Millisecond, "pi", true},
		{5 * time.Millisecond, "sim", true},
		{time.Second, "pi", true},
	} {
		cfg := config.Default()
		cfg.Light.Interval = config.Duration(tc.interval)
		if err := checkLimits(cfg, tc.board); (err == nil) != tc.ok {
			t.Errorf("interval %s on %s: err = %v, want ok %v", tc.interval, tc.board, err, tc.ok)
		}
	}
}
