package daemon_test

import (
	"bufio"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"sensord/control"
	"sensord/daemon/daemontest"
	"sensord/uplink/mqtttest"
)

// unitFile is the systemd unit the package installs.
const unitFile = "../packaging/deb/lib/systemd/system/sensord.service"

// TestUnitCapabilities runs the appliance, uplink included, with only
// the capabilities the unit's CapabilityBoundingSet= leaves it, over a
// data and a runtime directory as an older sensord left them (owned by
// the children's user, which the daemon could then only enter with
// CAP_DAC_OVERRIDE): it starts, takes both back, keeps generations, has
// a killed child back, and logs no permission error (ARCHITECTURE.md,
// "Privileges").
func TestUnitCapabilities(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: the bounding set matters only to a root daemon")
	}
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		t.Skip("no setpriv (util-linux)")
	}
	b := mqtttest.New(t)
	b.Start()
	uid, gid := childUser(t)
	dir := daemontest.OpenDir(t)
	data, run := filepath.Join(dir, "data"), filepath.Join(dir, "run")
	for _, d := range []string{data, filepath.Join(data, "cores")} {
		mkdirOwned(t, d, 0o750, uid, gid)
	}
	mkdirOwned(t, run, 0o755, 0, 0) // as RuntimeDirectory= makes it
	for _, f := range []string{"motion.drops", control.UplinkFile} {
		writeOwned(t, filepath.Join(run, f), uid, gid)
	}

	bounding := "-all"
	for _, c := range unitCaps(t) {
		bounding += ",+" + strings.ToLower(strings.TrimPrefix(c, "CAP_"))
	}
	a := daemontest.Spawn(t, bin, daemontest.Options{Data: data, Runtime: run,
		Config: "[uplink]\nbroker = \"" + b.URL() + "\"\n",
		Wrap:   []string{setpriv, "--bounding-set=" + bounding, "--inh-caps=-all", "--"}})
	a.WaitFor("five children running", 30*time.Second, func(st control.Status) bool {
		return daemontest.AllRunning(st, 5)
	})
	c := a.Child("motion")
	syscall.Kill(c.PID, syscall.SIGKILL)
	a.WaitRunning("motion", c.Gen+1)
	waitData(t, a.Data, "light samples", 10*time.Second, func(r []record) bool { return maxSeq(r, "light", 1) > 2 })
	if code := a.Stop(); code != 0 {
		t.Errorf("exit %d", code)
	}
	if m := regexp.MustCompile(`(?i).*(permission denied|operation not permitted).*`).FindString(a.Log()); m != "" {
		t.Errorf("with the unit's capabilities: %s", m)
	}
	checkOwner(t, data, 0, gid, 0o770)
	checkOwner(t, filepath.Join(data, "generations"), 0, -1, 0)
	checkOwner(t, filepath.Join(run, "motion.drops"), 0, gid, 0o660)
	checkOwner(t, filepath.Join(run, control.UplinkFile), 0, gid, 0o660)
}

// unitCaps reads CapabilityBoundingSet= from the unit.
func unitCaps(t *testing.T) []string {
	f, err := os.Open(unitFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "CapabilityBoundingSet="); ok {
			return strings.Fields(v)
		}
	}
	t.Fatalf("%s has no CapabilityBoundingSet=", unitFile)
	return nil
}

// childUser is the user the daemon runs its children as here: sensord,
// or nobody on a machine without the package's user.
func childUser(t *testing.T) (int, int) {
	u, err := user.Lookup("sensord")
	if err != nil {
		u, err = user.Lookup("nobody")
	}
	if err != nil {
		t.Fatal(err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return uid, gid
}

func mkdirOwned(t *testing.T, dir string, mode os.FileMode, uid, gid int) {
	t.Helper()
	if err := os.Mkdir(dir, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, uid, gid); err != nil {
		t.Fatal(err)
	}
}

func writeOwned(t *testing.T, path string, uid, gid int) {
	t.Helper()
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(path, uid, gid); err != nil {
		t.Fatal(err)
	}
}

// checkOwner: path is uid:gid with mode perm (gid -1, perm 0: any).
func checkOwner(t *testing.T, path string, uid, gid int, perm os.FileMode) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Error(err)
		return
	}
	sys := st.Sys().(*syscall.Stat_t)
	if int(sys.Uid) != uid || (gid >= 0 && int(sys.Gid) != gid) || (perm != 0 && st.Mode().Perm() != perm) {
		t.Errorf("%s: %d:%d %v; want %d:%d %v", path, sys.Uid, sys.Gid, st.Mode().Perm(), uid, gid, perm)
	}
}
