package generator

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"sensord/config"
)

// Unit and DropInName name the file Main writes, under its first
// argument: NORMAL/sensord.service.d/50-sensord-generator.conf.
const (
	Unit       = "sensord.service"
	DropInName = "50-sensord-generator.conf"
)

// What the unit itself already allows; the drop-in adds only the rest.
const (
	unitDataDir    = "/var/lib/sensord" // ReadWritePaths=
	unitRuntimeDir = "/run/sensord"     // RuntimeDirectory=sensord
	unitTTY        = "/dev/tty1"        // DeviceAllow=
)

// Main is `sensord generator [--config FILE] NORMAL [EARLY LATE]`.
// Errors in the configuration are reported on stderr and are not
// errors of Main: the unit then starts without the drop-in.
func Main(_ context.Context, args []string) error {
	fs := flag.NewFlagSet("generator", flag.ContinueOnError)
	cfgPath := fs.String("config", config.DefaultPath, "configuration `file`")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 && fs.NArg() != 3 {
		return errors.New("usage: sensord generator [--config FILE] NORMAL-DIR [EARLY-DIR LATE-DIR]; systemd runs it (systemd.generator(7))")
	}
	c, err := config.Load(*cfgPath, false)
	if err != nil {
		fmt.Fprintf(os.Stderr, "sensord-generator: %v; no drop-in for %s: it starts with the unit's own sandbox (network allowed), and refuses this file\n", err, Unit)
		return nil
	}
	return Write(fs.Arg(0), c, os.Stderr)
}

// Write writes the drop-in for c under dir (the generator's normal
// output directory), atomically; what DropIn leaves out is said on warn.
func Write(dir string, c config.Config, warn io.Writer) error {
	text, skipped := DropIn(c)
	for _, s := range skipped {
		fmt.Fprintf(warn, "sensord-generator: %s\n", s)
	}
	d := filepath.Join(dir, Unit+".d")
	if err := os.MkdirAll(d, 0o755); err != nil {
		return fmt.Errorf("generator: %w", err)
	}
	tmp := filepath.Join(d, "."+DropInName+".tmp")
	if err := os.WriteFile(tmp, []byte(text), 0o644); err != nil {
		return fmt.Errorf("generator: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(d, DropInName)); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("generator: %w", err)
	}
	return nil
}

const header = `# Written by sensord-generator from ` + config.DefaultPath + ` at boot
# and at every systemctl daemon-reload (README.md, "The systemd unit").
# After changing uplink.broker, logger.dir, supervisor.runtime_dir,
# uplink.textfile or gui.tty: systemctl daemon-reload && systemctl restart sensord
[Service]
`

// DropIn is the drop-in's text for c, and a line for each setting it
// had to leave out (a path the unit syntax cannot carry).
func DropIn(c config.Config) (string, []string) {
	d := dropIn{}
	d.b.WriteString(header)
	if c.Uplink.Broker == "" {
		d.b.WriteString(noNetwork)
	} else {
		d.b.WriteString("# uplink.broker is set: the unit's AF_INET/AF_INET6 stays, for the uplink.\n")
		if t := c.Uplink.Textfile; t != "" {
			// "-": a missing directory (node_exporter not installed yet)
			// must not stop the appliance; the uplink says it cannot write.
			d.path("uplink.textfile", "ReadWritePaths", "-", filepath.Dir(filepath.Clean(t)), "")
		}
	}
	d.path("logger.dir", "ReadWritePaths", "", filepath.Clean(c.Logger.Dir), "")
	if rt := filepath.Clean(c.Supervisor.RuntimeDir); rt != unitRuntimeDir {
		if rel, ok := strings.CutPrefix(rt, "/run/"); ok && plainRE.MatchString(rel) {
			fmt.Fprintf(&d.b, "RuntimeDirectory=%s\n", rel)
		} else {
			d.path("supervisor.runtime_dir", "ReadWritePaths", "", rt, "")
		}
	}
	if t := c.GUI.TTY; strings.HasPrefix(t, "/dev/") && filepath.Clean(t) != unitTTY {
		d.path("gui.tty", "DeviceAllow", "", filepath.Clean(t), " rw")
	}
	return d.b.String(), d.skipped
}

// dropIn collects the drop-in's lines and what had to be left out.
type dropIn struct {
	b       strings.Builder
	skipped []string
}

// path adds "directive=prefix+p+suffix" for the value of key, unless
// the unit already allows p or p cannot be written there unquoted.
func (d *dropIn) path(key, directive, prefix, p, suffix string) {
	switch {
	case directive == "ReadWritePaths" && under(p, unitDataDir):
		return // the unit's own ReadWritePaths=
	case !filepath.IsAbs(p) || !plainRE.MatchString(p):
		d.skipped = append(d.skipped, fmt.Sprintf("%s %q: not added to %s= (only absolute paths of letters, digits and /._+-@:,= go there); "+
			"the unit does not let the daemon use it: choose a plainer path", key, p, directive))
		return
	}
	fmt.Fprintf(&d.b, "%s=%s%s%s\n", directive, prefix, p, suffix)
}

// noNetwork takes the network away when there is no uplink: the unit
// allows AF_INET/AF_INET6 only for the uplink's sake. The empty
// assignment resets the unit's list (the lists are merged otherwise).
const noNetwork = `# No uplink.broker: no child needs the network.
PrivateNetwork=yes
RestrictAddressFamilies=
RestrictAddressFamilies=AF_UNIX
IPAddressDeny=any
`

// plainRE is what goes into a unit setting unquoted: no space, quote,
// backslash or % (a specifier).
var plainRE = regexp.MustCompile(`^[A-Za-z0-9._/+@:,=-]+$`)

// under says whether path is dir or inside it.
func under(path, dir string) bool {
	return path == dir || strings.HasPrefix(path, dir+"/")
}
