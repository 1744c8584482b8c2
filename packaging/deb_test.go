package packaging

import (
	"bytes"
	"debug/buildinfo"
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The package's files besides directories, with owner and mode as
// dpkg-deb -c shows them.
var wantFiles = map[string]string{
	"./usr/bin/sensord":                                 "-rwxr-xr-x root/root",
	"./lib/systemd/system/sensord.service":              "-rw-r--r-- root/root",
	"./lib/systemd/system-generators/sensord-generator": "-rwxr-xr-x root/root",
	"./lib/udev/rules.d/60-sensord.rules":               "-rw-r--r-- root/root",
	"./usr/lib/modules-load.d/sensord.conf":             "-rw-r--r-- root/root",
	"./etc/sensord/sensord.toml":                        "-rw-r--r-- root/root",
	"./etc/init.d/sensord":                              "-rwxr-xr-x root/root",
	"./usr/share/doc/sensord/copyright":                 "-rw-r--r-- root/root",
}

const testVersion = "1.2.3+test"

// TestDeb builds both packages with `make deb` and inspects them with
// dpkg-deb: files, owners, modes, control fields, conffiles, maintainer
// scripts, and the binary (static, stripped, right architecture, GOARM,
// version injected, size).
func TestDeb(t *testing.T) {
	for _, tool := range []string{"dpkg-deb", "make"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (apt-get install dpkg make); not building the .deb", tool)
		}
	}
	if testing.Short() {
		t.Skip("builds two ARM binaries; not in -short")
	}
	dist := t.TempDir()
	start := time.Now()
	make := exec.Command("make", "-C", "..", "deb", "DIST="+dist, "VERSION="+testVersion)
	if out, err := make.CombinedOutput(); err != nil {
		t.Fatalf("make deb: %v\n%s", err, out)
	}
	t.Logf("make deb: %s", time.Since(start).Round(time.Millisecond))
	for _, a := range []struct {
		arch, bin string
		machine   elf.Machine
		goarm     string
		abi       string // systemd's name, in SystemCallArchitectures=
	}{
		{"armhf", "sensord-linux-armv6", elf.EM_ARM, "6", "arm"},
		{"arm64", "sensord-linux-arm64", elf.EM_AARCH64, "", "arm64"},
	} {
		t.Run(a.arch, func(t *testing.T) {
			deb := filepath.Join(dist, fmt.Sprintf("sensord_%s_%s.deb", testVersion, a.arch))
			checkFields(t, deb, a.arch)
			checkContents(t, deb)
			checkControl(t, deb)
			checkBinary(t, deb, a.machine, a.goarm)
			checkUnit(t, deb, a.abi)
		})
	}
}

func dpkgDeb(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("dpkg-deb", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("dpkg-deb %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func checkFields(t *testing.T, deb, arch string) {
	for field, want := range map[string]string{
		"Package": "sensord", "Version": testVersion, "Architecture": arch,
		"Depends": "passwd", "Section": "misc", "Priority": "optional",
	} {
		if got := strings.TrimSpace(dpkgDeb(t, "-f", deb, field)); got != want {
			t.Errorf("%s = %q, want %q", field, got, want)
		}
	}
	for _, field := range []string{"Maintainer", "Description", "Installed-Size"} {
		if strings.TrimSpace(dpkgDeb(t, "-f", deb, field)) == "" {
			t.Errorf("%s is empty", field)
		}
	}
}

// checkContents: exactly the expected files, root-owned, right modes.
func checkContents(t *testing.T, deb string) {
	var files []string
	for _, l := range strings.Split(strings.TrimSpace(dpkgDeb(t, "-c", deb)), "\n") {
		f := strings.Fields(l)
		if len(f) < 6 {
			t.Fatalf("dpkg-deb -c line %q", l)
		}
		perm, owner, name := f[0], f[1], f[len(f)-1]
		if owner != "root/root" {
			t.Errorf("%s owned by %s", name, owner)
		}
		if perm[0] == 'd' {
			if perm != "drwxr-xr-x" {
				t.Errorf("directory %s has mode %s", name, perm)
			}
			continue
		}
		files = append(files, name)
		if want, ok := wantFiles[name]; !ok {
			t.Errorf("unexpected file %s", name)
		} else if got := perm + " " + owner; got != want {
			t.Errorf("%s: %s, want %s", name, got, want)
		}
	}
	for name := range wantFiles {
		if !slices.Contains(files, name) {
			t.Errorf("missing %s", name)
		}
	}
}

// checkControl: conffiles and executable maintainer scripts.
func checkControl(t *testing.T, deb string) {
	dir := t.TempDir()
	dpkgDeb(t, "-e", deb, dir)
	conf, err := os.ReadFile(filepath.Join(dir, "conffiles"))
	if err != nil {
		t.Fatal(err)
	}
	if got := string(conf); got != "/etc/sensord/sensord.toml\n/etc/init.d/sensord\n" {
		t.Errorf("conffiles:\n%s", got)
	}
	for _, s := range []string{"postinst", "prerm", "postrm"} {
		fi, err := os.Stat(filepath.Join(dir, s))
		if err != nil || fi.Mode().Perm() != 0o755 {
			t.Errorf("%s: %v %v", s, fi, err)
		}
	}
	sums, err := os.ReadFile(filepath.Join(dir, "md5sums"))
	if err != nil || !strings.Contains(string(sums), " usr/bin/sensord\n") {
		t.Errorf("md5sums: %v\n%s", err, sums)
	}
}

// checkBinary: a static, stripped ELF for the architecture, built with
// CGO_ENABLED=0, the right GOARM and the version, arm64 at most 10 MiB.
func checkBinary(t *testing.T, deb string, machine elf.Machine, goarm string) {
	dir := t.TempDir()
	dpkgDeb(t, "-x", deb, dir)
	bin := filepath.Join(dir, "usr/bin/sensord")
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Machine != machine {
		t.Errorf("machine %v, want %v", f.Machine, machine)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("not static: has %v", p.Type)
		}
	}
	if f.Section(".symtab") != nil {
		t.Error("not stripped: has .symtab")
	}
	info, err := buildinfo.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	if settings["CGO_ENABLED"] != "0" || settings["GOARM"] != goarm {
		t.Errorf("built with CGO_ENABLED=%q GOARM=%q", settings["CGO_ENABLED"], settings["GOARM"])
	}
	// -trimpath keeps -ldflags out of the build info: look for the
	// injected string itself.
	if b, err := os.ReadFile(bin); err != nil || !bytes.Contains(b, []byte(testVersion)) {
		t.Errorf("version %q not injected (%v)", testVersion, err)
	}
	fi, _ := os.Stat(bin)
	t.Logf("binary: %d bytes (%.2f MiB)", fi.Size(), float64(fi.Size())/(1<<20))
	if machine == elf.EM_AARCH64 && fi.Size() > 10<<20 {
		t.Errorf("arm64 binary is %d bytes, over 10 MiB", fi.Size())
	}
}

// checkUnit: the packaged unit allows the binary's own ABI by name (not
// native: systemd's), and the generator runs `sensord generator`.
func checkUnit(t *testing.T, deb, abi string) {
	dir := t.TempDir()
	dpkgDeb(t, "-x", deb, dir)
	unit, err := os.ReadFile(filepath.Join(dir, "lib/systemd/system/sensord.service"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "\nSystemCallArchitectures=" + abi + "\n"; !strings.Contains(string(unit), want) {
		t.Errorf("unit lacks %q", strings.TrimSpace(want))
	}
	gen, err := os.ReadFile(filepath.Join(dir, "lib/systemd/system-generators/sensord-generator"))
	if err != nil || !strings.Contains(string(gen), "/usr/bin/sensord generator \"$@\"") {
		t.Errorf("generator script: %v\n%s", err, gen)
	}
}
