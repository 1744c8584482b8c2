package uplink

import (
	"context"
	"encoding/json"
	"fmt"

	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"sensord/ipc/ipctest"
	"sensord/uplink/mqtttest"
)

// outage is how long the broker stays away in TestOutage: 10 s by
// default to keep the suite short; SENSORD_UPLINK_OUTAGE=60s runs the
// issue's full minute.
func outage(t *testing.T) time.Duration {
	if s := os.Getenv("SENSORD_UPLINK_OUTAGE"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			t.Fatalf("SENSORD_UPLINK_OUTAGE=%q: %v", s, err)
		}
		return d
	}
	return 10 * time.Second
}

// appendRecords writes light records seq from..to (and a motion record
// every 10th) to data file index, as the logger writes them.
func appendRecords(t testing.TB, dir string, index, from, to int) {
	t.Helper()
	name := filepath.Join(dir, fmt.Sprintf("sensord-%08d-20260101T000000Z.jsonl", index))
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var b strings.Builder
	for s := from; s <= to; s++ {
		ts := time.Now().UTC().Format(time.RFC3339Nano)
		fmt.Fprintf(&b, `{"src":"light","gen":1,"seq":%d,"t":"%s","lux":%d.5}`+"\n", s, ts, s)
		if s%10 == 0 {
			fmt.Fprintf(&b, `{"src":"motion","gen":1,"seq":%d,"t":"%s","motion":%v}`+"\n", s/10, ts, s%20 == 0)
		}
	}
	if _, err := f.WriteString(b.String()); err != nil {
		t.Fatal(err)
	}
}

type started struct {
	cancel context.CancelFunc
	done   chan error
	log    *logBuffer
}

// logBuffer keeps the uplink's log lines for the test to look at.
type logBuffer struct {
	t  testing.TB
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.t.Log(strings.TrimSpace(string(b)))
	return l.b.Write(b)
}

func (l *logBuffer) count(s string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Count(l.b.String(), s)
}

func start(t testing.TB, c Config) *started {
	ctx, cancel := context.WithCancel(context.Background())
	s := &started{cancel, make(chan error, 1), &logBuffer{t: t}}
	log := slog.New(slog.NewTextHandler(s.log, nil))
	go func() { s.done <- Run(ctx, c, log) }()
	t.Cleanup(s.stop)
	return s
}

func (s *started) stop() {
	if s.cancel != nil {
		s.cancel()
		<-s.done
		s.cancel = nil
	}
}

// seqs returns, per source, the seqs received on samples/<src> in
// arrival order.
func seqs(msgs []mqtttest.Message, prefix string) map[string][]uint64 {
	out := map[string][]uint64{}
	for _, m := range msgs {
		src, ok := strings.CutPrefix(m.Topic, prefix+"/samples/")
		if !ok {
			continue
		}
		var r struct{ Seq uint64 }
		_ = json.Unmarshal([]byte(m.Payload), &r)
		out[src] = append(out[src], r.Seq)
	}
	return out
}

// complete checks that every seq 1..n arrived, first arrivals in order;
// it returns the duplicates.
func complete(got []uint64, n uint64) (ok bool, dups int, err error) {
	seen := map[uint64]bool{}
	var last uint64
	for _, s := range got {
		if seen[s] {
			dups++
			continue
		}
		if s != last+1 {
			return false, dups, fmt.Errorf("seq %d arrived after %d: out of order or missing", s, last)
		}
		seen[s], last = true, s
	}
	return last == n, dups, nil
}

func waitAll(t testing.TB, sub *mqtttest.Subscriber, prefix string, light, motion uint64) {
	t.Helper()
	var why string
	ok := ipctest.Poll(120*time.Second, func() bool {
		got := seqs(sub.Messages(), prefix)
		l, _, err1 := complete(got["light"], light)
		m, _, err2 := complete(got["motion"], motion)
		if err1 != nil || err2 != nil {
			why = fmt.Sprint(err1, err2)
			return true
		}
		why = fmt.Sprintf("light %d of %d, motion %d of %d", len(got["light"]), light, len(got["motion"]), motion)
		return l && m
	})
	if !ok || strings.Contains(why, "order") {
		t.Fatalf("samples: %s", why)
	}
}

func TestDeliveryOutageAndDiscovery(t *testing.T) {
	b := mqtttest.New(t)
	b.Start()
	dir := t.TempDir()
	const prefix = "sensord/test"
	sub := mqtttest.Subscribe(t, b.URL(), "test-sub", "#")
	appendRecords(t, dir, 1, 1, 200)
	u := start(t, Config{Broker: b.URL(), TopicPrefix: prefix, DiscoveryPrefix: "homeassistant", Discovery: true,
		DataDir: dir, HealthInterval: time.Second})
	waitAll(t, sub, prefix, 200, 20)
	checkDiscovery(t, sub.Messages(), prefix)

	b.Stop()
	appendRecords(t, dir, 1, 201, 400)
	appendRecords(t, dir, 2, 401, 600) // rotated while the broker is away
	time.Sleep(outage(t))              // the outage itself, not a wait for a condition
	appendRecords(t, dir, 2, 601, 700)
	b.Start()
	waitAll(t, sub, prefix, 700, 70)
	_, dups, _ := complete(seqs(sub.Messages(), prefix)["light"], 700)
	t.Logf("outage %s: all 700 light and 70 motion records arrived in order, %d duplicates", outage(t), dups)

	u.stop()
	ok := ipctest.Poll(10*time.Second, func() bool {
		ms := sub.Messages()
		for i := len(ms) - 1; i >= 0; i-- {
			if ms[i].Topic == prefix+"/status" {
				return ms[i].Payload == "offline"
			}
		}
		return false
	})
	if !ok {
		t.Fatal("no offline on a clean stop")
	}
}

func checkDiscovery(t *testing.T, ms []mqtttest.Message, prefix string) {
	t.Helper()
	var lux map[string]any
	var states, online int
	for _, m := range ms {
		switch {
		case strings.HasSuffix(m.Topic, "/illuminance/config"):
			_ = json.Unmarshal([]byte(m.Payload), &lux)
		case m.Topic == prefix+"/light/state" || m.Topic == prefix+"/motion/state":
			states++
		case m.Topic == prefix+"/status" && m.Payload == "online":
			online++
		}
	}
	if lux == nil || lux["device_class"] != "illuminance" || lux["unit_of_measurement"] != "lx" ||
		lux["state_class"] != "measurement" || lux["availability_topic"] != prefix+"/status" {
		t.Fatalf("illuminance config: %v", lux)
	}
	dev, _ := lux["device"].(map[string]any)
	if dev == nil || dev["name"] == nil || lux["origin"] == nil || !strings.HasPrefix(lux["unique_id"].(string), "sensord_") {
		t.Fatalf("illuminance config lacks device name, origin or unique_id: %v", lux)
	}
	if states == 0 || online == 0 {
		t.Fatalf("states %d, online %d", states, online)
	}
}
