package daemon

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// genBlock is how many generations are reserved on disk at a time, so
// that the state file is written once per genBlock starts, not per start.
const genBlock = 1000

// generations keeps each child's generation numbers unique across
// daemon restarts and reboots, so that (src, gen, seq) names a sample
// for good in the data files. The file holds, per role, the highest
// generation that may have been used; the daemon reserves blocks ahead
// and never reuses one, even after a crash of its own.
type generations struct {
	path     string
	reserved map[string]uint32
}

// loadGenerations reads the state file at path (missing: all zero).
func loadGenerations(path string) (*generations, error) {
	g := &generations{path: path, reserved: map[string]uint32{}}
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return g, nil
	}
	if err != nil {
		return nil, fmt.Errorf("daemon: generations: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		name, n, ok := strings.Cut(sc.Text(), " ")
		if v, err := strconv.ParseUint(n, 10, 32); ok && err == nil {
			g.reserved[name] = uint32(v)
		}
	}
	return g, nil
}

// start returns the generation to count from for role: nothing at or
// below it was used before.
func (g *generations) start(role string) uint32 { return g.reserved[role] }

// reserve makes sure gen is covered by the reservation on disk.
func (g *generations) reserve(role string, gen uint32) error {
	if gen <= g.reserved[role] {
		return nil
	}
	g.reserved[role] = gen + genBlock - 1
	return g.save()
}

// save writes the file with a rename, so it is never half written.
func (g *generations) save() error {
	var b strings.Builder
	for _, name := range append(childNames[:], uplinkName) {
		if name == uplinkName && g.reserved[name] == 0 {
			continue // no broker: the file stays as it was
		}
		fmt.Fprintf(&b, "%s %d\n", name, g.reserved[name])
	}
	tmp := g.path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return fmt.Errorf("daemon: generations: %w", err)
	}
	_, err = f.WriteString(b.String())
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, g.path)
	}
	if err != nil {
		return fmt.Errorf("daemon: generations: %w", err)
	}
	if d, err := os.Open(filepath.Dir(g.path)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
