package uplink

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"sensord/ipc/ipctest"
	"sensord/uplink/mqtttest"
)

func baseConfig(b *mqtttest.Broker, dir string) Config {
	return Config{Broker: b.URL(), TopicPrefix: "sensord/test", DiscoveryPrefix: "homeassistant", Discovery: true,
		DataDir: dir, HealthInterval: time.Hour}
}

// waitLog waits until s appears n times in the uplink's log.
func waitLog(t *testing.T, u *started, s string, n int) {
	t.Helper()
	if !ipctest.Poll(90*time.Second, func() bool { return u.log.count(s) >= n }) {
		t.Fatalf("log never said %q %d times", s, n)
	}
}

func TestBrokerDownAtStart(t *testing.T) {
	b := mqtttest.New(t)
	dir := t.TempDir()
	appendRecords(t, dir, 1, 1, 50)
	u := start(t, baseConfig(b, dir))
	waitLog(t, u, "connection refused; is Mosquitto running?; retrying in", 2)
	select {
	case err := <-u.done:
		t.Fatalf("uplink gave up: %v", err)
	default:
	}
	b.Start()
	sub := mqtttest.Subscribe(t, b.URL(), "test-sub", "#")
	waitAll(t, sub, "sensord/test", 50, 5)
}

func TestWrongPasswordThenFixed(t *testing.T) {
	b := mqtttest.New(t)
	users := filepath.Join(b.Dir(), "users")
	if err := os.WriteFile(users, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mosquitto_passwd", "-b", users, "pi", "right").CombinedOutput(); err != nil {
		t.Fatalf("mosquitto_passwd: %v %s", err, out)
	}
	b.Extra = "allow_anonymous false\npassword_file " + users + "\n"
	b.Start()
	dir := t.TempDir()
	appendRecords(t, dir, 1, 1, 50)
	pw := filepath.Join(t.TempDir(), "password")
	if err := os.WriteFile(pw, []byte("wrong\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	c := baseConfig(b, dir)
	c.Username, c.PasswordFile = "pi", pw
	u := start(t, c)
	waitLog(t, u, "check uplink.username and uplink.password_file; retrying in", 2)
	if err := os.WriteFile(pw, []byte("right\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	b.Extra = "allow_anonymous true\n"
	b.Stop() // the subscriber connects anonymously to the same broker
	b.Extra = "allow_anonymous true\npassword_file " + users + "\n"
	b.Start()
	sub := mqtttest.Subscribe(t, b.URL(), "test-sub", "#")
	waitAll(t, sub, "sensord/test", 50, 5)
}

func TestPasswordReadableByOthers(t *testing.T) {
	pw := filepath.Join(t.TempDir(), "password")
	if err := os.WriteFile(pw, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := password(pw); err == nil || !strings.Contains(err.Error(), "chmod o-r") {
		t.Fatalf("password readable by others: %v", err)
	}
}

// TestTLS: a CA made with openssl signs the broker's certificate for
// 127.0.0.1. Without the CA the uplink says what to check and retries;
// with it the samples arrive.
func TestTLS(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed")
	}
	b := mqtttest.New(t)
	d := b.Dir()
	run := func(args ...string) {
		if out, err := exec.Command("openssl", args...).CombinedOutput(); err != nil {
			t.Fatalf("openssl %v: %v\n%s", args, err, out)
		}
	}
	run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=sensord test CA",
		"-keyout", d+"/ca.key", "-out", d+"/ca.pem")
	run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", d+"/srv.key", "-out", d+"/srv.csr")
	if err := os.WriteFile(d+"/ext", []byte("subjectAltName=IP:127.0.0.1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	run("x509", "-req", "-in", d+"/srv.csr", "-CA", d+"/ca.pem", "-CAkey", d+"/ca.key", "-CAcreateserial",
		"-days", "1", "-extfile", d+"/ext", "-out", d+"/srv.pem")
	// A second, plain listener for the test's subscriber.
	tlsPort := b.Port
	plain := mqtttest.New(t)
	b.Port = plain.Port
	b.Extra = "allow_anonymous true\nlistener " + itoa(tlsPort) + " 127.0.0.1\ncafile " + d + "/ca.pem\ncertfile " +
		d + "/srv.pem\nkeyfile " + d + "/srv.key\n"
	b.Start()
	dir := t.TempDir()
	appendRecords(t, dir, 1, 1, 50)
	c := baseConfig(b, dir)
	c.Broker = "mqtts://127.0.0.1:" + itoa(tlsPort)
	u := start(t, c)
	waitLog(t, u, "check uplink.ca_file", 1)
	u.stop()
	sub := mqtttest.Subscribe(t, b.URL(), "test-sub", "#")
	c.CAFile = d + "/ca.pem"
	start(t, c)
	waitAll(t, sub, "sensord/test", 50, 5)
}

func TestHomeAssistantOnlineResends(t *testing.T) {
	b := mqtttest.New(t)
	b.Start()
	dir := t.TempDir()
	appendRecords(t, dir, 1, 1, 20)
	sub := mqtttest.Subscribe(t, b.URL(), "test-sub", "#")
	start(t, baseConfig(b, dir))
	waitAll(t, sub, "sensord/test", 20, 2)
	cfgTopic := "homeassistant/sensor/sensord_" + machineID("") + "/illuminance/config"
	n, states := sub.Count(cfgTopic), sub.Count("sensord/test/light/state")
	if n == 0 {
		t.Fatalf("no %s", cfgTopic)
	}
	mqtttest.Publish(t, b.URL(), "homeassistant/status", "online", false)
	if !ipctest.Poll(30*time.Second, func() bool {
		return sub.Count(cfgTopic) > n && sub.Count("sensord/test/light/state") > states
	}) {
		t.Fatal("configs and states not sent again after homeassistant/status online")
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
