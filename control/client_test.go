package control

import (
	"bufio"
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"
)

// serve answers each request line on a socket in a temporary directory
// with reply(line) and returns the client.
func serve(t *testing.T, reply func(string) string) Client {
	t.Helper()
	path := SocketPath(t.TempDir())
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				sc := bufio.NewScanner(c)
				for sc.Scan() {
					_, _ = c.Write([]byte(reply(sc.Text()) + "\n"))
				}
			}()
		}
	}()
	return Client{Path: path}
}

// TestClient: requests go out as one JSON line, a status decodes with
// its null times and signals, and an error reply becomes an error.
func TestClient(t *testing.T) {
	c := serve(t, func(req string) string {
		switch req {
		case `{"cmd":"status"}`:
			return `{"pid":7,"started_at":"2026-11-21T10:00:00Z","version":"1.2.3","children":[` +
				`{"name":"light","pid":0,"state":"backoff","gen":3,"started_at":null,` +
				`"last_exit":{"at":"2026-11-21T10:00:01Z","exit_code":null,"signal":"SIGSEGV","core_dumped":true}}]}`
		case `{"cmd":"restart","name":"gui"}`:
			return `{"ok":true,"message":"restarting gui"}`
		}
		return `{"error":"unknown command"}`
	})
	ctx := context.Background()
	st, err := c.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	l := st.Child("light")
	if st.PID != 7 || l == nil || l.Gen != 3 || l.StartedAt != nil || l.LastExit.SignalName() != "SIGSEGV" {
		t.Errorf("status decoded as %+v, light %+v", st, l)
	}
	if st.Child("nope") != nil {
		t.Error("Child of an unknown name is not nil")
	}
	if r, err := c.Restart(ctx, "gui"); err != nil || !r.OK {
		t.Errorf("restart: %+v %v", r, err)
	}
	if err := c.Stop(ctx); err == nil || !strings.Contains(err.Error(), "unknown command") {
		t.Errorf("an error reply gave %v", err)
	}
}

// TestClientNoDaemon: the error says where it looked and what to try.
func TestClientNoDaemon(t *testing.T) {
	c := Client{Path: filepath.Join(t.TempDir(), SocketName)}
	_, err := c.Status(context.Background())
	if err == nil || !strings.Contains(err.Error(), c.Path) || !strings.Contains(err.Error(), "is sensord running?") {
		t.Errorf("no daemon: %v", err)
	}
}
