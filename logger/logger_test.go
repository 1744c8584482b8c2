package logger

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"sensord/ipc"
	"sensord/ipc/ipctest"
)

func TestRecordsExact(t *testing.T) {
	motion, light := ipctest.NewPipe(t, 0), ipctest.NewPipe(t, 0)
	c := testConfig(t, motion, light)
	stop := startRun(t, c)

	ls, ms := newSender(3), newSender(1)
	lw, mw := ipc.NewWriter(light.W), ipc.NewWriter(motion.W)
	send := func(s *ipc.Sender, m ipc.Message, w *ipc.Writer) {
		if err := s.Send(m, w); err != nil {
			t.Fatal(err)
		}
	}
	send(ls, &ipc.LightSample{Lux: 312.5}, lw)
	send(ls, &ipc.SensorStatus{Health: ipc.HealthOffline, Reason: `i2c-1 0x23: NACK "x"`}, lw)
	send(ls, &ipc.LightSample{Lux: 0.25}, lw)
	since := testBase.Add(-time.Minute).UnixNano()
	send(ms, &ipc.MotionState{Motion: true, Since: since}, mw)
	send(ms, &ipc.MotionState{Motion: false, Since: since + 4e9, Last: 4500 * time.Millisecond}, mw)
	send(ms, &ipc.Command{ID: 1, Op: ipc.OpInfo}, mw) // no record
	ipctest.Eventually(t, "5 records", func() bool { return len(dataLines(t, c.Dir)) == 5 })
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	lines := dataLines(t, c.Dir)
	wantLight := []string{
		`{"src":"light","gen":3,"seq":1,"t":"2026-11-21T10:00:00.001Z","lux":312.5}`,
		`{"src":"light","gen":3,"t":"2026-11-21T10:00:00.002Z","status":"offline","reason":"i2c-1 0x23: NACK \"x\""}`,
		`{"src":"light","gen":3,"seq":2,"t":"2026-11-21T10:00:00.003Z","lux":0.25}`,
	}
	wantMotion := []string{
		`{"src":"motion","gen":1,"seq":1,"t":"2026-11-21T10:00:00.001Z","motion":true,"since":"2026-11-21T09:59:00Z"}`,
		`{"src":"motion","gen":1,"seq":2,"t":"2026-11-21T10:00:00.002Z","motion":false,"since":"2026-11-21T09:59:04Z","last_ms":4500}`,
	}
	checkLines(t, "light", filter(lines, `"src":"light"`), wantLight)
	checkLines(t, "motion", filter(lines, `"src":"motion"`), wantMotion)
	if q := light.Queued(t) + motion.Queued(t); q != 0 {
		t.Errorf("%d bytes left in the pipes after a drain", q)
	}
	checkModes(t, c.Dir)
}

func checkLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s records:\ngot\n%s\nwant\n%s", what, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func checkModes(t *testing.T, dir string) {
	t.Helper()
	st, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o750 {
		t.Errorf("data directory mode %v, want 0750", st.Mode().Perm())
	}
	files, _ := listFiles(dir)
	for _, f := range files {
		st, err := os.Stat(f.path)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o640 {
			t.Errorf("%s: mode %v, want 0640", f.path, st.Mode().Perm())
		}
	}
}

func TestRotationKeepsBound(t *testing.T) {
	motion, light := ipctest.NewPipe(t, 1<<20), ipctest.NewPipe(t, 1<<20)
	c := testConfig(t, motion, light)
	c.MaxFileSize, c.MaxFiles = 2000, 3
	s, w := newSender(1), ipc.NewWriter(light.W)
	const n = 500
	for i := range n {
		if err := s.Send(&ipc.LightSample{Lux: float64(i)}, w); err != nil {
			t.Fatal(err)
		}
	}
	stop := startRun(t, c)
	ipctest.Eventually(t, "the pipe consumed", func() bool { return light.Queued(t) == 0 })
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	files, err := listFiles(c.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 3 {
		t.Fatalf("%d files kept, want 3", len(files))
	}
	for _, f := range files {
		st, _ := os.Stat(f.path)
		if st.Size() > c.MaxFileSize {
			t.Errorf("%s: %d bytes, over --max-file-size %d", f.path, st.Size(), c.MaxFileSize)
		}
	}
	// The newest files hold the newest samples, contiguous up to n.
	lines := dataLines(t, c.Dir)
	last := lines[len(lines)-1]
	if !strings.Contains(last, fmt.Sprintf(`"seq":%d,`, n)) {
		t.Errorf("last record %s, want seq %d", last, n)
	}
	if files[0].index != files[2].index-2 {
		t.Errorf("files not consecutive: %v", files)
	}
}

func TestGapRecords(t *testing.T) {
	motion, light := ipctest.NewPipe(t, 0), ipctest.NewPipe(t, 4096)
	c := testConfig(t, motion, light)
	s, w := newSender(2), ipc.NewWriter(light.W)
	// Fill the small pipe with no logger running: the sender drops.
	for i := 0; w.Stats.Dropped < 42; i++ {
		_ = s.Send(&ipc.LightSample{Lux: float64(i)}, w)
	}
	sent := s.Seq()
	stop := startRun(t, c)
	ipctest.Eventually(t, "the pipe drained", func() bool { return light.Queued(t) == 0 })
	// The next write succeeds: the drop report goes first, then the sample.
	if err := s.Send(&ipc.LightSample{Lux: 1}, w); err != nil {
		t.Fatal(err)
	}
	ipctest.Eventually(t, "all kept samples", func() bool {
		return countSamples(t, c.Dir) == int(sent+1-w.Stats.Dropped)
	})
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	lines := dataLines(t, c.Dir)
	first := sent - 41
	wantGap := fmt.Sprintf(`{"src":"light","gen":2,"gap":{"first":%d,"last":%d,"count":42},"t":`, first, sent)
	gaps := filter(lines, `"gap":`)
	if len(gaps) != 1 || !strings.HasPrefix(gaps[0], wantGap) {
		t.Errorf("gap records %q, want one starting %s", gaps, wantGap)
	}
	wantDrop := fmt.Sprintf(`"drop":{"frames":42,"samples":42,"first":%d,"last":%d}`, first, sent)
	if drops := filter(lines, `"drop":`); len(drops) != 1 || !strings.Contains(drops[0], wantDrop) {
		t.Errorf("drop records %q, want one with %s", drops, wantDrop)
	}
}

// TestGapAcrossHandcraftedSeq checks exact counts from sequence numbers
// alone, including the start of a new generation past seq 1.
func TestGapAcrossHandcraftedSeq(t *testing.T) {
	motion, light := ipctest.NewPipe(t, 0), ipctest.NewPipe(t, 0)
	c := testConfig(t, motion, light)
	for _, h := range []ipc.Header{{Gen: 1, Seq: 1}, {Gen: 1, Seq: 2}, {Gen: 1, Seq: 10}, {Gen: 2, Seq: 5}} {
		writeFrame(t, motion.W, h, &ipc.MotionState{Motion: true})
	}
	stop := startRun(t, c)
	ipctest.Eventually(t, "the pipe drained", func() bool { return motion.Queued(t) == 0 })
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	got := filter(dataLines(t, c.Dir), `"gap":`)
	want := []string{
		`{"src":"motion","gen":1,"gap":{"first":3,"last":9,"count":7}`,
		`{"src":"motion","gen":2,"gap":{"first":1,"last":4,"count":4}`,
	}
	if len(got) != len(want) {
		t.Fatalf("gap records %q, want %q", got, want)
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("gap record %s, want %s...", got[i], want[i])
		}
	}
}

func writeFrame(t testing.TB, fd int, h ipc.Header, m ipc.Message) []byte {
	t.Helper()
	h.Type = m.Type()
	if h.Wall == 0 {
		h.Wall = testBase.UnixNano() + int64(h.Gen)*1e9 + int64(h.Seq)*1e6
	}
	b, err := ipc.AppendFrame(nil, h, m.AppendPayload(nil))
	if err != nil {
		t.Fatal(err)
	}
	if fd >= 0 {
		if _, err := unix.Write(fd, b); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

func TestRefusesBadDescriptors(t *testing.T) {
	var blocking [2]int
	if err := unix.Pipe2(blocking[:], unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	defer unix.Close(blocking[0])
	defer unix.Close(blocking[1])
	file, err := os.Open(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	fileFd, err := unix.FcntlInt(file.Fd(), unix.F_DUPFD_CLOEXEC, 3)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fileFd)
	_ = unix.SetNonblock(fileFd, true)
	good := ipctest.NewPipe(t, 0)
	for _, tc := range []struct {
		fd   int
		want string
	}{{-1, "descriptor -1"}, {blocking[0], "blocking mode"}, {fileFd, "not a pipe"}} {
		args := []string{"--rx-motion", fmt.Sprint(good.R), "--rx-light", fmt.Sprint(tc.fd), "--dir", t.TempDir()}
		err := Main(t.Context(), args)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "logger: --rx-light") {
			t.Errorf("fd %d: err %v, want logger: --rx-light ... %s", tc.fd, err, tc.want)
		}
	}
}
