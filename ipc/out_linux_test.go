package ipc

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// TestSensorOut: samples and status go to both pipes, replies to the
// GUI only, a status equal to the last one is not sent again, and a
// write error other than a drop is logged once.
func TestSensorOut(t *testing.T) {
	gf, gw := newPipe(t, 0)
	lf, lw := newPipe(t, 0)
	var logs bytes.Buffer
	o := NewSensorOut(7, NewWriter(gw), NewWriter(lw), slog.New(slog.NewTextHandler(&logs, nil)))
	now := time.Unix(1795255200, 0)
	o.SetClock(StampsFrom(func() time.Time { return now }))
	o.SetStatus(SensorStatus{Health: HealthOK})
	o.SetStatus(SensorStatus{Health: HealthOK}) // the same: not sent
	o.Both(&LightSample{Lux: 1})
	o.Reply(&Reply{ID: 1, Op: OpInfo, OK: true})
	o.ResendStatus()
	gui, logger := NewReader(gf), NewReader(lf)
	for _, want := range []Type{TypeStatus, TypeLight, TypeReply, TypeStatus} {
		if f, err := gui.Next(); err != nil || f.Type != want || f.Gen != 7 || f.Wall != now.UnixNano() {
			t.Fatalf("gui pipe: %+v, %v; want %s of gen 7", f.Header, err, want)
		}
	}
	for _, want := range []Type{TypeStatus, TypeLight, TypeStatus} {
		if f, err := logger.Next(); err != nil || f.Type != want {
			t.Fatalf("logger pipe: %+v, %v; want %s", f.Header, err, want)
		}
	}

	bad := NewSensorOut(1, NewWriter(-1), NewWriter(-1), slog.New(slog.NewTextHandler(&logs, nil)))
	bad.Both(&LightSample{Lux: 1})
	bad.Both(&LightSample{Lux: 2})
	if n := strings.Count(logs.String(), "writing to a pipe failed"); n != 1 {
		t.Errorf("write error logged %d times; want once:\n%s", n, logs.String())
	}
}

func TestBuildVersion(t *testing.T) {
	if v := BuildVersion(); !strings.HasPrefix(v, "sensord") {
		t.Errorf("BuildVersion() = %q", v)
	}
}
