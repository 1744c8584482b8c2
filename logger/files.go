package logger

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// dataFile is one sensord-*.jsonl file with its path (see DataFiles).
type dataFile struct {
	path  string
	index int // 0 if the name carries none
}

// fileName is the name of data file number index, created at t.
func fileName(index int, t time.Time) string {
	return fmt.Sprintf("sensord-%08d-%s.jsonl", index, t.UTC().Format("20060102T150405Z"))
}

// DataFile is one data file as DataFiles lists it: its name in the
// data directory and the index in that name (0 if it carries none). The
// logger numbers its files one after the other, so a missing index is a
// file that rotation removed.
type DataFile struct {
	Name  string
	Index int
}

// DataFiles returns the data files in dir, oldest first: by the index in
// their name, not by the time in it (a Pi without a clock battery may
// boot with a clock earlier than the last file's). It is the one rule
// for the logger, `sensord data` and the uplink.
func DataFiles(dir string) ([]DataFile, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var fs []DataFile
	for _, e := range ents {
		n := e.Name()
		if !e.Type().IsRegular() || !strings.HasPrefix(n, "sensord-") || !strings.HasSuffix(n, ".jsonl") {
			continue
		}
		fs = append(fs, DataFile{Name: n, Index: FileIndex(n)})
	}
	slices.SortStableFunc(fs, func(a, b DataFile) int {
		if a.Index != b.Index {
			return a.Index - b.Index
		}
		return strings.Compare(a.Name, b.Name)
	})
	return fs, nil
}

// FileIndex is the index in a data file's name, 0 if it carries none.
func FileIndex(name string) int {
	s := strings.TrimSuffix(strings.TrimPrefix(name, "sensord-"), ".jsonl")
	if i := strings.IndexByte(s, '-'); i >= 0 {
		s = s[:i]
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// listFiles is DataFiles with each file's path.
func listFiles(dir string) ([]dataFile, error) {
	fs, err := DataFiles(dir)
	out := make([]dataFile, len(fs))
	for i, f := range fs {
		out[i] = dataFile{path: filepath.Join(dir, f.Name), index: f.Index}
	}
	return out, err
}

// linesBackward calls fn with each complete line (without its newline)
// of the files, newest line first, until fn returns false. A torn last
// line (no newline) is not complete and is passed over.
func linesBackward(files []dataFile, fn func(line []byte) bool) error {
	for i := len(files) - 1; i >= 0; i-- {
		more, err := fileBackward(files[i].path, fn)
		if err != nil || !more {
			return err
		}
	}
	return nil
}

const backChunk = 256 << 10

func fileBackward(path string, fn func(line []byte) bool) (bool, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|oNoFollow, 0)
	if err != nil {
		return false, err
	}
	defer f.Close()
	end, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return false, err
	}
	var carry []byte // the start of a line whose rest was read already
	buf := make([]byte, backChunk)
	torn := true // the bytes after the last newline are no line
	for end > 0 {
		n := min(end, backChunk)
		end -= n
		if _, err := f.ReadAt(buf[:n], end); err != nil {
			return false, err
		}
		chunk := append(buf[:n:n], carry...)
		for {
			i := bytes.LastIndexByte(chunk, '\n')
			if i < 0 {
				break
			}
			line := chunk[i+1:]
			if !torn && len(line) > 0 && !fn(line) {
				return false, nil
			}
			torn, chunk = false, chunk[:i]
		}
		carry = append([]byte(nil), chunk...)
	}
	if !torn && len(carry) > 0 && !fn(carry) {
		return false, nil
	}
	return true, nil
}
