package ipc

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func newLedger(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "light.drops")
	if err := CreateLedger(path, -1); err != nil {
		t.Fatal(err)
	}
	return path
}

func openLedger(t *testing.T, path string) *Ledger {
	t.Helper()
	l, err := OpenLedger(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// fullWriter returns a Writer on a pipe filled to the last byte, and
// the pipe's read end.
func fullWriter(t *testing.T) (*Writer, *os.File) {
	t.Helper()
	f, wfd := newPipe(t, 4096)
	for {
		if _, err := unix.Write(wfd, make([]byte, 512)); err != nil {
			break
		}
	}
	for {
		if _, err := unix.Write(wfd, []byte{0}); err != nil {
			break
		}
	}
	return NewWriter(wfd), f
}

// drain reads the pipe empty (its contents are not frames), without
// waiting, through the raw descriptor so it stays non-blocking.
func drain(t *testing.T, f *os.File) {
	t.Helper()
	rc, err := f.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 1<<16)
	rc.Read(func(fd uintptr) bool {
		for {
			if n, err := unix.Read(int(fd), b); n <= 0 || err != nil {
				return true
			}
		}
	})
}

// TestLedgerCarriesDropsOverDeath: a generation drops samples on a full
// pipe and dies before it can report them; the next generation, on the
// same ledger, reports them under the old generation's number before
// its own first frame.
func TestLedgerCarriesDropsOverDeath(t *testing.T) {
	path := newLedger(t)
	w, f := fullWriter(t)
	l1 := openLedger(t, path)
	w.UseLedger(l1, 1)
	for seq := uint64(5); seq <= 7; seq++ {
		if err := w.WriteFrame(lightFrame(t, 4, seq), Header{Type: TypeLight, Gen: 4, Seq: seq}); err != ErrDropped {
			t.Fatalf("seq %d on a full pipe: %v; want ErrDropped", seq, err)
		}
	}
	l1.Close() // generation 4 dies
	drain(t, f)

	w2 := NewWriter(w.Fd())
	w2.UseLedger(openLedger(t, path), 1)
	if err := w2.WriteFrame(lightFrame(t, 5, 1), Header{Type: TypeLight, Gen: 5, Seq: 1}); err != nil {
		t.Fatal(err)
	}
	r := NewReader(f)
	fr, err := r.Next()
	var rep DropReport
	if err != nil || fr.Type != TypeDrop || fr.Gen != 4 || rep.UnmarshalPayload(fr.Payload) != nil {
		t.Fatalf("first frame %+v, %v; want gen 4's drop report", fr.Header, err)
	}
	if want := (DropReport{Frames: 3, Samples: 3, First: 5, Last: 7}); rep != want {
		t.Errorf("report %+v; want %+v", rep, want)
	}
	if fr, err := r.Next(); err != nil || fr.Type != TypeLight || fr.Gen != 5 || fr.Seq != 1 {
		t.Errorf("second frame %+v, %v; want gen 5 seq 1", fr.Header, err)
	}
	// Reported once: a third generation has nothing to say.
	w3 := NewWriter(w.Fd())
	w3.UseLedger(openLedger(t, path), 1)
	if w3.dirty {
		t.Errorf("ledger still holds %+v after the report was written", w3.pending(4))
	}
}

// TestLedgerPipesAreSeparate: drops on one pipe are reported on that
// pipe only.
func TestLedgerPipesAreSeparate(t *testing.T) {
	l := openLedger(t, newLedger(t))
	w, _ := fullWriter(t)
	w.UseLedger(l, 0)
	w.WriteFrame(lightFrame(t, 1, 1), Header{Type: TypeLight, Gen: 1, Seq: 1})
	other := NewWriter(-1)
	other.UseLedger(l, 1)
	if other.dirty || w.pending(1).Frames != 1 {
		t.Errorf("pipe 1 dirty %v, pipe 0 pending %+v", other.dirty, w.pending(1))
	}
}

// TestLedgerManyDeadGenerations: more generations die with unreported
// drops than there are slots. Every report is still sent, oldest first,
// and no dropped frame goes uncounted.
func TestLedgerManyDeadGenerations(t *testing.T) {
	path := newLedger(t)
	w, f := fullWriter(t)
	const gens = LedgerSlots + 3
	for gen := uint32(1); gen <= gens; gen++ {
		wg := NewWriter(w.Fd())
		l := openLedger(t, path)
		wg.UseLedger(l, 1)
		for seq := uint64(1); seq <= uint64(gen); seq++ {
			if wg.WriteFrame(lightFrame(t, gen, seq), Header{Type: TypeLight, Gen: gen, Seq: seq}) != ErrDropped {
				t.Fatal("frame not dropped on a full pipe")
			}
		}
		l.Close()
	}
	drain(t, f)
	wn := NewWriter(w.Fd())
	wn.UseLedger(openLedger(t, path), 1)
	if err := wn.WriteFrame(lightFrame(t, 99, 1), Header{Type: TypeLight, Gen: 99, Seq: 1}); err != nil {
		t.Fatal(err)
	}
	r := NewReader(f)
	var total, lastGen uint64
	for {
		fr, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		if fr.Type != TypeDrop {
			break
		}
		var rep DropReport
		rep.UnmarshalPayload(fr.Payload)
		if uint64(fr.Gen) <= lastGen {
			t.Errorf("report of gen %d after gen %d", fr.Gen, lastGen)
		}
		lastGen = uint64(fr.Gen)
		total += rep.Samples
	}
	if want := uint64(gens * (gens + 1) / 2); total != want {
		t.Errorf("reports count %d dropped samples; want %d", total, want)
	}
	if lastGen != gens {
		t.Errorf("last report for gen %d; want %d", lastGen, gens)
	}
}

func TestCreateLedger(t *testing.T) {
	path := newLedger(t)
	l := openLedger(t, path)
	l.pipe(1)[0].add(Header{Type: TypeLight, Gen: 3, Seq: 9})
	if err := CreateLedger(path, -1); err != nil {
		t.Fatal(err)
	}
	if s := openLedger(t, path).pipe(1)[0]; s.gen != 3 || s.rep.Frames != 1 {
		t.Errorf("CreateLedger on a valid ledger lost its contents: %+v", s)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o660 {
		t.Errorf("mode %v, %v; want 0660", st.Mode(), err)
	}

	bad := filepath.Join(t.TempDir(), "bad")
	os.WriteFile(bad, []byte("something else"), 0o644)
	if _, err := OpenLedger(bad); err == nil || !strings.Contains(err.Error(), "not a drop ledger") {
		t.Errorf("OpenLedger on another file: %v", err)
	}
	if err := CreateLedger(bad, -1); err != nil {
		t.Fatal(err)
	}
	if s := openLedger(t, bad).pipe(0)[0]; s.inUse() {
		t.Errorf("a rewritten ledger starts with %+v", s)
	}

	link := filepath.Join(t.TempDir(), "link")
	os.Symlink(path, link)
	if CreateLedger(link, -1) == nil {
		t.Error("CreateLedger followed a symbolic link")
	}
	if _, err := OpenLedger(link); err == nil {
		t.Error("OpenLedger followed a symbolic link")
	}
}
