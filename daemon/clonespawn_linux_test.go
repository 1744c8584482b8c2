//go:build amd64 || arm64

package daemon

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// probeSpec is a spawn of the test binary as spawnProbe, with stdio and
// two pipe ends, in dir.
func probeSpec(t *testing.T, out, dir string) spawnSpec {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() })
	null, err := devNull()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(null) })
	return spawnSpec{
		path: "/proc/self/exe", argv: []string{"probe", "a b", ""},
		env: []string{"SENSORD_SPAWN_PROBE=" + out, "PROBE_ENV=x"}, dir: dir,
		stdio: stdio{in: null, out: null, err: 2}, ends: []int{int(w.Fd()), int(r.Fd())},
		deathSig: syscall.SIGKILL, self: true,
	}
}

// waitExit reaps pid and returns its exit code.
func waitExit(t *testing.T, pid int) int {
	t.Helper()
	var ws syscall.WaitStatus
	if _, err := syscall.Wait4(pid, &ws, 0, nil); err != nil {
		t.Fatal(err)
	}
	if !ws.Exited() {
		t.Fatalf("probe %d: %v; want an exit", pid, ws)
	}
	return ws.ExitStatus()
}

// TestCloneLikeForkExec: a child cloned without vfork starts as one from
// ForkExec does: the same descriptors 0 to 4 (stdio and the pipe ends,
// none close-on-exec, nothing more), its own process group, the
// directory, the death signal and its parent, the same blocked, ignored
// and caught signals (SIGHUP ignored here stays ignored), arguments and
// environment; as root, the same user, group and groups too.
func TestCloneLikeForkExec(t *testing.T) {
	signal.Ignore(syscall.SIGHUP)
	defer signal.Reset(syscall.SIGHUP)
	dir := t.TempDir()
	creds := []*syscall.Credential{nil}
	if os.Getuid() == 0 {
		creds = append(creds, &syscall.Credential{Uid: 65534, Gid: 65534, Groups: []uint32{65534, 4}})
		for d := dir; d != "/tmp" && d != "/"; d = filepath.Dir(d) {
			os.Chmod(d, 0o777) // nobody enters it, and writes the probe's output
		}
	}
	for _, cred := range creds {
		cs := newCloneSpawner(nil)
		var got [2]string
		sp := probeSpec(t, "", dir)
		sp.cred = cred
		for i, clone := range []bool{true, false} {
			out := filepath.Join(dir, fmt.Sprintf("probe-%v-%v", cred != nil, clone))
			sp.env[0] = "SENSORD_SPAWN_PROBE=" + out
			spawnOne := cs.spawn
			if !clone {
				spawnOne = forkExec
			}
			pid, err := spawnOne(sp)
			if err == errNoClone {
				t.Skip("clone without vfork refused here (qemu-user?)")
			}
			if err != nil {
				t.Fatal(err)
			}
			if code := waitExit(t, pid); code != 0 {
				t.Fatalf("probe (clone %v) exit %d, exec error %v", clone, code, cs.execErr(pid))
			}
			if err := cs.execErr(pid); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			got[i] = string(b)
		}
		if got[0] != got[1] {
			t.Errorf("cred %v: cloned child\n%s\nForkExec's child\n%s", cred, got[0], got[1])
		}
		if !strings.Contains(got[0], fmt.Sprintf("ppid %d\n", os.Getpid())) || !strings.Contains(got[0], "pdeathsig 9\n") ||
			!strings.Contains(got[0], "fd 4 pipe:") {
			t.Errorf("cloned child:\n%s\nwant the test as parent, SIGKILL at its death, fds 0-4", got[0])
		}
	}
}

// TestCloneExecErrors: a child that cannot chdir or exec ends with 127
// and its error, which execErr gives once, as ForkExec would have.
func TestCloneExecErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, path, dir string
		want            syscall.Errno
	}{
		{"no program", filepath.Join(dir, "missing"), dir, syscall.ENOENT},
		{"no directory", "/proc/self/exe", filepath.Join(dir, "missing"), syscall.ENOENT},
		{"not a program", dir, dir, syscall.EACCES},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cs := newCloneSpawner(nil)
			sp := probeSpec(t, filepath.Join(dir, "out"), tc.dir)
			sp.path = tc.path
			pid, err := cs.spawn(sp)
			if err == errNoClone {
				t.Skip("clone without vfork refused here (qemu-user?)")
			}
			if err != nil {
				t.Fatal(err)
			}
			if code := waitExit(t, pid); code != 127 {
				t.Fatalf("exit %d; want 127", code)
			}
			err = cs.execErr(pid)
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.path) {
				t.Errorf("exec error %v; want %v, naming %s", err, tc.want, tc.path)
			}
			if err := cs.execErr(pid); err != nil {
				t.Errorf("asked again: %v; want nil (forgotten)", err)
			}
		})
	}
}
