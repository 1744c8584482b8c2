package uplink

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// CursorName is the cursor file in the data directory.
const CursorName = "uplink.cursor"

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
	b, err := os.ReadFile(filepath.Join(dir, CursorName))
	if os.IsNotExist(err) {
		return position{}, false, nil
	}
	var p position
	if err == nil {
		err = json.Unmarshal(b, &p)
	}
	if err != nil {
		// A broken cursor costs duplicates, never losses: start over.
		return position{}, false, fmt.Errorf("uplink: cursor %s unreadable (%v); sending the files again from the start", filepath.Join(dir, CursorName), err)
	}
	return p, true, nil
}

// saveCursor writes p by temp file and rename, so a crash leaves the old
// cursor or the new one, never half of one.
func saveCursor(dir string, p position) error {
	b, _ := json.Marshal(p)
	tmp := filepath.Join(dir, CursorName+".tmp")
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return fmt.Errorf("uplink: cursor: %w; can the uplink write to the data directory?", err)
	}
	_, err = f.Write(append(b, '\n'))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, CursorName))
	}
	if err != nil {
		return fmt.Errorf("uplink: cursor: %w", err)
	}
	return nil
}
