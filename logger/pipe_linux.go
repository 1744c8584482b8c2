package logger

import (
	"context"
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// run logs the pipe until ctx ends, then drains it.
func (p *pipe) run(ctx context.Context) error {
	for {
		n, err := p.wait()
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return p.drain(ctx)
		}
		if err == nil {
			err = p.process(ctx, n)
		}
		if errors.Is(err, errStopped) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// drain logs what is left in the pipe without waiting for more: the
// sensors were stopped first.
func (p *pipe) drain(ctx context.Context) error {
	for {
		var n int
		var err error
		if cerr := p.rc.Control(func(fd uintptr) { _, n, err = p.tee(int(fd)) }); cerr != nil {
			return cerr
		}
		if err != nil || n == 0 {
			return err
		}
		if err := p.process(ctx, n); errors.Is(err, errStopped) {
			return nil // the rest waits in the pipe for the next logger
		} else if err != nil {
			return err
		}
		if p.stale > 0 {
			return nil // a torn frame will never be completed
		}
	}
}

// wait waits through the runtime poller, never spinning, until the pipe
// holds bytes not seen yet, and tees them into the private pipe.
func (p *pipe) wait() (int, error) {
	var n int
	var err error
	rerr := p.rc.Read(func(fd uintptr) bool {
		var ready bool
		ready, n, err = p.tee(int(fd))
		return ready
	})
	if rerr != nil {
		return 0, rerr
	}
	return n, err
}

// tee copies the pipe's bytes into the private pipe. It reports false
// if the pipe holds nothing new (only a torn frame it has seen).
func (p *pipe) tee(fd int) (bool, int, error) {
	q, err := unix.IoctlGetInt(fd, fionread)
	if err != nil {
		return true, 0, fmt.Errorf("logger: %s pipe: FIONREAD: %w", p.src.name, err)
	}
	if q <= p.stale {
		return false, 0, nil
	}
	for {
		n, err := unix.Tee(fd, p.privW, len(p.buf), unix.SPLICE_F_NONBLOCK)
		switch {
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN || err == nil && n == 0:
			return false, 0, nil
		case err != nil:
			return true, 0, fmt.Errorf("logger: %s pipe: tee: %w", p.src.name, err)
		}
		return true, int(n), nil
	}
}

// process turns the n bytes in the private pipe into records, stores
// them and only then consumes the bytes used from the pipe.
func (p *pipe) process(ctx context.Context, n int) error {
	if err := readFull(p.privR, p.buf[:n]); err != nil {
		return fmt.Errorf("logger: %s: private pipe: %w", p.src.name, err)
	}
	bad := p.src.stats.BadBytes
	var k int
	p.out, k = p.src.parse(p.out[:0], p.buf[:n], n < len(p.buf)) // tee took all the pipe held
	if len(p.out) > 0 {
		if err := p.store(ctx, p.out); err != nil {
			return err
		}
		if p.afterWrite != nil {
			p.afterWrite()
		}
	}
	if d := p.src.stats.Duplicates; d > 0 && !p.saidDups && len(p.src.past) == 0 {
		p.saidDups = true
		p.log.Info("logger: skipped records written before a restart", "src", p.src.name, "duplicates", d)
	}
	if bad != p.src.stats.BadBytes {
		p.log.Warn("logger: skipped bytes that were not valid frames", "src", p.src.name,
			"bytes", p.src.stats.BadBytes-bad)
	}
	p.stale = 0
	if k == 0 {
		p.stale = n
		return nil
	}
	return p.consume(k)
}

// store hands lines to the writer, and retries every p.retry while the
// disk fails, until ctx ends.
func (p *pipe) store(ctx context.Context, lines []byte) error {
	done := make(chan error, 1)
	for {
		p.reqs <- writeReq{lines: lines, done: done}
		if <-done == nil {
			return nil
		}
		if ctx.Err() != nil {
			return errStopped
		}
		select {
		case <-ctx.Done():
			return errStopped
		case <-p.clock.After(p.retry):
		}
	}
}

// consume reads k bytes, already stored, off the pipe.
func (p *pipe) consume(k int) error {
	var err error
	cerr := p.rc.Control(func(fd uintptr) {
		for k > 0 && err == nil {
			var n int
			n, err = unix.Read(int(fd), p.buf[:min(k, len(p.buf))])
			switch {
			case err == unix.EINTR:
				err = nil
			case err == nil && n == 0:
				err = unix.EAGAIN
			case err == nil:
				k -= n
			}
		}
	})
	if err != nil {
		return fmt.Errorf("logger: %s pipe: %d stored bytes could not be consumed: %w; is another process reading this pipe?",
			p.src.name, k, err)
	}
	return cerr
}

func readFull(fd int, b []byte) error {
	for len(b) > 0 {
		n, err := unix.Read(fd, b)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		if n == 0 {
			return unix.EIO
		}
		b = b[n:]
	}
	return nil
}
