package uplink

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sensord/ipc/ipctest"
	"sensord/uplink/mqtttest"
)

// configTopics are the discovery topics in ms with a non-empty payload.
func configTopics(ms []mqtttest.Message) map[string]bool {
	out := map[string]bool{}
	for _, m := range ms {
		if strings.HasPrefix(m.Topic, "homeassistant/") && strings.HasSuffix(m.Topic, "/config") {
			out[m.Topic] = m.Payload != ""
		}
	}
	return out
}

// TestDiscoveryCleared: with uplink.discovery turned off, every config
// published before is cleared by an empty retained payload, so the
// broker holds none and Home Assistant removes the entities.
func TestDiscoveryCleared(t *testing.T) {
	b := mqtttest.New(t)
	b.Start()
	dir := t.TempDir()
	appendRecords(t, dir, 1, 1, 10)
	c := Config{Broker: b.URL(), TopicPrefix: "sensord/test", DiscoveryPrefix: "homeassistant",
		DataDir: dir, HealthInterval: time.Hour, Discovery: true}
	sub := mqtttest.Subscribe(t, b.URL(), "test-sub", "homeassistant/#")
	want := len(newTopics(c, machineID(c.MachineIDFile)).entities())
	u := start(t, c)
	published := func() bool { return len(configTopics(sub.Messages())) == want && len(loadPublished(dir)) == want }
	if !ipctest.Poll(60*time.Second, published) {
		t.Fatalf("%d discovery configs arrived, want %d", len(configTopics(sub.Messages())), want)
	}
	u.stop()

	c.Discovery = false
	u = start(t, c)
	cleared := func() bool {
		got := configTopics(sub.Messages())
		for _, set := range got {
			if set {
				return false
			}
		}
		return len(got) == want
	}
	if !ipctest.Poll(60*time.Second, cleared) {
		t.Fatalf("configs not all cleared: %v", configTopics(sub.Messages()))
	}
	u.stop()
	if got := loadPublished(dir); len(got) != 0 {
		t.Fatalf("published list after clearing: %v", got)
	}

	// A newcomer gets the retained configs at once on subscribing, before
	// the marker published after it: none must be left.
	late := mqtttest.Subscribe(t, b.URL(), "test-late", "#")
	mqtttest.Publish(t, b.URL(), "test/marker", "x", false)
	if !ipctest.Poll(30*time.Second, func() bool { return late.Count("test/marker") > 0 }) {
		t.Fatal("marker not received")
	}
	for topic, set := range configTopics(late.Messages()) {
		if set {
			t.Errorf("%s still retained", topic)
		}
	}
}

// TestReadyAndWatchdog: the uplink says READY=1 once its files are open,
// even with the broker away, and pings the watchdog from its loop while
// it waits for the broker.
func TestReadyAndWatchdog(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "notify.sock")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	t.Setenv("NOTIFY_SOCKET", sock)
	t.Setenv("WATCHDOG_USEC", "200000")
	os.Unsetenv("WATCHDOG_PID")
	b := mqtttest.New(t) // never started: connection refused
	dir := t.TempDir()
	appendRecords(t, dir, 1, 1, 10)
	start(t, Config{Broker: b.URL(), TopicPrefix: "sensord/test", DiscoveryPrefix: "homeassistant",
		DataDir: dir, HealthInterval: time.Hour, Discovery: true})
	var got []string
	buf := make([]byte, 256)
	for pings := 0; pings < 5; {
		_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
		n, err := conn.Read(buf)
		if err != nil {
			t.Fatalf("after %q: %v", got, err)
		}
		got = append(got, string(buf[:n]))
		if string(buf[:n]) == "WATCHDOG=1" {
			pings++
		}
	}
	if got[0] != "READY=1" {
		t.Fatalf("first datagram %q, want READY=1 (all: %q)", got[0], got)
	}
}

// TestCursorMoved: a cursor where an older release kept it is moved into
// the state folder, so an upgrade sends nothing again.
func TestCursorMoved(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, legacyCursor)
	if err := os.WriteFile(old, []byte(`{"name":"sensord-00000001-20260101T000000Z.jsonl","dev":1,"ino":2,"offset":300}`), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := prepareState(dir); err != nil {
		t.Fatal(err)
	}
	p, ok, err := loadCursor(dir)
	if err != nil || !ok || p.Offset != 300 || p.Ino != 2 {
		t.Fatalf("cursor after the move: %+v %v %v", p, ok, err)
	}
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Fatalf("old cursor still there: %v", err)
	}
	if err := prepareState(dir); err != nil { // again: nothing to move
		t.Fatal(err)
	}
}
