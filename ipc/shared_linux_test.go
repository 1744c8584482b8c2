package ipc

import (
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// asRootWithout runs f on a thread of its own whose effective
// capabilities lack the given ones, as under the unit's
// CapabilityBoundingSet (capabilities are per thread in Linux).
func asRootWithout(t *testing.T, f func(), caps ...uintptr) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	done := make(chan error)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
		hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
		var data [2]unix.CapUserData
		if err := unix.Capget(&hdr, &data[0]); err != nil {
			done <- err
			return
		}
		for _, c := range caps {
			data[c/32].Effective &^= 1 << (c % 32)
		}
		if err := unix.Capset(&hdr, &data[0]); err != nil {
			done <- err
			return
		}
		f()
		done <- nil
	}()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestOpenSharedWithoutOverride(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shared")
	// What an older daemon left: the child's file, 0600.
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(path, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	var err error
	asRootWithout(t, func() {
		var fd int
		if fd, err = OpenShared(path, 65534, 0o660); err == nil {
			unix.Close(fd)
		}
		if err == nil { // and again, on its own file now
			if fd, err = OpenShared(path, 65534, 0o660); err == nil {
				unix.Close(fd)
			}
		}
	}, unix.CAP_DAC_OVERRIDE, unix.CAP_DAC_READ_SEARCH, unix.CAP_FOWNER)
	if err != nil {
		t.Fatalf("without CAP_DAC_OVERRIDE and CAP_FOWNER: %v", err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	sys := st.Sys().(*syscall.Stat_t)
	if sys.Uid != 0 || sys.Gid != 65534 || st.Mode().Perm() != 0o660 {
		t.Errorf("owner %d:%d mode %v; want 0:65534 0660", sys.Uid, sys.Gid, st.Mode().Perm())
	}
}
