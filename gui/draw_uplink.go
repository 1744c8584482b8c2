package gui

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/gdamore/tcell/v2"

	"sensord/control"
)

// uplinkStatus reads the uplink's status file beside the control socket
// when the daemon runs an uplink. The daemon's status says whether the
// process runs; only the uplink knows whether the broker answers, so it
// writes that to a file rather than the daemon asking it.
func uplinkStatus(s *control.Status, c control.Client) *control.UplinkStatus {
	if s == nil || s.Child("uplink") == nil || c.Path == "" {
		return nil
	}
	return control.ReadUplink(filepath.Dir(c.Path))
}

// uplinkLine is the uplink's row text in the process table, in place of
// its last exit: connected or why not, backlog, age of the last ack.
func uplinkLine(u *control.UplinkStatus, now time.Time) (string, tcell.Style) {
	ack := "no ack yet"
	if !u.LastAck.IsZero() {
		ack = "ack " + fmtAgo(now.Sub(u.LastAck)) + " ago"
	}
	backlog := fmt.Sprintf("backlog %d", u.BacklogRecords)
	if u.Connected {
		return strings.Join([]string{"mqtt ok", backlog, ack}, ", "), stPlain
	}
	why := strings.TrimPrefix(u.Error, "uplink: ")
	if why == "" {
		why = "connecting"
	}
	return strings.Join([]string{"mqtt down: " + why, backlog, ack}, ", "), stWarn
}
