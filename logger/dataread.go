package logger

import (
	"bufio"
	"errors"
	"io"
	"os"
)

// line is one line of a data file as the readers of `sensord data` see
// it: a record, a duplicate of one, or a torn or damaged line.
type line struct {
	file string
	no   int // 1-based line number in file
	raw  []byte
	rec  Record
	kind kind
	torn bool // no newline at the end: a write cut short
	bad  error
	dup  bool
}

// dedupWindow is how many recent records per source a reader remembers
// to drop duplicates: a duplicate follows its original by at most what
// one pipe can hold.
const dedupWindow = 1 << 16

type dedup struct {
	seen map[ident]struct{}
	ring []ident
	pos  int
}

// add reports whether id was seen in the window already, and remembers it.
func (d *dedup) add(id ident) bool {
	if _, ok := d.seen[id]; ok {
		return true
	}
	if len(d.ring) < dedupWindow {
		d.ring = append(d.ring, id)
	} else {
		delete(d.seen, d.ring[d.pos])
		d.ring[d.pos] = id
		d.pos = (d.pos + 1) % dedupWindow
	}
	d.seen[id] = struct{}{}
	return false
}

// readData calls fn for every line of the data files in dir, in the
// order written, marking duplicates by (src, gen, seq) and exact time.
func readData(files []dataFile, fn func(*line) error) error {
	seen := map[string]*dedup{}
	for _, f := range files {
		err := eachLine(f.path, func(l *line) error {
			if l.torn || l.bad != nil {
				return fn(l)
			}
			d := seen[l.rec.Src]
			if d == nil {
				d = &dedup{seen: map[ident]struct{}{}}
				seen[l.rec.Src] = d
			}
			id := l.rec.ident(l.kind)
			if l.kind == kindGap {
				id.seq = l.rec.Gap.First
			}
			l.dup = d.add(id)
			return fn(l)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func eachLine(path string, fn func(*line) error) error {
	f, err := os.OpenFile(path, os.O_RDONLY|oNoFollow, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 256<<10)
	var long []byte
	l := line{file: path}
	for {
		b, err := r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			long = append(long, b...)
			continue
		}
		if long != nil {
			b, long = append(long, b...), nil
		}
		if len(b) > 0 {
			l.no++
			l.torn = b[len(b)-1] != '\n'
			if !l.torn {
				b = b[:len(b)-1]
			}
			l.raw = b
			l.rec, l.kind, l.bad = parseRecord(b)
			if ferr := fn(&l); ferr != nil {
				return ferr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}
