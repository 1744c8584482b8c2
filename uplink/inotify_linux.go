package uplink

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// watcher wakes the reader when something changes in the data
// directory: a line appended, a file created or removed. Events are
// coalesced into one pending wake-up; the reader then looks for itself.
type watcher struct {
	f    *os.File
	wake chan struct{}
}

func newWatcher(dir string) (*watcher, error) {
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		return nil, fmt.Errorf("uplink: inotify: %w", err)
	}
	mask := uint32(unix.IN_MODIFY | unix.IN_CREATE | unix.IN_MOVED_TO | unix.IN_DELETE | unix.IN_CLOSE_WRITE)
	if _, err := unix.InotifyAddWatch(fd, dir, mask); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("uplink: inotify on %s: %w; does the data directory exist?", dir, err)
	}
	// A non-blocking descriptor goes through Go's poller, so Close
	// unblocks the read.
	w := &watcher{f: os.NewFile(uintptr(fd), "inotify"), wake: make(chan struct{}, 1)}
	go w.loop()
	return w, nil
}

func (w *watcher) loop() {
	buf := make([]byte, 4096)
	for {
		if _, err := w.f.Read(buf); err != nil {
			close(w.wake)
			return
		}
		select {
		case w.wake <- struct{}{}:
		default:
		}
	}
}

func (w *watcher) Close() error { return w.f.Close() }
