package uplink

import "testing"

func TestSampleSource(t *testing.T) {
	for line, want := range map[string]string{
		`{"src":"light","gen":1,"seq":5,"t":"2026-01-01T00:00:00Z","lux":312.5}`:                  "light",
		`{"src":"motion","gen":2,"seq":9,"t":"2026-01-01T00:00:00Z","motion":true,"since":"x"}`:   "motion",
		`{"src":"light","gen":1,"t":"2026-01-01T00:00:00Z","status":"offline","reason":"no bus"}`: "",
		`{"src":"light","gen":1,"t":"x","status":"ok","reason":"\",\"seq\":1,\"lux\":2"}`:         "",
		`{"src":"light","gen":1,"t":"x","drop":{"frames":1,"samples":2,"first":3,"last":4}}`:      "",
		`{"src":"light","gen":1,"seq":5,"t":"2026-01-01T00:00:00Z","lux":31`:                      "",
		`{"src":"motion","gen":1,"seq":5,"t":"2026-01-01T00:00:00Z","lux":3}`:                     "",
		`{"src":"other","gen":1,"seq":5,"lux":3}`:                                                 "",
		`not json`: "",
	} {
		if got := sampleSource([]byte(line)); got != want {
			t.Errorf("%s: %q, want %q", line, got, want)
		}
	}
}
