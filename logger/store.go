package logger

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"
)

// store owns the data files: it appends whole lines to the newest one,
// rotates by size, removes the oldest beyond maxFiles and fsyncs on
// request. One goroutine uses it (the writer, see run_linux.go).
type store struct {
	dir      string
	maxSize  int64
	maxFiles int
	now      func() time.Time
	log      *slog.Logger

	f       *os.File // nil until opened, and after an error
	index   int
	size    int64 // bytes in f, all complete lines
	dirty   bool  // written since the last fsync
	failing error // the error being reported, said once
}

// append writes lines (complete JSON lines) to the current file,
// rotating at line boundaries so no file grows past maxSize (unless one
// line is larger). On an error no part of a line stays in a file; lines
// written before the error stay, and come again, as duplicates, when
// the caller retries.
func (s *store) append(lines []byte) error {
	if err := s.open(); err != nil {
		return s.fail(err)
	}
	for len(lines) > 0 {
		n := s.fits(lines)
		if n == 0 {
			if err := s.rotate(); err != nil {
				return s.fail(err)
			}
			continue
		}
		w, err := s.f.Write(lines[:n])
		if err != nil {
			s.undo(w)
			return s.fail(err)
		}
		s.size += int64(w)
		s.dirty = true
		lines = lines[n:]
	}
	s.ok()
	return nil
}

// fits returns how many bytes of whole lines from lines the current
// file takes: 0 means rotate first.
func (s *store) fits(lines []byte) int {
	room := s.maxSize - s.size
	if int64(len(lines)) <= room {
		return len(lines)
	}
	if room > 0 {
		if i := bytes.LastIndexByte(lines[:room], '\n'); i >= 0 {
			return i + 1
		}
	}
	if s.size == 0 { // one line larger than a file: it goes whole
		if i := bytes.IndexByte(lines, '\n'); i >= 0 {
			return i + 1
		}
		return len(lines)
	}
	return 0
}

// undo removes the n bytes of a short write, so no torn line stays. If
// that fails too, the file is closed: opening it again repairs it.
func (s *store) undo(n int) {
	if n == 0 {
		return
	}
	if err := s.f.Truncate(s.size); err != nil {
		s.log.Warn("logger: cannot remove a partly written record; will repair on reopen",
			"file", s.f.Name(), "err", err)
		s.close()
	}
}

// sync fsyncs the current file if it has unsynced records.
func (s *store) sync() error {
	if s.f == nil || !s.dirty {
		return nil
	}
	if err := s.f.Sync(); err != nil {
		s.close()
		return s.fail(err)
	}
	s.dirty = false
	return nil
}

func (s *store) close() {
	if s.f != nil {
		_ = s.f.Sync()
		_ = s.f.Close()
		s.f, s.dirty = nil, false
	}
}

// open opens the newest file, or the first one in a new directory.
func (s *store) open() error {
	if s.f != nil {
		return nil
	}
	if err := mkdirData(s.dir); err != nil {
		return err
	}
	files, err := listFiles(s.dir)
	if err != nil {
		return err
	}
	if len(files) == 0 || files[len(files)-1].index == 0 {
		return s.create(len(files) + 1)
	}
	last := files[len(files)-1]
	f, err := os.OpenFile(last.path, os.O_RDWR|os.O_APPEND|oNoFollow, 0)
	if err != nil {
		return err
	}
	size, err := repairTail(f, s.log)
	if err != nil {
		f.Close()
		return err
	}
	s.f, s.index, s.size = f, last.index, size
	return nil
}

func (s *store) create(index int) error {
	path := filepath.Join(s.dir, fileName(index, s.now()))
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE|os.O_EXCL|oNoFollow, 0o640)
	if err != nil {
		return err
	}
	if err := f.Chmod(0o640); err != nil { // whatever the umask
		f.Close()
		return err
	}
	s.f, s.index, s.size, s.dirty = f, index, 0, false
	return syncDir(s.dir)
}

// rotate closes the current file, starts the next and removes the oldest
// files beyond maxFiles.
func (s *store) rotate() error {
	if err := s.f.Sync(); err != nil {
		return err
	}
	s.close()
	if err := s.create(s.index + 1); err != nil {
		return err
	}
	files, err := listFiles(s.dir)
	if err != nil {
		return err
	}
	for len(files) > max(s.maxFiles, 1) {
		if err := os.Remove(files[0].path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		files = files[1:]
	}
	return syncDir(s.dir)
}

// fail reports err once, on the first of a series of failures.
func (s *store) fail(err error) error {
	err = fmt.Errorf("logger: cannot write to data directory %s: %w; free space on that disk "+
		"or make it writable: samples wait in the pipes meanwhile (and are dropped, counted, when they fill)",
		s.dir, err)
	if s.failing == nil {
		s.log.Error(err.Error())
	}
	s.failing = err
	return err
}

func (s *store) ok() {
	if s.failing != nil {
		s.log.Info("logger: writing works again", "dir", s.dir)
		s.failing = nil
	}
}

// repairTail cuts a torn last line (no newline: a write cut short by a
// crash or a full disk) off f and returns the size left.
func repairTail(f *os.File, log *slog.Logger) (int64, error) {
	size, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return 0, err
	}
	keep, err := lastLineEnd(f, size)
	if err != nil || keep == size {
		return size, err
	}
	if err := f.Truncate(keep); err != nil {
		return 0, err
	}
	log.Warn("logger: removed a torn last line", "file", f.Name(), "bytes", size-keep)
	return keep, f.Sync()
}

// lastLineEnd returns the offset just after the last newline in the
// first size bytes of f, or 0.
func lastLineEnd(f *os.File, size int64) (int64, error) {
	buf := make([]byte, 4096)
	for end := size; end > 0; {
		n := min(end, int64(len(buf)))
		end -= n
		if _, err := f.ReadAt(buf[:n], end); err != nil {
			return 0, err
		}
		if i := bytes.LastIndexByte(buf[:n], '\n'); i >= 0 {
			return end + int64(i) + 1, nil
		}
	}
	return 0, nil
}

func mkdirData(dir string) error {
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	return os.Chmod(dir, 0o750)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
