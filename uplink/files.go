package uplink

import (
	"os"
	"path/filepath"
	"sensord/logger"
)

// The logger owns the data files' names and order: logger.DataFiles.
type dataFile = logger.DataFile

func listFiles(dir string) ([]dataFile, error) { return logger.DataFiles(dir) }

func nameIndex(name string) int { return logger.FileIndex(name) }

// sizeAfter is the number of bytes in the files after position p: the
// backlog.
func sizeAfter(dir string, p position) int64 {
	fs, _ := listFiles(dir)
	cur := nameIndex(p.Name)
	var n int64
	for _, f := range fs {
		fi, err := os.Stat(filepath.Join(dir, f.Name))
		switch {
		case err != nil:
		case f.Name == p.Name:
			n += max(0, fi.Size()-p.Offset)
		case f.Index > cur:
			n += fi.Size()
		}
	}
	return n
}
