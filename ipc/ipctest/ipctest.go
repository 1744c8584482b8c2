package ipctest

import (
	"fmt"
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"sensord/ipc"
)

// Wait is how long a test waits for a frame or a condition. Failing
// after it is how a broken test ends, not how a test synchronises.
const Wait = 10 * time.Second

// Pipe is a pipe the test holds both ends of, as the daemon does.
type Pipe struct{ R, W int }

// NewPipe makes a pipe as the daemon does (O_NONBLOCK|O_CLOEXEC) with
// capacity size (0: the default). Both ends close when the test ends; a
// test that hands an end to code that closes it passes a dup.
func NewPipe(t testing.TB, size int) Pipe {
	t.Helper()
	var fds [2]int
	if err := unix.Pipe2(fds[:], unix.O_NONBLOCK|unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fds[0]); unix.Close(fds[1]) })
	if size > 0 {
		if _, err := unix.FcntlInt(uintptr(fds[1]), unix.F_SETPIPE_SZ, size); err != nil {
			t.Fatalf("F_SETPIPE_SZ %d: %v", size, err)
		}
	}
	return Pipe{fds[0], fds[1]}
}

// Queued is the number of bytes waiting in the pipe (FIONREAD).
func (p Pipe) Queued(t testing.TB) int {
	n, err := unix.IoctlGetInt(p.R, unix.TIOCINQ)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// ReadPipe makes a pipe as NewPipe does and returns its read end as a
// pollable file from ipc.OpenReader, and its write end's descriptor.
// Both close when the test ends.
func ReadPipe(t testing.TB, size int) (*os.File, int) {
	t.Helper()
	p := NewPipe(t, 0)
	if size > 0 {
		if _, err := unix.FcntlInt(uintptr(p.W), unix.F_SETPIPE_SZ, size); err != nil {
			t.Fatalf("F_SETPIPE_SZ %d: %v", size, err)
		}
	}
	fd := Dup(t, p.R)
	f, err := ipc.OpenReader(fd, "test")
	if err != nil {
		unix.Close(fd)
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f, p.W
}

// Dup returns a close-on-exec copy of fd for code that closes what it
// is handed (a role's Run, an *os.File), so that the pipe's own ends
// close once, when the test ends.
func Dup(t testing.TB, fd int) int {
	t.Helper()
	d, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// Msg is one decoded frame.
type Msg struct {
	ipc.Header
	M  ipc.Message
	At time.Time // when the collector read it
}

// Collect decodes the frames read from f into the returned channel until
// f is closed. A frame that does not decode fails the test.
func Collect(t testing.TB, f *os.File) chan Msg {
	ch := make(chan Msg, 1000)
	go func() {
		rd := ipc.NewReader(f)
		for {
			fr, err := rd.Next()
			if err != nil {
				return
			}
			m, err := ipc.Decode(fr)
			if err != nil {
				t.Errorf("bad frame: %v", err)
				return
			}
			ch <- Msg{fr.Header, m, time.Now()}
		}
	}()
	return ch
}

// Poll calls cond every 2 ms until it holds (true) or timeout passes
// (false), for a caller that reports the failure itself.
func Poll(timeout time.Duration, cond func() bool) bool {
	for deadline := time.Now().Add(timeout); !cond(); time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			return false
		}
	}
	return true
}

// Eventually waits up to Wait for cond and fails the test naming what
// it waited for, followed by what each show returns (a screen, a log).
func Eventually(t testing.TB, what string, cond func() bool, show ...func() string) {
	t.Helper()
	if Poll(Wait, cond) {
		return
	}
	msg := fmt.Sprintf("timed out after %s waiting for %s", Wait, what)
	for _, f := range show {
		msg += ":\n" + f()
	}
	t.Fatal(msg)
}
