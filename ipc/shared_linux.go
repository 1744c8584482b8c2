package ipc

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// OpenShared opens (creating it if needed) a file the daemon shares with
// a child, such as a drop ledger: owned by the caller, group gid (-1:
// unchanged), exactly mode whatever the umask, never through a symbolic
// link. The child reaches it through the group, so the daemon needs no
// CAP_DAC_OVERRIDE or CAP_FOWNER to open or reset it again later
// (ARCHITECTURE.md, "Privileges"). A file it cannot open, one an older
// sensord handed to the child's user, is replaced: it lives in the
// runtime directory, which is the daemon's. The caller closes fd.
func OpenShared(path string, gid int, mode uint32) (fd int, err error) {
	const flags = unix.O_RDWR | unix.O_CREAT | unix.O_NOFOLLOW | unix.O_CLOEXEC
	fd, err = unix.Open(path, flags, mode)
	if errors.Is(err, unix.EACCES) {
		if err = unix.Unlink(path); err == nil {
			fd, err = unix.Open(path, flags, mode)
		}
	}
	if err != nil {
		return -1, fmt.Errorf("ipc: %s: %w", path, err)
	}
	if gid >= 0 {
		err = unix.Fchown(fd, unix.Geteuid(), gid)
	}
	if err == nil {
		err = unix.Fchmod(fd, mode)
	}
	if err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("ipc: %s: %w", path, err)
	}
	return fd, nil
}
