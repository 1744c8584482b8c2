package uplink

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// dataFile is one of the logger's sensord-NNNNNNNN-*.jsonl files; the
// logger numbers them consecutively, so a missing number is a file
// removed by rotation.
type dataFile struct {
	name  string
	index int
}

// listFiles returns the data files in dir, oldest first, as the logger
// orders them (by index, not by the clock time in the name).
func listFiles(dir string) ([]dataFile, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var fs []dataFile
	for _, e := range ents {
		n := e.Name()
		if e.Type().IsRegular() && strings.HasPrefix(n, "sensord-") && strings.HasSuffix(n, ".jsonl") {
			fs = append(fs, dataFile{n, nameIndex(n)})
		}
	}
	slices.SortStableFunc(fs, func(a, b dataFile) int {
		if a.index != b.index {
			return a.index - b.index
		}
		return strings.Compare(a.name, b.name)
	})
	return fs, nil
}

func nameIndex(name string) int {
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

// sizeAfter is the number of bytes in the files after position p: the
// backlog.
func sizeAfter(dir string, p position) int64 {
	fs, _ := listFiles(dir)
	cur := nameIndex(p.Name)
	var n int64
	for _, f := range fs {
		fi, err := os.Stat(filepath.Join(dir, f.name))
		switch {
		case err != nil:
		case f.name == p.Name:
			n += max(0, fi.Size()-p.Offset)
		case f.index > cur:
			n += fi.Size()
		}
	}
	return n
}
