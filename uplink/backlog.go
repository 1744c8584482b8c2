package uplink

import (
	"os"
	"time"
)

// Backlog is the uplink's backlog in the data directory: bytes after its
// cursor, and when the cursor last moved. ok is false with no cursor.
func Backlog(dir string) (int64, time.Time, bool) {
	p, ok, err := loadCursor(dir)
	if !ok || err != nil {
		return 0, time.Time{}, false
	}
	fi, err := os.Stat(CursorPath(dir))
	if err != nil {
		return 0, time.Time{}, false
	}
	return sizeAfter(dir, p), fi.ModTime(), true
}
