package daemon

import (
	"fmt"
	"time"

	"sensord/daemon/config"
	"sensord/light"
)

// checkLimits refuses settings that the resolved board's drivers would
// refuse at every start, so that no accepted value puts a child in a
// restart loop (DESIGN.md section 8). The configuration check alone cannot
// do it: board.kind = "auto" is resolved here. Found by the VM test:
// light.interval = "100ms" on a real board passed the check, and the
// light child then exited at each start (the BH1750 needs up to 180 ms).
func checkLimits(cfg config.Config, boardKind string) error {
	if err := light.CheckInterval(time.Duration(cfg.Light.Interval), boardKind == "sim"); err != nil {
		return fmt.Errorf("daemon: light.interval: %w", err)
	}
	return nil
}
