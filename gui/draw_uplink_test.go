package gui

import (
	"strings"
	"testing"
	"time"

	"sensord/control"
)

func TestUplinkLine(t *testing.T) {
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		u    control.UplinkStatus
		want string
	}{
		{control.UplinkStatus{Connected: true, BacklogRecords: 0, LastAck: now.Add(-2 * time.Second)}, "mqtt ok, backlog 0, ack "},
		{control.UplinkStatus{Error: "uplink: broker 10.0.0.5:1883: connection refused; is Mosquitto running?; retrying in 8s", BacklogRecords: 1200},
			"mqtt down: broker 10.0.0.5:1883: connection refused; is Mosquitto running?; retrying in 8s, backlog 1200, no ack yet"},
		{control.UplinkStatus{}, "mqtt down: connecting, backlog 0, no ack yet"},
	} {
		got, _ := uplinkLine(&tc.u, now)
		if !strings.HasPrefix(got, tc.want) {
			t.Errorf("uplinkLine(%+v) = %q, want %q...", tc.u, got, tc.want)
		}
	}
}
