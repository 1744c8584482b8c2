package uplink

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
)

// maxLine bounds one line in memory; a longer one is no record of the
// logger's and is skipped.
const maxLine = 64 << 10

// reader follows the logger's files line by line from a position, on to
// the next file when the logger rotates. Only complete lines (ending in
// a newline) are returned. Its memory is one buffer of maxLine bytes.
type reader struct {
	dir   string
	wake  <-chan struct{}
	onGap func(lost int, after string) // files removed before they were read

	f        *os.File
	pos      position // after the last line returned
	buf      []byte
	start    int
	end      int
	eof      bool // the last read found no more bytes
	drained  bool // the last read reached the end of the file (a short read)
	sawNewer bool // a newer file existed at the last end of file
	skipping bool // inside an overlong line
}

// errNoData: nothing to read now; wait for wake, then call woke.
var errNoData = errors.New("uplink: no new line yet")

// open positions r at p, or at the start of the oldest file when the
// cursor is unknown or its file is gone.
func (r *reader) open(p position, known bool) error {
	r.buf = make([]byte, maxLine)
	fs, err := listFiles(r.dir)
	if err != nil {
		return err
	}
	if !known {
		return r.openFrom(fs, -1)
	}
	for _, f := range fs {
		if f.Name == p.Name && r.openAt(f.Name, p) {
			return nil
		}
	}
	r.onGap(1, p.Name)
	return r.openFrom(fs, nameIndex(p.Name))
}

// openAt opens name at p's offset if it is still the same file.
func (r *reader) openAt(name string, p position) bool {
	f, err := os.Open(filepath.Join(r.dir, name))
	if err != nil {
		return false
	}
	fi, err := f.Stat()
	dev, ino := identity(fi)
	if err != nil || dev != p.Dev || ino != p.Ino || fi.Size() < p.Offset {
		f.Close()
		return false
	}
	if _, err := f.Seek(p.Offset, 0); err != nil {
		f.Close()
		return false
	}
	r.f, r.pos = f, p
	return true
}

// openFrom opens the first file with an index above after (-1: the
// oldest), counting the numbers skipped as a gap.
func (r *reader) openFrom(fs []dataFile, after int) error {
	for _, f := range fs {
		if f.Index <= after && after >= 0 {
			continue
		}
		if after >= 0 && f.Index > after+1 {
			r.onGap(f.Index-after-1, f.Name)
		}
		h, err := os.Open(filepath.Join(r.dir, f.Name))
		if errors.Is(err, os.ErrNotExist) {
			continue // removed since the listing
		}
		if err != nil {
			return err
		}
		fi, err := h.Stat()
		if err != nil {
			h.Close()
			return err
		}
		if r.f != nil {
			r.f.Close()
		}
		dev, ino := identity(fi)
		r.f, r.pos = h, position{Name: f.Name, Dev: dev, Ino: ino}
		r.start, r.end, r.eof, r.drained, r.sawNewer = 0, 0, false, false, false
		return nil
	}
	return nil
}

// next returns the next complete line, valid until the next call, and
// whether it was the last line in the files when read (live).
func (r *reader) next() (line []byte, live bool, err error) {
	for {
		if line, ok := r.cut(); ok {
			live = r.drained && bytes.IndexByte(r.buf[r.start:r.end], '\n') < 0
			return line, live, nil
		}
		if err := r.fill(); err != nil {
			return nil, false, err
		}
		if !r.eof {
			continue
		}
		moved, err := r.advance()
		if err != nil {
			return nil, false, err
		}
		if moved {
			continue
		}
		return nil, false, errNoData
	}
}

// woke tells r that the directory changed (its wake channel fired): the
// next read looks again past the end of file.
func (r *reader) woke() { r.eof = false }

func (r *reader) cut() ([]byte, bool) {
	for {
		i := bytes.IndexByte(r.buf[r.start:r.end], '\n')
		if i < 0 {
			return nil, false
		}
		line := r.buf[r.start : r.start+i]
		r.start += i + 1
		r.pos.Offset += int64(i + 1)
		if r.skipping {
			r.skipping = false
			continue
		}
		return line, true
	}
}

// fill reads more of the current file; eof says it had nothing.
func (r *reader) fill() error {
	if r.f == nil {
		r.eof, r.drained = true, true
		return nil
	}
	if r.start > 0 {
		r.end = copy(r.buf, r.buf[r.start:r.end])
		r.start = 0
	}
	if r.end == len(r.buf) { // an overlong line: drop what we have of it
		r.pos.Offset += int64(r.end)
		r.end, r.skipping = 0, true
	}
	want := len(r.buf) - r.end
	n, err := r.f.Read(r.buf[r.end:])
	r.end += n
	// A read of a regular file that returns less than asked for has
	// reached its end: the last line it brought is the newest written.
	r.eof, r.drained = n == 0, n < want
	if err != nil && n == 0 && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

// advance moves to the next file once the current one is complete: the
// logger writes only its newest file, so a file is complete when a newer
// one existed before the last read found nothing more.
func (r *reader) advance() (bool, error) {
	fs, err := listFiles(r.dir)
	if err != nil {
		return false, err
	}
	if r.f == nil {
		if len(fs) == 0 {
			return false, nil
		}
		return true, r.openFrom(fs, -1)
	}
	cur := nameIndex(r.pos.Name)
	newer := len(fs) > 0 && fs[len(fs)-1].Index > cur
	if !newer {
		return false, nil
	}
	if !r.sawNewer {
		r.sawNewer = true
		return true, nil // read once more: the last lines may have come since
	}
	return true, r.openFrom(fs, cur)
}

// seek repositions r at p (after a publish failed: back to the last
// acknowledged line).
func (r *reader) seek(p position) error {
	r.close()
	r.f, r.start, r.end, r.eof, r.drained, r.sawNewer, r.skipping = nil, 0, 0, false, false, false, false
	return r.open(p, true)
}

func (r *reader) close() {
	if r.f != nil {
		r.f.Close()
	}
}
