package control

import (
	"encoding/json"
	"os"
	"path/filepath"
	"time"
)

// UplinkFile is the uplink's own status, written by the uplink in the
// runtime directory (temp file and rename) on every connection change
// and every health period, and read by the dashboard. It exists only
// while a broker is configured.
const UplinkFile = "uplink.json"

// UplinkStatus is the content of UplinkFile.
type UplinkStatus struct {
	At             time.Time `json:"at"`
	Connected      bool      `json:"connected"`
	Error          string    `json:"error,omitempty"` // why not connected
	Broker         string    `json:"broker"`
	BacklogRecords int64     `json:"backlog_records"` // estimate
	BacklogBytes   int64     `json:"backlog_bytes"`
	LastAck        time.Time `json:"last_ack"` // zero before the first
}

// ReadUplink reads UplinkFile in runtime directory dir; nil if absent.
func ReadUplink(dir string) *UplinkStatus {
	b, err := os.ReadFile(filepath.Join(dir, UplinkFile))
	if err != nil {
		return nil
	}
	var u UplinkStatus
	if json.Unmarshal(b, &u) != nil {
		return nil
	}
	return &u
}
