package logger

import (
	"bytes"
	"slices"
)

// history is what a starting logger learns from the end of the files:
// per source, the identities of its last records (oldest first) and its
// last sample record.
type history struct {
	past map[string][]ident
	last map[string]*ident
}

// maxPast bounds the identities kept per source: more frames than this
// cannot be waiting in a 1 MiB pipe (a frame is at least 40 bytes).
const maxPast = 1 << 15

// readHistory reads the files backwards. Records in the last budget
// bytes are remembered for duplicate detection: budget must cover the
// records of every frame that can still be in the pipes. Beyond it, the
// scan goes on only until every source in names has a last sample.
func readHistory(files []dataFile, budget int, names ...string) (history, error) {
	h := history{past: map[string][]ident{}, last: map[string]*ident{}}
	done := func() bool {
		return !slices.ContainsFunc(names, func(n string) bool { return h.last[n] == nil })
	}
	prefixes := make([][]byte, len(names))
	for i, n := range names {
		prefixes[i] = []byte(`{"src":"` + n + `"`)
	}
	scanned := 0
	err := linesBackward(files, func(line []byte) bool {
		scanned += len(line) + 1
		if scanned > budget && !slices.ContainsFunc(prefixes, func(p []byte) bool {
			return bytes.HasPrefix(line, p) && h.last[string(p[8:len(p)-1])] == nil
		}) {
			return !done()
		}
		r, k, err := parseRecord(line)
		if err != nil || k == kindGap {
			return true
		}
		id := r.ident(k)
		if scanned <= budget && len(h.past[r.Src]) < maxPast {
			h.past[r.Src] = append(h.past[r.Src], id)
		}
		if (k == kindLight || k == kindMotion) && h.last[r.Src] == nil {
			h.last[r.Src] = &id
		}
		return scanned <= budget || !done()
	})
	for _, p := range h.past {
		slices.Reverse(p)
	}
	return h, err
}
