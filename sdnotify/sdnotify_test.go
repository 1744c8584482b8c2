package sdnotify

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// listen makes a fake service manager socket at addr ("@name" for an
// abstract one) and returns a function that reads one datagram.
func listen(t *testing.T, addr string) func() string {
	t.Helper()
	name := addr
	if addr[0] == '@' {
		name = "\x00" + addr[1:]
	}
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: name, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return func() string {
		t.Helper()
		buf := make([]byte, 4096)
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, err := c.Read(buf)
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		return string(buf[:n])
	}
}

func TestNotify(t *testing.T) {
	addrs := map[string]string{
		"path":     filepath.Join(t.TempDir(), "notify"),
		"abstract": fmt.Sprintf("@sensord-sdnotify-test-%d", os.Getpid()),
	}
	for name, addr := range addrs {
		t.Run(name, func(t *testing.T) {
			read := listen(t, addr)
			t.Setenv("NOTIFY_SOCKET", addr)
			calls := []struct {
				f    func() error
				want string
			}{
				{func() error { return Notify("READY=1\nSTATUS=4 of 4 children running") }, "READY=1\nSTATUS=4 of 4 children running"},
				{func() error { return Notify("WATCHDOG=1") }, "WATCHDOG=1"},
				{func() error { return Notify("STOPPING=1") }, "STOPPING=1"},
			}
			for _, c := range calls {
				if err := c.f(); err != nil {
					t.Fatal(err)
				}
				if got := read(); got != c.want {
					t.Errorf("got %q, want %q", got, c.want)
				}
			}
		})
	}
}

func TestNotifyUnset(t *testing.T) {
	t.Setenv("NOTIFY_SOCKET", "")
	if err := Notify("READY=1"); err != nil {
		t.Errorf("without NOTIFY_SOCKET: %v", err)
	}
}

func TestNotifyErrors(t *testing.T) {
	gone := filepath.Join(t.TempDir(), "gone")
	t.Setenv("NOTIFY_SOCKET", gone)
	if err := Notify("READY=1"); !errors.Is(err, syscall.ENOENT) {
		t.Errorf("no listener: %v", err)
	}
	if err := Send("relative", "READY=1"); err == nil {
		t.Error("relative address accepted")
	}
}

// TestNoDescriptorLeft: nothing stays open between calls that a forked
// child could inherit.
func TestNoDescriptorLeft(t *testing.T) {
	addr := filepath.Join(t.TempDir(), "notify")
	read := listen(t, addr)
	before := openFDs(t)
	for range 10 {
		if err := Send(addr, "WATCHDOG=1"); err != nil {
			t.Fatal(err)
		}
		read()
	}
	if after := openFDs(t); after != before {
		t.Errorf("%d descriptors open before, %d after", before, after)
	}
}

func openFDs(t *testing.T) int {
	e, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip(err)
	}
	return len(e)
}

func TestWatchdogInterval(t *testing.T) {
	me := strconv.Itoa(os.Getpid())
	tests := []struct {
		usec, pid string
		want      time.Duration
		ok        bool
	}{
		{"", "", 0, false},
		{"10000000", "", 10 * time.Second, true},
		{"10000000", me, 10 * time.Second, true},
		{"10000000", "1", 0, false},
		{"0", "", 0, false},
		{"-5", "", 0, false},
		{"ten", "", 0, false},
	}
	for _, tt := range tests {
		t.Setenv("WATCHDOG_USEC", tt.usec)
		t.Setenv("WATCHDOG_PID", tt.pid)
		d, ok := WatchdogInterval()
		if d != tt.want || ok != tt.ok {
			t.Errorf("USEC=%q PID=%q: %v %v, want %v %v", tt.usec, tt.pid, d, ok, tt.want, tt.ok)
		}
	}
}
