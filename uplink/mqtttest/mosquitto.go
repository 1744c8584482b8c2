// Package mqtttest starts a private Mosquitto for tests: on 127.0.0.1,
// on a free port, with its own config file and persistence directory,
// stopped by its pid. It never uses the system's mosquitto service.
package mqtttest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"sensord/ipc/ipctest"
)

// Broker is one private Mosquitto.
type Broker struct {
	t    testing.TB
	dir  string
	Port int
	cmd  *exec.Cmd
	// Extra is appended to the config file (listener options, TLS...).
	Extra string
}

// Binary returns the mosquitto executable, or skips the test; under CI
// (CI=true) a missing broker is a failure.
func Binary(t testing.TB) string {
	for _, p := range []string{"/usr/sbin/mosquitto", "/usr/bin/mosquitto"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("mosquitto"); err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("mosquitto is not installed; run scripts/install-test-deps.sh")
	}
	t.Skip("mosquitto is not installed; run scripts/install-test-deps.sh")
	return ""
}

// New makes a broker on a free port; Start starts it.
func New(t testing.TB) *Broker {
	Binary(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	b := &Broker{t: t, dir: t.TempDir(), Port: port}
	t.Cleanup(b.Stop)
	return b
}

// URL is the broker's mqtt:// address.
func (b *Broker) URL() string { return "mqtt://127.0.0.1:" + strconv.Itoa(b.Port) }

// Start starts Mosquitto and waits until it accepts connections.
func (b *Broker) Start() {
	b.t.Helper()
	conf := filepath.Join(b.dir, "mosquitto.conf")
	// max_queued_messages 10000000: no practical limit on QoS 1 messages queued for a slow
	// subscriber. Mosquitto's default (1000) drops the rest silently
	// during a fast backfill, which a consumer of samples/ must avoid too.
	text := fmt.Sprintf("listener %d 127.0.0.1\npersistence true\npersistence_location %s/\nlog_dest stderr\nlog_type error\nmax_queued_messages 10000000\n", b.Port, b.dir)
	if os.Geteuid() == 0 {
		// Mosquitto started as root drops to user mosquitto, which cannot
		// read the test's private directory.
		text += "user root\n"
	}
	if b.Extra == "" {
		text += "allow_anonymous true\n"
	}
	if err := os.WriteFile(conf, []byte(text+b.Extra), 0o600); err != nil {
		b.t.Fatal(err)
	}
	b.cmd = exec.Command(Binary(b.t), "-c", conf)
	b.cmd.Stderr = os.Stderr
	if err := b.cmd.Start(); err != nil {
		b.t.Fatalf("mqtttest: mosquitto: %v", err)
	}
	ok := ipctest.Poll(10*time.Second, func() bool {
		c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(b.Port))
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	if !ok {
		b.t.Fatalf("mqtttest: mosquitto not listening on 127.0.0.1:%d", b.Port)
	}
}

// Stop stops Mosquitto (SIGTERM to its pid, so it saves its sessions).
func (b *Broker) Stop() {
	if b.cmd == nil {
		return
	}
	_ = b.cmd.Process.Signal(syscall.SIGTERM)
	_ = b.cmd.Wait()
	b.cmd = nil
}

// Dir is the broker's private directory (for certificates, passwords).
func (b *Broker) Dir() string { return b.dir }
