package uplink

import (
	"encoding/json"
	"os"
	"path/filepath"
	"time"

	"sensord/control"
)

// writeStatus writes the dashboard's view of the uplink next to the
// control socket (control.UplinkFile), if the daemon made that file. Callers are autopaho's callbacks
// and the health loop; statusMu keeps the writes whole.
func (u *uplink) writeStatus() {
	if u.c.Control == "" {
		return
	}
	u.statusMu.Lock()
	defer u.statusMu.Unlock()
	f := u.figures()
	s := control.UplinkStatus{At: time.Now().UTC(), Connected: f.Connected, Error: f.Error, Broker: u.l.host,
		BacklogRecords: f.BacklogRecords, BacklogBytes: f.BacklogBytes}
	if a := u.lastAck.Load(); a != 0 {
		s.LastAck = time.Unix(0, a).UTC()
	}
	b, _ := json.Marshal(s)
	// The daemon made the file (the uplink cannot create files in the
	// runtime directory when run as root); one short write, so a reader
	// sees the old content, the new, or (rarely) a torn one it skips.
	out, err := os.OpenFile(filepath.Join(filepath.Dir(u.c.Control), control.UplinkFile), os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return
	}
	_, _ = out.Write(b)
	out.Close()
}
