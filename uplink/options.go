package uplink

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"time"
)

// Config is what the uplink is started with (the daemon's argv).
type Config struct {
	Broker          string // mqtt://host[:port] or mqtts://host[:port]
	TopicPrefix     string // "" is sensord/<hostname>
	DiscoveryPrefix string
	Username        string
	PasswordFile    string
	CAFile          string
	CertFile        string
	KeyFile         string
	DataDir         string // the logger's directory
	Control         string // the daemon's control socket; "" for no health
	MachineIDFile   string // "" is /etc/machine-id
	HealthInterval  time.Duration
	Textfile        string // Prometheus textfile; "" for none
	Discovery       bool   // publish Home Assistant discovery; false clears it
}

func parseFlags(args []string) (Config, error) {
	var c Config
	fs := flag.NewFlagSet("uplink", flag.ContinueOnError)
	fs.Uint("gen", 0, "generation (set by the daemon)")
	fs.StringVar(&c.Broker, "broker", "", "mqtt://host[:port] or mqtts://host[:port]")
	fs.StringVar(&c.TopicPrefix, "topic-prefix", "", `topic prefix; "" is sensord/<hostname>`)
	fs.StringVar(&c.DiscoveryPrefix, "discovery-prefix", "homeassistant", "Home Assistant discovery prefix")
	fs.StringVar(&c.Username, "username", "", "MQTT user name")
	fs.StringVar(&c.PasswordFile, "password-file", "", "file holding the MQTT password")
	fs.StringVar(&c.CAFile, "ca-file", "", "PEM CA bundle for mqtts")
	fs.StringVar(&c.CertFile, "cert-file", "", "PEM client certificate")
	fs.StringVar(&c.KeyFile, "key-file", "", "PEM client key")
	fs.StringVar(&c.DataDir, "data-dir", "", "the logger's data directory")
	fs.StringVar(&c.Control, "control", "", "the daemon's control socket")
	fs.StringVar(&c.MachineIDFile, "machine-id-file", "", "file with the machine id; empty: /etc/machine-id")
	fs.StringVar(&c.Textfile, "textfile", "", "Prometheus textfile written atomically each health period")
	fs.BoolVar(&c.Discovery, "discovery", true, "publish Home Assistant discovery configs; false clears those published before")
	fs.DurationVar(&c.HealthInterval, "health-interval", 30*time.Second, "period of <prefix>/health and the textfile; a change of the daemon's status publishes at once")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if c.Broker == "" || c.DataDir == "" {
		return c, errors.New("uplink: --broker and --data-dir are required")
	}
	return c, nil
}

// brokerURL parses the broker and adds the default port.
func brokerURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "mqtt" && u.Scheme != "mqtts") || u.Hostname() == "" {
		return nil, fmt.Errorf("uplink: broker %q: write mqtt://host[:port] or mqtts://host[:port]", s)
	}
	if u.Port() == "" {
		port := "1883"
		if u.Scheme == "mqtts" {
			port = "8883"
		}
		u.Host = net.JoinHostPort(u.Hostname(), port)
	}
	return u, nil
}

// password reads the password file, refusing one that others may read.
func password(path string) ([]byte, error) {
	if path == "" {
		return nil, nil
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("uplink: password file: %w", err)
	}
	if fi.Mode().Perm()&0o004 != 0 {
		return nil, fmt.Errorf("uplink: password file %s is readable by others; chmod o-r %s", path, path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("uplink: password file: %w", err)
	}
	return []byte(strings.TrimRight(string(b), "\r\n")), nil
}

// tlsConfig builds the TLS settings of an mqtts broker.
func tlsConfig(c Config, host string) (*tls.Config, error) {
	t := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	if c.CAFile != "" {
		pem, err := os.ReadFile(c.CAFile)
		if err != nil {
			return nil, fmt.Errorf("uplink: ca_file: %w", err)
		}
		t.RootCAs = x509.NewCertPool()
		if !t.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("uplink: ca_file %s holds no PEM certificate", c.CAFile)
		}
	}
	if c.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(c.CertFile, c.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("uplink: cert_file/key_file: %w", err)
		}
		t.Certificates = []tls.Certificate{cert}
	}
	return t, nil
}

// machineID is the stable identity of the appliance: /etc/machine-id,
// else the Pi's serial, else the hostname. It survives a hostname change
// in the first two cases.
func machineID(path string) string {
	for _, p := range []string{path, "/etc/machine-id", "/proc/device-tree/serial-number"} {
		if p == "" {
			continue
		}
		if b, err := os.ReadFile(p); err == nil {
			if s := strings.Trim(strings.TrimSpace(string(b)), "\x00"); s != "" {
				return s
			}
		}
	}
	h, _ := os.Hostname()
	return h
}
