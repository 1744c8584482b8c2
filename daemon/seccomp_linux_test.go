package daemon

import (
	"fmt"
	"os"
	"testing"

	"github.com/elastic/go-seccomp-bpf/arch"
	"golang.org/x/sys/unix"
)

// TestNoticeDescriptor: a datagram's passed descriptor reaches the
// notice, with the sender's pid; extra ones are closed (the seccomp
// listener's hand-over, SeccompFDName).
func TestNoticeDescriptor(t *testing.T) {
	path := t.TempDir() + "/n.sock"
	ns, err := listenNotify(path, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer ns.close()
	f, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(s)
	msg := []byte("FDSTORE=1\nFDNAME=" + SeccompFDName)
	if err := unix.Sendmsg(s, msg, unix.UnixRights(int(f.Fd())), &unix.SockaddrUnix{Name: path}, 0); err != nil {
		t.Fatal(err)
	}
	got := ns.read()
	if len(got) != 1 || got[0].pid != os.Getpid() || got[0].fd < 0 || got[0].fields["FDNAME"] != SeccompFDName {
		t.Fatalf("read = %+v", got)
	}
	var a, b unix.Stat_t
	if unix.Fstat(got[0].fd, &a) != nil || unix.Fstat(int(f.Fd()), &b) != nil || a.Ino != b.Ino {
		t.Errorf("descriptor %d is not the one sent", got[0].fd)
	}
	unix.Close(got[0].fd)
}

// TestSyscallName: a denied call is named by the table of the caller's
// architecture; a number no table has is logged as the number.
func TestSyscallName(t *testing.T) {
	cases := []struct {
		a    *arch.Info
		nr   int32
		want string
	}{
		{arch.X86_64, 101, "ptrace"},
		{arch.AARCH64, 117, "ptrace"},
		{arch.ARM, 26, "ptrace"},
		{arch.AARCH64, 221, "execve"},
		{arch.ARM, 11, "execve"},
		{arch.X86_64, 9999, "9999"},
	}
	for _, c := range cases {
		if got := syscallName(uint32(c.a.ID), c.nr); got != c.want {
			t.Errorf("%s %d = %q, want %q", c.a.Name, c.nr, got, c.want)
		}
	}
}

// TestLogDenial: a call denied again and again is logged at its first
// denial and then once every seccompLogEvery.
func TestLogDenial(t *testing.T) {
	var logged []uint64
	for k := uint64(1); k <= 3*seccompLogEvery; k++ {
		if logDenial(k) {
			logged = append(logged, k)
		}
	}
	want := []uint64{1, seccompLogEvery, 2 * seccompLogEvery, 3 * seccompLogEvery}
	if fmt.Sprint(logged) != fmt.Sprint(want) {
		t.Errorf("logged at %v, want %v", logged, want)
	}
}
