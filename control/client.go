package control

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"time"
)

// SocketName is the control socket's file name in the runtime directory.
const SocketName = "sensord.sock"

// SocketPath is the control socket in runtime directory dir.
func SocketPath(dir string) string { return filepath.Join(dir, SocketName) }

// Request is one request line.
type Request struct {
	Cmd  string `json:"cmd"`            // status, subscribe, restart, stop
	Name string `json:"name,omitempty"` // restart: the child
}

// Error is the reply to a request that failed.
type Error struct {
	Error string `json:"error"`
}

// OK acknowledges a command.
type OK struct {
	OK      bool   `json:"ok"`
	Message string `json:"message,omitempty"`
}

// Timeout bounds one request: the daemon answers from its watch loop,
// so a slower answer means it is stuck.
const Timeout = 5 * time.Second

// Client talks to the daemon's control socket at Path: one connection
// per request, one JSON line each way.
type Client struct {
	Path string
}

// Do sends req and decodes the reply line into reply (which may be a
// *json.RawMessage). An {"error": ...} reply becomes an error.
func (c Client) Do(ctx context.Context, req Request, reply any) error {
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	conn, err := c.dial(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	b, _ := json.Marshal(req)
	if _, err := conn.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("control: send to %s: %w", c.Path, err)
	}
	line, err := bufio.NewReader(conn).ReadBytes('\n')
	if err != nil && len(line) == 0 {
		return fmt.Errorf("control: no reply from %s: %w", c.Path, err)
	}
	return decodeReply(line, reply)
}

// errBadReply is a reply line that does not decode.
var errBadReply = errors.New("control: bad reply")

// dial connects to the daemon within ctx.
func (c Client) dial(ctx context.Context) (net.Conn, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", c.Path)
	if err != nil {
		return nil, fmt.Errorf("control: cannot reach the daemon at %s: %w; is sensord running? (try --runtime-dir)", c.Path, err)
	}
	return conn, nil
}

func decodeReply(line []byte, reply any) error {
	var e Error
	if json.Unmarshal(line, &e) == nil && e.Error != "" {
		return fmt.Errorf("daemon: %s", e.Error)
	}
	if err := json.Unmarshal(line, reply); err != nil {
		return fmt.Errorf("%w: %w", errBadReply, err)
	}
	return nil
}

// Status asks for the daemon's status.
func (c Client) Status(ctx context.Context) (*Status, error) {
	var s Status
	if err := c.Do(ctx, Request{Cmd: "status"}, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// Restart asks the daemon to restart child name.
func (c Client) Restart(ctx context.Context, name string) (OK, error) {
	var r OK
	err := c.Do(ctx, Request{Cmd: "restart", Name: name}, &r)
	return r, err
}

// Stop asks the daemon to stop the whole appliance.
func (c Client) Stop(ctx context.Context) error {
	var r OK
	return c.Do(ctx, Request{Cmd: "stop"}, &r)
}
