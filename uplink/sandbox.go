package uplink

import (
	"context"
	"os"
	"path/filepath"
	"strconv"

	"sensord/control"
	"sensord/sandbox"
)

// systemFiles are what the Go resolver, TLS and machineID read while
// the uplink runs (README.md, "Security: file system"). A rule holds
// the file that is there at the start: a resolv.conf replaced by rename
// later is out of reach until the uplink is started again.
var (
	systemFiles = []string{"/etc/resolv.conf", "/etc/hosts", "/etc/nsswitch.conf", "/etc/gai.conf",
		"/etc/machine-id", "/proc/device-tree/serial-number"}
	// systemCerts are where crypto/x509 looks for the system's CAs on
	// Linux; Debian's are symbolic links into /usr/share/ca-certificates.
	// SSL_CERT_FILE and SSL_CERT_DIR, which it reads instead if set, are
	// added (allowance).
	systemCerts = []string{"/etc/ssl", "/etc/pki", "/usr/share/ca-certificates"}
)

// dnsPort is where the resolver falls back to TCP for a long answer.
const dnsPort = 53

// allowance is what the uplink may reach once restricted: the data
// directory read-only, its own folder in it, its status file and
// textfile's directory read-write; its credentials and the system files
// above read-only (read again at every connection attempt); TCP only
// to the broker's port and DNS.
func allowance(c Config) sandbox.Paths {
	p := sandbox.Paths{
		RODirs:  append(append([]string{c.DataDir}, systemCerts...), nonEmpty(filepath.SplitList(os.Getenv("SSL_CERT_DIR"))...)...),
		RWDirs:  []string{stateDir(c.DataDir)},
		ROFiles: append(nonEmpty(c.PasswordFile, c.CAFile, c.CertFile, c.KeyFile, c.MachineIDFile, os.Getenv("SSL_CERT_FILE")), systemFiles...),
	}
	if c.Control != "" {
		p.RWFiles = []string{filepath.Join(filepath.Dir(c.Control), control.UplinkFile)}
	}
	if c.Textfile != "" {
		// Written by temp file and rename. A folder that is missing gets
		// no rule: the write fails and says so (metrics.WriteTextfile).
		if d := filepath.Dir(c.Textfile); isDir(d) {
			p.RWDirs = append(p.RWDirs, d)
		}
	}
	p.ConnectTCP = []uint16{dnsPort}
	if u, err := brokerURL(c.Broker); err == nil {
		if port, err := strconv.ParseUint(u.Port(), 10, 16); err == nil {
			p.ConnectTCP = append(p.ConnectTCP, uint16(port))
		}
	}
	return p
}

// SandboxedMain is Main for the child the daemon starts (main.go): it
// makes the uplink's folder, confines the process (allowance), then
// runs. Tests call Run, which does not, since Landlock cannot be undone
// in the test process.
func SandboxedMain(ctx context.Context, args []string) error {
	c, err := parseFlags(args)
	if err != nil {
		return err
	}
	log := newLog()
	// Before Restrict: moving an old cursor writes in logger.dir, which
	// is read-only after. Run's own call is then a no-op.
	if err := prepareState(c.DataDir); err != nil {
		return err
	}
	if err := sandbox.Restrict(log, allowance(c)); err != nil {
		return err
	}
	return Run(ctx, c, log)
}

func nonEmpty(paths ...string) []string {
	var out []string
	for _, p := range paths {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}
