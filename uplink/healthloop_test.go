package uplink

import (
	"bufio"
	"encoding/json"
	"net"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"sensord/control"
	"sensord/ipc/ipctest"
	"sensord/uplink/mqtttest"
)

// fakeDaemon serves the control socket's status and subscribe requests
// with a status the test changes.
type fakeDaemon struct {
	mu   sync.Mutex
	st   control.Status
	subs []chan control.Status
}

func (d *fakeDaemon) set(st control.Status) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.st = st
	for _, s := range d.subs {
		s <- st
	}
}

func (d *fakeDaemon) serve(t *testing.T) string {
	path := filepath.Join(t.TempDir(), control.SocketName)
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go d.answer(c)
		}
	}()
	return path
}

func (d *fakeDaemon) answer(c net.Conn) {
	defer c.Close()
	line, err := bufio.NewReader(c).ReadBytes('\n')
	if err != nil {
		return
	}
	var req control.Request
	_ = json.Unmarshal(line, &req)
	enc := json.NewEncoder(c)
	d.mu.Lock()
	st := d.st
	var ch chan control.Status
	if req.Cmd == "subscribe" {
		ch = make(chan control.Status, 16)
		d.subs = append(d.subs, ch)
	}
	d.mu.Unlock()
	if enc.Encode(st) != nil || ch == nil {
		return
	}
	for st := range ch {
		if enc.Encode(st) != nil {
			return
		}
	}
}

func childStatus(restarts int) control.Status {
	return control.Status{Children: []control.ChildStatus{{Name: "light", State: control.Running, Restarts: restarts}}}
}

// TestHealthOnChange: a change of the daemon's status (a restart) is on
// <prefix>/health at once, not at the next period.
func TestHealthOnChange(t *testing.T) {
	b := mqtttest.New(t)
	b.Start()
	d := &fakeDaemon{st: childStatus(0)}
	sock := d.serve(t)
	dir := t.TempDir()
	appendRecords(t, dir, 1, 1, 10)
	sub := mqtttest.Subscribe(t, b.URL(), "test-sub", "sensord/test/health")
	start(t, Config{Broker: b.URL(), TopicPrefix: "sensord/test", DiscoveryPrefix: "homeassistant",
		DataDir: dir, Control: sock, HealthInterval: time.Hour, Discovery: true})
	restarts := func() int {
		var h health
		_ = json.Unmarshal([]byte(lastPayload(sub.Messages(), "sensord/test/health")), &h)
		return h.Children["light"].Restarts
	}
	if !ipctest.Poll(60*time.Second, func() bool { return sub.Count("sensord/test/health") > 0 }) {
		t.Fatal("no health on the new session")
	}
	if !ipctest.Poll(60*time.Second, func() bool {
		d.mu.Lock()
		defer d.mu.Unlock()
		return len(d.subs) > 0
	}) {
		t.Fatal("the uplink did not subscribe to the daemon's status")
	}
	d.set(childStatus(1))
	if !ipctest.Poll(60*time.Second, func() bool { return restarts() == 1 }) {
		t.Fatalf("health after a restart: %q (the period is an hour: only the subscription can bring it)",
			lastPayload(sub.Messages(), "sensord/test/health"))
	}
}
