package logger

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"sensord/ipc"
	"sensord/sdnotify"
	"sensord/wake"
)

const (
	oNoFollow = unix.O_NOFOLLOW
	fionread  = unix.TIOCINQ // FIONREAD: bytes queued in a pipe
)

// errStopped means ctx ended while a write was failing: what was not
// written stays in its pipe for the next logger.
var errStopped = errors.New("logger: stopped while writes were failing")

// Run logs the two pipes until ctx ends, then drains them and returns
// nil. Disk errors never end it: it reports them once and retries. It
// does not close the descriptors in c.
func Run(ctx context.Context, c Config) error {
	if err := c.check(); err != nil {
		return err
	}
	// A file size limit must give EFBIG, handled like a full disk, not
	// kill the process.
	signal.Ignore(syscall.SIGXFSZ)
	pipes, err := openPipes(c)
	if err != nil {
		return err
	}
	defer func() {
		for _, p := range pipes {
			p.close()
		}
	}()
	learnHistory(c, pipes)

	st := &store{dir: c.Dir, maxSize: c.MaxFileSize, maxFiles: c.MaxFiles, now: c.Clock.Now, log: c.Log}
	if err := st.open(); err != nil { // repairs a torn last line now
		_ = st.fail(err) // and says once why it cannot write
	}
	// Ready: the pipes are open and the tail of the files checked.
	if err := sdnotify.Notify("READY=1"); err != nil {
		c.Log.Warn("logger: cannot tell the daemon it is ready", "err", err)
	}
	reqs := make(chan writeReq)
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		writeLoop(st, reqs, c)
	}()

	// A pipe that fails for good (not a disk error) stops the logger, so
	// the daemon restarts it, rather than leaving it half deaf.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make([]error, len(pipes))
	var wg sync.WaitGroup
	for i, p := range pipes {
		p.reqs, p.retry, p.clock, p.log, p.afterWrite = reqs, c.Retry, c.Clock, c.Log, c.afterWrite
		wg.Go(func() {
			if errs[i] = p.run(ctx); errs[i] != nil {
				cancel()
			}
		})
	}
	<-ctx.Done()
	for _, p := range pipes {
		_ = p.file.SetReadDeadline(time.Now()) // wake the waits: drain
	}
	wg.Wait()
	close(reqs)
	<-writerDone
	for _, p := range pipes {
		s := p.src.stats
		c.Log.Info("logger: stopped", "src", p.src.name, "records", s.Records, "gaps", s.Gaps,
			"gap_samples", s.GapSamples, "duplicates_skipped", s.Duplicates, "bad_bytes", s.BadBytes)
	}
	return errors.Join(errs...)
}

func openPipes(c Config) ([]*pipe, error) {
	var pipes []*pipe
	for _, e := range []struct {
		fd   int
		name string
	}{{c.Motion, "motion"}, {c.Light, "light"}} {
		p, err := openPipe(e.fd, e.name)
		if err != nil {
			for _, p := range pipes {
				p.close()
			}
			return nil, err
		}
		pipes = append(pipes, p)
	}
	return pipes, nil
}

// learnHistory reads the end of the files for duplicate suppression and
// gap detection across a restart. The budget covers the records of
// every byte that was in the pipes when the logger started.
func learnHistory(c Config, pipes []*pipe) {
	budget := 64 << 10
	names := make([]string, len(pipes))
	for i, p := range pipes {
		budget += 8 * p.queued
		names[i] = p.src.name
	}
	files, err := listFiles(c.Dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		c.Log.Warn("logger: cannot read the data directory to skip duplicates; records may appear twice", "err", err)
		return
	}
	h, err := readHistory(files, budget, names...)
	if err != nil {
		c.Log.Warn("logger: cannot read the last records; some may appear twice", "err", err)
	}
	for _, p := range pipes {
		p.src.past, p.src.last = h.past[p.src.name], h.last[p.src.name]
	}
}

type writeReq struct {
	lines []byte
	done  chan error
}

// syncEarly: a write that comes within FsyncInterval/syncEarly of the
// fsync due is synced at once.
const syncEarly = 8

// writeLoop owns the store: it appends what the pipes send and fsyncs
// within c.FsyncInterval of a write. It returns once reqs is closed,
// after a last fsync. It is the logger's main loop (every record goes
// through it, and a disk that hangs stops it), so it pings the
// watchdog, with one timer for both: the fsync is armed only when a
// write made the file dirty, so an idle logger with no watchdog never
// wakes.
func writeLoop(st *store, reqs <-chan writeReq, c Config) {
	wd := sdnotify.NewWatchdog(c.Clock.Now())
	timer := wake.New(c.Clock)
	defer timer.Stop()
	defer st.close()
	var syncAt time.Time // zero: nothing to fsync
	for {
		due := timer.At(wd.Ping(c.Clock.Now(), syncAt))
		select {
		case r, ok := <-reqs:
			timer.Stop()
			if !ok {
				_ = st.sync()
				return
			}
			err := st.append(r.lines)
			now := c.Clock.Now()
			switch {
			case err == nil && c.FsyncInterval == 0:
				err = st.sync()
			case err == nil && syncAt.IsZero():
				syncAt = now.Add(c.FsyncInterval)
			case err == nil && !now.Before(syncAt.Add(-c.FsyncInterval/syncEarly)):
				// The fsync is due in a moment: do it now, with this
				// record, rather than wake again for it. A source that
				// sends every FsyncInterval (light at 1 s) is synced every
				// other record, with no wake-up of its own.
				_ = st.sync()
				syncAt = time.Time{}
			}
			r.done <- err
		case <-due:
			if !syncAt.IsZero() && !c.Clock.Now().Before(syncAt) {
				_ = st.sync()
				syncAt = time.Time{}
			}
		}
	}
}

// pipe reads one *-logger pipe without consuming what it has not
// stored: tee(2) copies the pipe's bytes into a private pipe, the
// frames are parsed from the copy and written, and only then are
// exactly the bytes used read off the pipe.
type pipe struct {
	file         *os.File // a dup of the descriptor, on the runtime poller
	rc           syscall.RawConn
	privR, privW int    // the private pipe tee(2) copies into
	queued       int    // bytes in the pipe at start
	stale        int    // bytes that made no frame: wait for more
	saidDups     bool   // the duplicates skipped after start were logged
	buf, out     []byte // the copy; the records made from it
	src          *source

	reqs       chan<- writeReq
	retry      time.Duration
	log        *slog.Logger
	afterWrite func()
	clock      interface {
		After(time.Duration) <-chan time.Time
	}
}

// privSize is the private pipe's size, and so the most read at once.
const privSize = 256 << 10

func openPipe(fd int, name string) (*pipe, error) {
	nb, err := ipc.IsNonblock(fd)
	switch {
	case err != nil:
		return nil, fmt.Errorf("logger: --rx-%s: descriptor %d: %w; the daemon passes the pipe's read end", name, fd, err)
	case !nb:
		return nil, fmt.Errorf("logger: --rx-%s: descriptor %d is in blocking mode; pipes must be O_NONBLOCK", name, fd)
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFIFO {
		return nil, fmt.Errorf("logger: --rx-%s: descriptor %d is not a pipe; pass the read end of the %s-logger pipe", name, fd, name)
	}
	queued, _ := unix.IoctlGetInt(fd, fionread)
	p := &pipe{queued: queued, src: &source{name: name}, privR: -1, privW: -1}
	if err := p.openPrivate(); err != nil {
		return nil, fmt.Errorf("logger: private pipe for %s: %w; raise the open file limit", name, err)
	}
	// A dup shares the pipe (and its O_NONBLOCK) but can be closed
	// without closing the caller's descriptor.
	dup, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 3)
	if err == nil {
		p.file = os.NewFile(uintptr(dup), name+"-logger") // non-blocking: on the poller
		p.rc, err = p.file.SyscallConn()
	}
	if err != nil {
		p.close()
		return nil, fmt.Errorf("logger: --rx-%s: descriptor %d: %w", name, fd, err)
	}
	return p, nil
}

func (p *pipe) openPrivate() error {
	var fds [2]int
	if err := unix.Pipe2(fds[:], unix.O_NONBLOCK|unix.O_CLOEXEC); err != nil {
		return err
	}
	p.privR, p.privW = fds[0], fds[1]
	size, err := unix.FcntlInt(uintptr(p.privW), unix.F_SETPIPE_SZ, privSize)
	if err != nil {
		size, _ = unix.FcntlInt(uintptr(p.privW), unix.F_GETPIPE_SZ, 0)
	}
	p.buf = make([]byte, max(size, ipc.PipeBuf))
	return nil
}

func (p *pipe) close() {
	if p.file != nil {
		p.file.Close()
	}
	for _, fd := range []int{p.privR, p.privW} {
		if fd >= 0 {
			unix.Close(fd)
		}
	}
}
