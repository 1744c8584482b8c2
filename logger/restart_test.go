package logger

import (
	"io"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"sensord/ipc"
	"sensord/ipc/ipctest"
)

// lightFrames returns encoded light samples gen/seq from..to.
func lightFrames(t testing.TB, gen uint32, from, to uint64, wallOffset int64) []byte {
	var b []byte
	for seq := from; seq <= to; seq++ {
		h := ipc.Header{Gen: gen, Seq: seq, Wall: testBase.UnixNano() + wallOffset + int64(seq)*1e6}
		b = append(b, writeFrame(t, -1, h, &ipc.LightSample{Lux: float64(seq)})...)
	}
	return b
}

func write(t testing.TB, fd int, b []byte) {
	t.Helper()
	if n, err := unix.Write(fd, b); err != nil || n != len(b) {
		t.Fatalf("write %d bytes: %d, %v", len(b), n, err)
	}
}

// seqCount returns how many times each seq of src appears in dir.
func seqCount(t testing.TB, dir, src string) map[uint64]int {
	t.Helper()
	m := map[uint64]int{}
	for _, l := range filter(dataLines(t, dir), `"src":"`+src+`"`) {
		r, k, err := parseRecord([]byte(l))
		if err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		if k == kindLight || k == kindMotion {
			m[r.Seq]++
		}
	}
	return m
}

func checkOnce(t testing.TB, counts map[uint64]int, from, to uint64) {
	t.Helper()
	for seq := from; seq <= to; seq++ {
		if counts[seq] != 1 {
			t.Errorf("seq %d appears %d times, want once", seq, counts[seq])
		}
	}
	if len(counts) != int(to-from+1) {
		t.Errorf("%d distinct seqs, want %d", len(counts), to-from+1)
	}
}

// TestRestartSkipsDuplicates simulates a crash between writing records
// and consuming their frames, with a torn last line in the file and a
// torn frame at the end of the pipe, then runs Run twice more on the
// same pipes.
func TestRestartSkipsDuplicates(t *testing.T) {
	motion, light := ipctest.NewPipe(t, 1<<20), ipctest.NewPipe(t, 1<<20)
	c := testConfig(t, motion, light)

	// What a logger killed before consuming leaves: frames 1..50 in the
	// pipe and already in the file, then a torn line.
	written := lightFrames(t, 1, 1, 50, 0)
	write(t, light.W, written)
	src := &source{name: "light"}
	lines, _ := src.parse(nil, written, true)
	st := &store{dir: c.Dir, maxSize: c.MaxFileSize, maxFiles: c.MaxFiles, now: testNow, log: c.Log}
	if err := st.append(append(lines, `{"src":"light","gen":1,"seq":51,"t":"20`...)); err != nil {
		t.Fatal(err)
	}
	st.close()
	// More frames the dead logger never saw, and half of frame 61.
	write(t, light.W, lightFrames(t, 1, 51, 60, 0))
	f61 := lightFrames(t, 1, 61, 61, 0)
	write(t, light.W, f61[:20])

	stop := startRun(t, c)
	ipctest.Eventually(t, "60 samples", func() bool { return countSamples(t, c.Dir) == 60 })
	write(t, light.W, f61[20:])
	ipctest.Eventually(t, "61 samples", func() bool { return countSamples(t, c.Dir) == 61 })
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	checkOnce(t, seqCount(t, c.Dir, "light"), 1, 61)

	// A plain restart: nothing is left in the pipe, the next frames are new.
	write(t, light.W, lightFrames(t, 1, 62, 70, 0))
	stop = startRun(t, c)
	ipctest.Eventually(t, "70 samples", func() bool { return countSamples(t, c.Dir) == 70 })
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	checkOnce(t, seqCount(t, c.Dir, "light"), 1, 70)

	// Samples lost while no logger ran are found across the restart.
	write(t, light.W, lightFrames(t, 1, 75, 75, 0))
	stop = startRun(t, c)
	ipctest.Eventually(t, "71 samples", func() bool { return countSamples(t, c.Dir) == 71 })
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	gaps := filter(dataLines(t, c.Dir), `"gap":`)
	if len(gaps) != 1 || !strings.Contains(gaps[0], `"gap":{"first":71,"last":74,"count":4}`) {
		t.Errorf("gap records %q, want one for 71..74", gaps)
	}

	// A new daemon run starts gen 1 at seq 1 again, at other times:
	// those samples are new, not duplicates.
	write(t, light.W, lightFrames(t, 1, 1, 5, 3600e9))
	stop = startRun(t, c)
	ipctest.Eventually(t, "76 samples", func() bool { return countSamples(t, c.Dir) == 76 })
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if err := verifyCmd([]string{c.Dir}, io.Discard, io.Discard); err != nil {
		t.Errorf("verify: %v", err)
	}
}

// TestRestartMidStream checks the duplicate window when the crash came
// with more frames behind the last written one and status frames mixed in.
func TestRestartMidStream(t *testing.T) {
	motion, light := ipctest.NewPipe(t, 1<<20), ipctest.NewPipe(t, 1<<20)
	c := testConfig(t, motion, light)
	var all []byte
	for seq := uint64(1); seq <= 30; seq++ {
		all = append(all, lightFrames(t, 4, seq, seq, 0)...)
		if seq%7 == 0 {
			h := ipc.Header{Gen: 4, Wall: testBase.UnixNano() + int64(seq)*1e6 + 1}
			all = append(all, writeFrame(t, -1, h, &ipc.SensorStatus{Health: ipc.HealthOK})...)
		}
	}
	write(t, light.W, all)
	// The dead logger had stored the records of the first 20 samples and
	// their status frames, and consumed the first 10.
	src := &source{name: "light"}
	cut := frameEnd(t, all, 20)
	lines, _ := src.parse(nil, all[:cut], true)
	st := &store{dir: c.Dir, maxSize: c.MaxFileSize, maxFiles: c.MaxFiles, now: testNow, log: c.Log}
	if err := st.append(lines); err != nil {
		t.Fatal(err)
	}
	st.close()
	consumeBytes(t, light.R, frameEnd(t, all, 10))

	stop := startRun(t, c)
	ipctest.Eventually(t, "30 samples", func() bool { return countSamples(t, c.Dir) == 30 })
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	checkOnce(t, seqCount(t, c.Dir, "light"), 1, 30)
	if n := len(filter(dataLines(t, c.Dir), `"status":`)); n != 4 {
		t.Errorf("%d status records, want 4", n)
	}
}

// frameEnd returns the offset just after the light sample with seq in b.
func frameEnd(t testing.TB, b []byte, seq uint64) int {
	for k := 0; k < len(b); {
		f, n, err := ipc.Parse(b[k:])
		if err != nil {
			t.Fatal(err)
		}
		k += n
		if f.Type == ipc.TypeLight && f.Seq == seq {
			return k
		}
	}
	t.Fatalf("seq %d not found", seq)
	return 0
}

func consumeBytes(t testing.TB, fd, n int) {
	buf := make([]byte, n)
	if got, err := unix.Read(fd, buf); err != nil || got != n {
		t.Fatalf("read %d: %d, %v", n, got, err)
	}
}

func TestTornTailRepaired(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/" + fileName(1, testNow())
	if err := os.WriteFile(path, []byte("{\"a\":1}\n{\"src\":\"li"), 0o640); err != nil {
		t.Fatal(err)
	}
	st := &store{dir: dir, maxSize: 1 << 20, maxFiles: 2, now: testNow, log: testConfig(t, ipctest.Pipe{}, ipctest.Pipe{}).Log}
	if err := st.append([]byte("{\"b\":2}\n")); err != nil {
		t.Fatal(err)
	}
	st.close()
	b, _ := os.ReadFile(path)
	if got, want := string(b), "{\"a\":1}\n{\"b\":2}\n"; got != want {
		t.Errorf("file %q, want %q", got, want)
	}
}
