package sensor

import (
	"bytes"
	"context"
	"flag"
	"io"
	"log/slog"
	"sensord/ipc"
	"sensord/ipc/ipctest"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestSensorOut: samples and status go to both pipes, replies to the
// GUI only, a status equal to the last one is not sent again, and a
// write error other than a drop is logged once.
func TestSensorOut(t *testing.T) {
	gf, gw := ipctest.ReadPipe(t, 0)
	lf, lw := ipctest.ReadPipe(t, 0)
	var logs bytes.Buffer
	o := NewOut(7, ipc.NewWriter(gw), ipc.NewWriter(lw), slog.New(slog.NewTextHandler(&logs, nil)))
	now := time.Unix(1795255200, 0)
	o.SetClock(StampsFrom(func() time.Time { return now }))
	o.SetStatus(ipc.SensorStatus{Health: ipc.HealthOK})
	o.SetStatus(ipc.SensorStatus{Health: ipc.HealthOK}) // the same: not sent
	o.Both(&ipc.LightSample{Lux: 1})
	o.Reply(&ipc.Reply{ID: 1, Op: ipc.OpInfo, OK: true})
	o.ResendStatus()
	gui, logger := ipc.NewReader(gf), ipc.NewReader(lf)
	for _, want := range []ipc.Type{ipc.TypeStatus, ipc.TypeLight, ipc.TypeReply, ipc.TypeStatus} {
		if f, err := gui.Next(); err != nil || f.Type != want || f.Gen != 7 || f.Wall != now.UnixNano() {
			t.Fatalf("gui pipe: %+v, %v; want %s of gen 7", f.Header, err, want)
		}
	}
	for _, want := range []ipc.Type{ipc.TypeStatus, ipc.TypeLight, ipc.TypeStatus} {
		if f, err := logger.Next(); err != nil || f.Type != want {
			t.Fatalf("logger pipe: %+v, %v; want %s", f.Header, err, want)
		}
	}

	bad := NewOut(1, ipc.NewWriter(-1), ipc.NewWriter(-1), slog.New(slog.NewTextHandler(&logs, nil)))
	bad.Both(&ipc.LightSample{Lux: 1})
	bad.Both(&ipc.LightSample{Lux: 2})
	if n := strings.Count(logs.String(), "writing to a pipe failed"); n != 1 {
		t.Errorf("write error logged %d times; want once:\n%s", n, logs.String())
	}
}

// TestStartCommands: commands come through in order, other frames are
// logged and skipped, and stop ends the reading goroutine while the
// pipe is still open and empty.
func TestStartCommands(t *testing.T) {
	rx, w := ipctest.ReadPipe(t, 0)
	var logs bytes.Buffer
	cmds, stop := StartCommands(context.Background(), rx, slog.New(slog.NewTextHandler(&logs, nil)))
	snd, wr := ipc.NewSender(1), ipc.NewWriter(w)
	for _, m := range []ipc.Message{&ipc.Command{ID: 1, Op: ipc.OpInfo}, &ipc.LightSample{Lux: 2}, &ipc.Command{ID: 2, Op: ipc.OpResend}} {
		if err := snd.Send(m, wr); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range []uint32{1, 2} {
		if c := <-cmds; c.ID != want {
			t.Fatalf("command %+v; want ID %d", c, want)
		}
	}
	stop() // returns only once the goroutine has ended
	if !strings.Contains(logs.String(), "ignored a frame on the command pipe") {
		t.Errorf("the light sample on the command pipe was not logged: %s", logs.String())
	}
}

// TestSensorFlags: the flags parse into a generation and ends, and a bad
// descriptor is refused naming the role and the flag.
func TestSensorFlags(t *testing.T) {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_NONBLOCK|unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(p[1]) })
	_, gw := ipctest.ReadPipe(t, 0)
	_, lw := ipctest.ReadPipe(t, 0)
	fs := flag.NewFlagSet("light", flag.ContinueOnError)
	sf := AddFlags(fs, "light")
	args := []string{"--gen", "4", "--rx", strconv.Itoa(p[0]), "--tx-gui", strconv.Itoa(gw), "--tx-logger", strconv.Itoa(lw)}
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	if sf.Gen() != 4 {
		t.Errorf("Gen %d; want 4", sf.Gen())
	}
	log := slog.New(slog.DiscardHandler)
	ends, err := sf.Open(log)
	if err != nil {
		t.Fatal(err)
	}
	ends.Rx.(io.Closer).Close()
	if err := fs.Set("tx-logger", "-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := sf.Open(log); err == nil || !strings.HasPrefix(err.Error(), "light: --tx-logger: ") {
		t.Errorf("Open with --tx-logger -1: %v; want a light: --tx-logger: error", err)
	}
}

// TestOutZeroAllocs: a sample dropped on a full pipe costs no
// allocation (the hot path of a sensor whose reader is stopped).
func TestOutZeroAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	_, fd := ipctest.ReadPipe(t, 4096)
	fw := ipc.NewWriter(fd)
	out := NewOut(1, fw, fw, slog.Default())
	light := &ipc.LightSample{Lux: 312.5}
	for fw.Stats.Dropped == 0 {
		out.Both(light)
	}
	if n := testing.AllocsPerRun(1000, func() { out.Both(light) }); n != 0 {
		t.Errorf("Out.Both dropped: %v allocations per frame, want 0", n)
	}
}
