package uplink

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
)

// latestSamples returns the newest sample line of each source, read
// backwards from the end of the newest files: the current value that is
// published first after an outage.
func latestSamples(dir string) map[string][]byte {
	out := map[string][]byte{}
	fs, _ := listFiles(dir)
	for i := len(fs) - 1; i >= 0 && len(fs)-i <= 2 && len(out) < 2; i-- {
		tailLines(filepath.Join(dir, fs[i].Name), func(line []byte) {
			if src := sampleSource(line); src != "" && out[src] == nil {
				out[src] = append([]byte(nil), line...)
			}
		})
	}
	return out
}

// tailLines calls fn with the complete lines of the last 256 KiB of the
// file, newest first.
func tailLines(path string, fn func([]byte)) {
	f, err := os.Open(path)
	if err != nil {
		return
	}
	defer f.Close()
	end, _ := f.Seek(0, io.SeekEnd)
	off := max(0, end-256<<10)
	b := make([]byte, end-off)
	n, _ := f.ReadAt(b, off)
	b = b[:n]
	if off > 0 { // the first line is cut
		b = b[bytes.IndexByte(b, '\n')+1:]
	}
	b = b[:bytes.LastIndexByte(b, '\n')+1] // no torn last line
	for len(b) > 0 {
		b = b[:len(b)-1]
		i := bytes.LastIndexByte(b, '\n')
		fn(b[i+1:])
		b = b[:i+1]
	}
}
