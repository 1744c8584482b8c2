package daemon

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// pipeSize is the capacity asked for with F_SETPIPE_SZ. Unprivileged
// processes are capped by /proc/sys/fs/pipe-max-size (1 MiB by default).
const pipeSize = 1 << 20

// pipe is one of the six pipes. The daemon keeps both ends open for its
// whole life, so a child's death never closes a pipe.
type pipe struct {
	name           string // "motion-gui"
	writer, reader string // child names
	r, w           int    // read and write ends in the daemon, O_NONBLOCK|O_CLOEXEC
	capacity       int
}

// pipeTable lists the six pipes (README, "How it works"), in a fixed order.
var pipeTable = [...]struct{ writer, reader string }{
	{"motion", "gui"}, {"light", "gui"},
	{"gui", "motion"}, {"gui", "light"},
	{"motion", "logger"}, {"light", "logger"},
}

// makePipes creates the six pipes. On error the ones made are closed.
func makePipes() (map[string]*pipe, error) {
	pipes := make(map[string]*pipe, len(pipeTable))
	for _, t := range pipeTable {
		p, err := newPipe(t.writer, t.reader)
		if err != nil {
			closePipes(pipes)
			return nil, err
		}
		pipes[p.name] = p
	}
	return pipes, nil
}

func newPipe(writer, reader string) (*pipe, error) {
	var fds [2]int
	if err := unix.Pipe2(fds[:], unix.O_NONBLOCK|unix.O_CLOEXEC); err != nil {
		return nil, fmt.Errorf("daemon: pipe2: %w; check the open file limit (ulimit -n)", err)
	}
	p := &pipe{name: writer + "-" + reader, writer: writer, reader: reader, r: fds[0], w: fds[1]}
	n, err := unix.FcntlInt(uintptr(p.w), unix.F_SETPIPE_SZ, pipeSize)
	if err != nil {
		// EPERM past pipe-max-size for unprivileged users: keep the default.
		n, err = unix.FcntlInt(uintptr(p.w), unix.F_GETPIPE_SZ, 0)
		if err != nil {
			p.close()
			return nil, fmt.Errorf("daemon: F_GETPIPE_SZ on %s: %w", p.name, err)
		}
	}
	p.capacity = n
	return p, nil
}

// queued returns the bytes waiting in the pipe (FIONREAD on the read end).
func (p *pipe) queued() int {
	n, err := unix.IoctlGetInt(p.r, unix.TIOCINQ)
	if err != nil {
		return -1
	}
	return n
}

func (p *pipe) close() {
	unix.Close(p.r)
	unix.Close(p.w)
}

func closePipes(pipes map[string]*pipe) {
	for _, p := range pipes {
		p.close()
	}
}
