package uplink

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// StateDirName is the uplink's own folder in the data directory: the
// only place it writes there (its Landlock rule), created at its first
// start, so the data directory gains nothing without a broker.
const StateDirName = "uplink"

// CursorName is the cursor file in the state folder.
const CursorName = "cursor"

// legacyCursor is where releases before the state folder kept the cursor.
const legacyCursor = "uplink.cursor"

// stateDir is the uplink's folder in the data directory dir.
func stateDir(dir string) string { return filepath.Join(dir, StateDirName) }

// CursorPath is the cursor file of the data directory dir.
func CursorPath(dir string) string { return filepath.Join(stateDir(dir), CursorName) }

// prepareState creates the state folder and moves a cursor left by an
// older release into it, so an upgrade sends nothing twice.
func prepareState(dir string) error {
	if err := os.MkdirAll(stateDir(dir), 0o750); err != nil {
		return fmt.Errorf("uplink: %w; the uplink runs as the logger's user and needs to write in the data directory", err)
	}
	old := filepath.Join(dir, legacyCursor)
	if _, err := os.Stat(CursorPath(dir)); !os.IsNotExist(err) {
		return nil
	}
	if err := os.Rename(old, CursorPath(dir)); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("uplink: moving the cursor %s into %s: %w", old, stateDir(dir), err)
	}
	return nil
}

// position is where the reader stands: a file by identity (the name
// alone is not enough, a name may be reused after the directory was
// emptied) and the offset after the last line acknowledged.
type position struct {
	Name   string `json:"name"`
	Dev    uint64 `json:"dev"`
	Ino    uint64 `json:"ino"`
	Offset int64  `json:"offset"`
}

// identity returns the device and inode of an open file.
func identity(fi os.FileInfo) (dev, ino uint64) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Dev), st.Ino
	}
	return 0, 0
}

func loadCursor(dir string) (position, bool, error) {
	b, err := os.ReadFile(CursorPath(dir))
	if os.IsNotExist(err) {
		return position{}, false, nil
	}
	var p position
	if err == nil {
		err = json.Unmarshal(b, &p)
	}
	if err != nil {
		// A broken cursor costs duplicates, never losses: start over.
		return position{}, false, fmt.Errorf("uplink: cursor %s unreadable (%v); sending the files again from the start", CursorPath(dir), err)
	}
	return p, true, nil
}

// saveCursor writes p, so a crash leaves the old cursor or the new one,
// never half of one.
func saveCursor(dir string, p position) error {
	b, _ := json.Marshal(p)
	if err := writeState(CursorPath(dir), append(b, '\n')); err != nil {
		return fmt.Errorf("uplink: cursor: %w; can the uplink write to %s?", err, stateDir(dir))
	}
	return nil
}

// writeState writes one of the uplink's own files by temp file, fsync
// and rename.
func writeState(path string, b []byte) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	return err
}
