package daemon_test

import (
	"bufio"
	"net"
	"os/exec"
	"testing"
	"time"
)

func runBin(args ...string) (string, error) {
	out, err := exec.Command(bin, args...).CombinedOutput()
	return string(out), err
}

// rawCall sends raw bytes to the control socket and returns the reply.
func rawCall(t *testing.T, path, req string) string {
	t.Helper()
	c, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	go c.Write([]byte(req))
	line, _ := bufio.NewReader(c).ReadString('\n')
	return line
}
