package ipc

import (
	"bytes"
	"fmt"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// A Ledger keeps a sender's unreported drop counts in a small shared
// file mapping, so they outlive the process. A Writer counts the frames
// it drops on a full pipe and reports them before its next frame there;
// if the process dies first, the count would die with it, and since the
// next generation starts at seq 1 no reader could see the hole at the
// end of the old one. With a Ledger the count is in the mapping, and
// the next generation (which opens the same file) reports it, under the
// old generation's number, before its own first frame.
//
// The file holds a 16-byte magic and, for each of LedgerPipes pipes,
// LedgerSlots slots of five little-endian uint64: generation, frames,
// samples, first and last seq: one pending DropReport per generation. A
// slot is in use while its frames count is not zero. Only one process
// uses a ledger at a time (the supervisor starts a generation only once
// the last one is reaped), so there is no locking; updates are ordered
// so that a process killed between two stores leaves a usable slot. A
// report is cleared only after its write succeeded, so a process killed
// between the two has its successor send it again: a drop may be
// reported twice, never not at all (`sensord data verify` counts such a
// repeat once).
type Ledger struct {
	mem []byte
}

// Ledger layout.
const (
	LedgerPipes = 2 // a sensor's two write ends: the GUI pipe and the logger pipe
	LedgerSlots = 8 // pending reports per pipe (generations)
	LedgerSize  = 4096
	ledgerMagic = "sensord-drops\x00v1"
)

// slot is one pending DropReport in a ledger. It contains no pointers,
// so it may live in memory Go does not manage.
type slot struct {
	gen uint64
	rep DropReport
}

type slots = [LedgerSlots]slot

func init() {
	if len(ledgerMagic) != 16 || 16+LedgerPipes*int(unsafe.Sizeof(slots{})) > LedgerSize {
		panic("ipc: ledger layout does not fit")
	}
}

// CreateLedger makes the ledger file at path, or keeps it if it is
// already a valid one: the caller's, group gid (-1: unchanged), mode
// 0660, so the sensor reaches it through its group (OpenShared).
func CreateLedger(path string, gid int) error {
	fd, err := OpenShared(path, gid, 0o660)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	if checkLedgerFile(fd) == nil {
		return nil
	}
	head := make([]byte, LedgerSize)
	copy(head, ledgerMagic)
	if err := unix.Ftruncate(fd, 0); err != nil {
		return fmt.Errorf("ipc: drop ledger %s: %w", path, err)
	}
	if _, err := unix.Pwrite(fd, head, 0); err != nil {
		return fmt.Errorf("ipc: drop ledger %s: %w", path, err)
	}
	return nil
}

// checkLedgerFile reports whether fd is a regular file holding a ledger.
func checkLedgerFile(fd int) error {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG || st.Size != LedgerSize {
		return fmt.Errorf("not a drop ledger (a regular file of %d bytes)", LedgerSize)
	}
	var magic [16]byte
	if _, err := unix.Pread(fd, magic[:], 0); err != nil {
		return err
	}
	if string(magic[:]) != ledgerMagic {
		return fmt.Errorf("not a drop ledger (bad magic %q)", bytes.TrimRight(magic[:], "\x00"))
	}
	return nil
}

// OpenLedger maps the ledger file at path, made by CreateLedger. It
// keeps no descriptor open: the mapping is enough.
func OpenLedger(path string) (*Ledger, error) {
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("ipc: drop ledger %s: %w", path, err)
	}
	defer unix.Close(fd)
	if err := checkLedgerFile(fd); err != nil {
		return nil, fmt.Errorf("ipc: drop ledger %s: %w", path, err)
	}
	mem, err := unix.Mmap(fd, 0, LedgerSize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("ipc: drop ledger %s: mmap: %w", path, err)
	}
	return &Ledger{mem: mem}, nil
}

// Close unmaps the ledger. Writers using it must not be used after.
func (l *Ledger) Close() error {
	if l.mem == nil {
		return nil
	}
	err := unix.Munmap(l.mem)
	l.mem = nil
	return err
}

// pipe returns the slots of pipe i (0 ≤ i < LedgerPipes).
func (l *Ledger) pipe(i int) *slots {
	off := 16 + i*int(unsafe.Sizeof(slots{}))
	return (*slots)(unsafe.Pointer(&l.mem[off]))
}

// inUse reports whether s holds a pending report.
func (s *slot) inUse() bool { return atomic.LoadUint64(&s.rep.Frames) != 0 }

// add counts one dropped frame of generation gen in s, which is free or
// already gen's. The frames count is stored last, atomically, so a
// process killed in between leaves the slot free or consistent but for
// that one frame.
func (s *slot) add(h Header) {
	if !s.inUse() {
		s.gen, s.rep = uint64(h.Gen), DropReport{}
	}
	if h.Type.IsSample() {
		s.rep.Samples++
		if s.rep.First == 0 {
			s.rep.First = h.Seq
		}
		s.rep.Last = h.Seq
	}
	atomic.StoreUint64(&s.rep.Frames, s.rep.Frames+1)
}

// clear frees s once its report is written.
func (s *slot) clear() { atomic.StoreUint64(&s.rep.Frames, 0) }

// The pipes of a sensor's ledger.
const (
	LedgerGUI    = 0 // the sensor's *-gui pipe
	LedgerLogger = 1 // the sensor's *-logger pipe
)
