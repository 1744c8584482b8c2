package daemon_test

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"sensord/control"
	"sensord/daemon/daemontest"
)

// throwaway creates a system account or group for one test and removes
// it afterwards. It skips the test where that is not possible.
func throwaway(t *testing.T, kind, name string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to create a user")
	}
	add, del := "useradd", "userdel"
	args := []string{"--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name}
	if kind == "group" {
		add, del, args = "groupadd", "groupdel", []string{"--system", name}
	}
	if out, err := exec.Command(add, args...).CombinedOutput(); err != nil {
		t.Skipf("%s %s: %v %s", add, name, err, out)
	}
	t.Cleanup(func() { exec.Command(del, name).Run() })
}

func procStatus(t *testing.T, pid int, key string) []string {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	v, _ := strings.CutPrefix(lineWith(string(b), key+":"), key+":")
	return strings.Fields(v)
}

// checkDataDir: as root, the data directory is the daemon's with the
// logger's group, 0770; otherwise the logger's own, 0750.
func checkDataDir(t *testing.T, dir string, logger int) {
	t.Helper()
	uid, _ := strconv.Atoi(procStatus(t, logger, "Uid")[0])
	gid, _ := strconv.Atoi(procStatus(t, logger, "Gid")[0])
	perm := os.FileMode(0o750)
	if os.Geteuid() == 0 {
		uid, perm = 0, 0o770
	}
	checkOwner(t, dir, uid, gid, perm)
}

func TestChildrenDropPrivileges(t *testing.T) {
	throwaway(t, "user", "sensordtest")
	for _, g := range []string{"gpio", "i2c"} {
		if _, err := user.LookupGroup(g); err != nil {
			throwaway(t, "group", g)
		}
	}
	u, _ := user.Lookup("sensordtest")
	gpio, _ := user.LookupGroup("gpio")
	i2c, _ := user.LookupGroup("i2c")
	a := daemontest.Start(t, bin, daemontest.Options{Config: "[supervisor]\nuser = \"sensordtest\"\n"})
	want := map[string][]string{"motion": {gpio.Gid}, "light": {i2c.Gid}, "logger": nil, "gui": nil}
	st, _ := a.Status()
	for _, c := range st.Children {
		uids := procStatus(t, c.PID, "Uid")
		for _, id := range uids {
			if id != u.Uid {
				t.Errorf("%s runs with uid %v, want %s everywhere", c.Name, uids, u.Uid)
			}
		}
		if groups := procStatus(t, c.PID, "Groups"); strings.Join(groups, ",") != strings.Join(want[c.Name], ",") {
			t.Errorf("%s has groups %v, want %v", c.Name, groups, want[c.Name])
		}
	}
	checkDataDir(t, a.Data, st.Child("logger").PID)
	// No network socket anywhere: only Unix sockets in the daemon.
	for _, pid := range append([]int{st.PID}, childPIDs(st)...) {
		for _, proto := range []string{"tcp", "tcp6", "udp", "udp6"} {
			if sockets := ownSockets(t, pid, proto); len(sockets) > 0 {
				t.Errorf("pid %d has %s sockets %v", pid, proto, sockets)
			}
		}
	}
}

func childPIDs(st control.Status) []int {
	var pids []int
	for _, c := range st.Children {
		pids = append(pids, c.PID)
	}
	return pids
}

// ownSockets lists the inodes of pid's sockets that appear in
// /proc/PID/net/PROTO.
func ownSockets(t *testing.T, pid int, proto string) []string {
	inodes := map[string]bool{}
	for _, fd := range fds(t, pid) {
		if ino, ok := strings.CutPrefix(fd.target, "socket:["); ok {
			inodes[strings.TrimSuffix(ino, "]")] = true
		}
	}
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/net/%s", pid, proto))
	var found []string
	for _, l := range strings.Split(string(b), "\n")[1:] {
		if f := strings.Fields(l); len(f) > 9 && inodes[f[9]] {
			found = append(found, f[9])
		}
	}
	return found
}

// fakeSystemd listens on a NOTIFY_SOCKET and collects what arrives.
type fakeSystemd struct {
	mu   sync.Mutex
	msgs []string
}

func (f *fakeSystemd) all() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return strings.Join(f.msgs, "\n")
}

func listenNotify(t *testing.T, name string) *fakeSystemd {
	t.Helper()
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: name, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	f := &fakeSystemd{}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := c.Read(buf)
			if err != nil {
				return
			}
			f.mu.Lock()
			f.msgs = append(f.msgs, string(buf[:n]))
			f.mu.Unlock()
		}
	}()
	return f
}

func TestNotifyReadyWatchdogStopping(t *testing.T) {
	for _, tc := range []struct{ name, env string }{
		{"path", ""}, {"abstract", "@sensord-test-" + strconv.Itoa(os.Getpid())},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr := tc.env
			if addr == "" {
				addr = filepath.Join(daemontest.OpenDir(t), "notify")
			}
			listen := addr
			if listen[0] == '@' {
				listen = "\x00" + listen[1:]
			}
			sd := listenNotify(t, listen)
			a := daemontest.Spawn(t, bin, daemontest.Options{
				Env: []string{"NOTIFY_SOCKET=" + addr, "WATCHDOG_USEC=200000"}})
			daemontest.Until(t, "READY=1", 10*time.Second, func() bool { return strings.Contains(sd.all(), "READY=1") })
			// Ready means every child said READY=1.
			st, err := a.Status()
			if err != nil || len(st.Children) != 4 {
				t.Fatalf("status after READY: %v %v", err, st.Children)
			}
			for _, c := range st.Children {
				if !c.Ready || c.ReadyMS == nil {
					t.Errorf("%s not ready when READY=1 was sent: %+v", c.Name, c)
				}
				// Children never see the service manager's variables:
				// their NOTIFY_SOCKET is the daemon's, their watchdog their
				// role's.
				env, _ := os.ReadFile(fmt.Sprintf("/proc/%d/environ", c.PID))
				if strings.Contains(string(env), "NOTIFY_SOCKET="+addr+"\x00") || strings.Contains(string(env), "WATCHDOG_USEC=200000") {
					t.Errorf("%s inherited the service manager's notify variables", c.Name)
				}
				if !strings.Contains(string(env), "NOTIFY_SOCKET="+filepath.Join(a.Runtime, "notify.sock")) {
					t.Errorf("%s has not the daemon's notify socket", c.Name)
				}
			}
			daemontest.Until(t, "two WATCHDOG=1", 10*time.Second, func() bool { return strings.Count(sd.all(), "WATCHDOG=1") >= 2 })
			if code := a.Stop(); code != 0 {
				t.Errorf("exit %d", code)
			}
			if !strings.Contains(sd.all(), "STOPPING=1") || !strings.Contains(sd.all(), "STATUS=") {
				t.Errorf("no STOPPING=1 or STATUS= in %q", sd.all())
			}
		})
	}
}

func TestConfigCommandPrintsEffectiveConfig(t *testing.T) {
	dir := daemontest.OpenDir(t)
	cfg := filepath.Join(dir, "s.toml")
	os.WriteFile(cfg, []byte("[light]\ninterval = \"250ms\"\n"), 0o644)
	out, err := runBin("config", "--config", cfg, "--sim", "--data-dir", dir)
	if err != nil {
		t.Fatalf("%v %s", err, out)
	}
	for _, want := range []string{"250ms", `kind = "sim"`, dir, "GPIO17", "fsync_interval"} {
		if !strings.Contains(out, want) {
			t.Errorf("sensord config output lacks %q:\n%s", want, out)
		}
	}
}
