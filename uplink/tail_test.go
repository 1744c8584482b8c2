package uplink

import (
	"testing"
)

// TestReaderLive: the last line in the files when read is live (its
// value goes to <src>/state), the ones before it are not; a line
// appended later is live in its turn.
func TestReaderLive(t *testing.T) {
	dir := t.TempDir()
	appendRecords(t, dir, 1, 1, 3)
	r := &reader{dir: dir}
	if err := r.open(position{}, false); err != nil {
		t.Fatal(err)
	}
	defer r.close()
	var lives []bool
	for {
		_, live, err := r.next()
		if err == errNoData {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		lives = append(lives, live)
	}
	if len(lives) != 3 || lives[0] || lives[1] || !lives[2] {
		t.Fatalf("live flags of three lines: %v, want [false false true]", lives)
	}
	appendRecords(t, dir, 1, 4, 4)
	r.woke()
	if _, live, err := r.next(); err != nil || !live {
		t.Fatalf("appended line: live %v, err %v; want live", live, err)
	}
}
