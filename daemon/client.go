package daemon

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"path/filepath"
	"time"
)

// SocketName is the control socket's file name in the runtime directory.
const SocketName = "sensord.sock"

// Call sends one request to the daemon's control socket at path and
// decodes the reply into out. A reply {"error": ...} becomes an error.
func Call(path string, req map[string]string, out any) error {
	conn, err := net.DialTimeout("unix", path, 2*time.Second)
	if err != nil {
		return fmt.Errorf("cannot reach the daemon at %s: %w; is sensord running? (try --runtime-dir)", path, err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	if err := json.NewEncoder(conn).Encode(req); err != nil {
		return fmt.Errorf("send to %s: %w", path, err)
	}
	line, err := bufio.NewReader(conn).ReadBytes('\n')
	if err != nil {
		return fmt.Errorf("read reply from %s: %w", path, err)
	}
	var e errorReply
	if json.Unmarshal(line, &e) == nil && e.Error != "" {
		return fmt.Errorf("daemon: %s", e.Error)
	}
	return json.Unmarshal(line, out)
}

// socketPath is the control socket in a runtime directory.
func socketPath(runtimeDir string) string { return filepath.Join(runtimeDir, SocketName) }
