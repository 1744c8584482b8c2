package packaging

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// maint runs a maintainer script with the system tools it calls
// replaced by stubs that log their arguments, and $DPKG_ROOT pointing at
// a scratch root for the files it writes. exists says whether getent
// finds the user and groups. It returns the log.
func maint(t *testing.T, root, script string, exists bool, args ...string) string {
	t.Helper()
	bin := filepath.Join(root, "stubs")
	log := filepath.Join(root, "calls.log")
	os.Remove(log)
	getent := "exit 2"
	if exists {
		getent = "exit 0"
	}
	for _, tool := range []string{"getent", "groupadd", "useradd", "install", "systemctl",
		"udevadm", "modprobe", "update-rc.d", "invoke-rc.d", "who"} {
		body := "#!/bin/sh\necho \"" + tool + " $*\" >>" + log + "\n"
		if tool == "getent" {
			body += getent + "\n"
		}
		if err := os.MkdirAll(bin, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(bin, tool), []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("sh", append([]string{script}, args...)...)
	cmd.Env = []string{"PATH=" + bin + ":/usr/bin:/bin", "DPKG_ROOT=" + root}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", script, args, err, out)
	}
	b, _ := os.ReadFile(log)
	return string(b)
}

func TestMaintainerScripts(t *testing.T) {
	root := t.TempDir()
	units := filepath.Join(root, "etc/systemd/system")
	if err := os.MkdirAll(units, 0o755); err != nil {
		t.Fatal(err)
	}
	mask := filepath.Join(units, "getty@tty1.service")

	calls := maint(t, root, "debian/postinst", false, "configure")
	for _, want := range []string{
		"groupadd --system gpio\n", "groupadd --system i2c\n",
		"useradd --system --user-group --home-dir /var/lib/sensord --no-create-home --shell /usr/sbin/nologin --comment sensord appliance sensord\n",
		"install -d -m 0770 -o root -g sensord /var/lib/sensord\n",
		"update-rc.d sensord defaults\n", "systemctl enable sensord.service\n",
	} {
		if !strings.Contains(calls, want) {
			t.Errorf("postinst did not run %q; calls:\n%s", want, calls)
		}
	}
	if strings.Contains(calls, " -G ") || strings.Contains(calls, "usermod") {
		t.Errorf("the sensord user must be in no hardware group; calls:\n%s", calls)
	}
	if l, err := os.Readlink(mask); err != nil || l != "/dev/null" {
		t.Errorf("getty@tty1 not masked: %q %v", l, err)
	}

	// Again, with everything in place: nothing is created twice.
	calls = maint(t, root, "debian/postinst", true, "configure")
	if strings.Contains(calls, "groupadd") || strings.Contains(calls, "useradd") {
		t.Errorf("second configure created accounts again:\n%s", calls)
	}

	if calls = maint(t, root, "debian/prerm", true, "remove"); !strings.Contains(calls, "systemctl disable sensord.service") {
		t.Errorf("prerm remove did not disable the unit:\n%s", calls)
	}
	maint(t, root, "debian/postrm", true, "remove")
	if _, err := os.Lstat(mask); !os.IsNotExist(err) {
		t.Errorf("postrm remove left the getty mask: %v", err)
	}

	// An admin's own getty@tty1 unit is neither replaced nor removed.
	if err := os.WriteFile(mask, []byte("[Service]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	maint(t, root, "debian/postinst", true, "configure")
	maint(t, root, "debian/postrm", true, "purge")
	if b, err := os.ReadFile(mask); err != nil || string(b) != "[Service]\n" {
		t.Errorf("admin's getty@tty1.service changed: %q %v", b, err)
	}
}
