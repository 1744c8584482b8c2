package logger

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sensord/ipc/ipctest"
	"syscall"
	"testing"
	"time"
)

// TestDaemonKillsLogger runs the whole appliance (sensord run --sim),
// light sampling every 1 ms, kills the logger with SIGKILL through its
// pid from the control socket again and again, and checks the data has
// no gap, no hole and no torn line.
func TestDaemonKillsLogger(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	tmp := t.TempDir()
	os.Chmod(filepath.Dir(tmp), 0o755) // as root, the children run as another user
	os.Chmod(tmp, 0o755)
	bin := filepath.Join(tmp, "sensord")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		t.Skipf("sensord does not build yet: %v\n%s", err, out)
	}
	cfg := filepath.Join(tmp, "sensord.toml")
	if err := os.WriteFile(cfg, []byte("[light]\ninterval = \"1ms\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	data, run := filepath.Join(tmp, "data"), filepath.Join(tmp, "run")
	logf, _ := os.Create(filepath.Join(tmp, "daemon.log"))
	d := exec.Command(bin, "run", "--sim", "--tty", "none", "--config", cfg, "--data-dir", data, "--runtime-dir", run)
	d.Stdout, d.Stderr = logf, logf
	if err := d.Start(); err != nil {
		t.Fatal(err)
	}
	defer d.Process.Kill()
	t.Cleanup(func() {
		if t.Failed() {
			b, _ := os.ReadFile(logf.Name())
			t.Logf("daemon log:\n%s", b)
		}
	})
	sock := filepath.Join(run, "sensord.sock")
	rng := rand.New(rand.NewPCG(2, uint64(time.Now().UnixNano())))
	kills := 6
	if os.Getenv("SENSORD_SOAK") != "" {
		kills = 60
	}
	pid := loggerPID(t, sock, 0)
	// Over 1 s apart: the daemon backs off a child that dies within 1 s.
	for range kills {
		time.Sleep(time.Duration(1000+rng.IntN(300)) * time.Millisecond) // a random instant
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		pid = loggerPID(t, sock, pid)
	}
	// Some samples from the last logger: it is past its start, where
	// SIGTERM would still kill it before its handler is in place.
	n := countSamples(t, data)
	ipctest.Eventually(t, "samples written by the last logger", func() bool { return countSamples(t, data) >= n+100 })
	if err := d.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := d.Wait(); err != nil {
		b, _ := os.ReadFile(logf.Name())
		t.Fatalf("daemon: %v\n%s", err, b)
	}
	files, err := dataFiles(data)
	if err != nil {
		t.Fatal(err)
	}
	v := newVerifier()
	if err := readData(files, v.line); err != nil {
		t.Fatal(err)
	}
	v.report(io.Discard, data, len(files))
	if err := v.err(); err != nil {
		t.Fatal(err)
	}
	l := v.srcs["light"]
	if l == nil || l.Records < 1000 || l.GapSamples != 0 {
		t.Fatalf("light: %+v; want over 1000 samples and no gap", l)
	}
	t.Logf("%d logger kills: %d light samples, %d duplicates in the files, no gap", kills, l.Records, l.Duplicates)
}

// loggerPID asks the daemon for the running logger's pid, waiting until
// it differs from old.
func loggerPID(t *testing.T, sock string, old int) int {
	t.Helper()
	var pid int
	ipctest.Eventually(t, "a running logger", func() bool {
		st, err := daemonStatus(sock)
		if err != nil {
			return false
		}
		for _, c := range st.Children {
			if c.Name == "logger" && c.State == "running" && c.PID != old && c.PID > 0 {
				pid = c.PID
				return true
			}
		}
		return false
	})
	return pid
}

func daemonStatus(sock string) (st struct {
	Children []struct {
		Name  string `json:"name"`
		PID   int    `json:"pid"`
		State string `json:"state"`
	} `json:"children"`
}, err error) {
	c, err := net.DialTimeout("unix", sock, time.Second)
	if err != nil {
		return st, err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := fmt.Fprintln(c, `{"cmd":"status"}`); err != nil {
		return st, err
	}
	line, err := bufio.NewReader(c).ReadBytes('\n')
	if err != nil {
		return st, err
	}
	return st, json.Unmarshal(line, &st)
}
