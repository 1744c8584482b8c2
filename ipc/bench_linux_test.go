package ipc

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// benchMessages are the messages the benchmarks encode and decode: the
// two samples, which are the hot path, and the largest message.
func benchMessages() []struct {
	name string
	m    decoder
} {
	s := strings.Repeat("x", maxString)
	return []struct {
		name string
		m    decoder
	}{
		{"light", &LightSample{Lux: 312.5}},
		{"motion", &MotionState{Motion: true, Since: 1795255200e9}},
		{"status", &SensorStatus{Health: HealthOffline, Reason: "i2c-1 0x23: no ACK"}},
		{"reply-max", &Reply{ID: 1, Op: OpInfo, OK: true, Model: s, Driver: s, Where: s, Version: s, Error: s}},
	}
}

func BenchmarkEncode(b *testing.B) {
	for _, bm := range benchMessages() {
		b.Run(bm.name, func(b *testing.B) {
			h := exampleHeader
			h.Type = bm.m.Type()
			payload := make([]byte, 0, MaxPayload)
			buf := make([]byte, 0, MaxFrame)
			b.ReportAllocs()
			for b.Loop() {
				payload = bm.m.AppendPayload(payload[:0])
				buf, _ = AppendFrame(buf[:0], h, payload)
			}
			b.SetBytes(int64(len(buf)))
		})
	}
}

func BenchmarkDecode(b *testing.B) {
	for _, bm := range benchMessages() {
		b.Run(bm.name, func(b *testing.B) {
			frame := frameOf(b, exampleHeader, bm.m)
			b.SetBytes(int64(len(frame)))
			b.ReportAllocs()
			for b.Loop() {
				f, _, err := Parse(frame)
				if err != nil {
					b.Fatal(err)
				}
				if err := bm.m.UnmarshalPayload(f.Payload); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkReaderNext reads light frames from memory, so it measures the
// Reader alone: buffering, Parse and the sequence tracker.
func BenchmarkReaderNext(b *testing.B) {
	var stream []byte
	for i := range 1000 {
		stream = append(stream, lightFrame(b, 1, uint64(i+1))...)
	}
	r := NewReader(&loopReader{b: stream})
	b.SetBytes(int64(len(stream) / 1000))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Next(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPipe sends frames through one real pipe (1 MiB, as the daemon
// makes them) from a writer goroutine to a reader, both ways in turn in
// the same run: raw write(2) of the encoded frame and read(2) of the
// bytes, then ipc.Sender and ipc.Writer into ipc.Reader over
// ipc.OpenReader. A full pipe makes each writer wait with poll(2) before
// the next frame (the ipc writer drops the frame it could not write, so
// it sends a new one). ns/op and frames/s are those of the ipc way;
// ipc/raw is its frame rate over the raw one.
func BenchmarkPipe(b *testing.B) {
	for _, bm := range benchMessages() {
		if !bm.m.Type().IsSample() && bm.name != "reply-max" {
			continue
		}
		b.Run(bm.name, func(b *testing.B) { benchPipe(b, bm.m) })
	}
}

func benchPipe(b *testing.B, m Message) {
	f, wfd := newPipe(b, 1<<20)
	frame := frameOf(b, exampleHeader, m)
	s := NewSender(1)
	w := NewWriter(wfd)
	r := NewReader(f)
	raw := make([]byte, readBufSize) // the raw reader reads as much at a time as Reader
	const round = 20000
	var rawTime, ipcTime time.Duration
	b.ReportAllocs()
	for n, i := b.N, 0; n > 0; i++ {
		k := min(n, round)
		n -= k
		for j := range 2 {
			if (i+j)%2 == 0 {
				rawTime += timeRound(b, func() { rawWrite(b, wfd, frame, k) }, func() { rawRead(b, f, raw, k*len(frame)) })
			} else {
				ipcTime += timeRound(b, func() { ipcWrite(b, s, w, m, k) }, func() { ipcRead(b, r, m.Type(), k) })
			}
		}
	}
	if r.Stats.BadBytes != 0 {
		b.Fatalf("reader stats %+v", r.Stats)
	}
	ipcRate := float64(b.N) / ipcTime.Seconds()
	rawRate := float64(b.N) / rawTime.Seconds()
	b.ReportMetric(float64(ipcTime.Nanoseconds())/float64(b.N), "ns/op")
	b.ReportMetric(ipcRate, "frames/s")
	b.ReportMetric(rawRate, "raw-frames/s")
	b.ReportMetric(ipcRate/rawRate, "ipc/raw")
	b.ReportMetric(float64(w.Stats.Dropped)/float64(b.N), "drops/op")
}

// timeRound runs write in a goroutine and read in this one, and returns
// how long both took.
func timeRound(b *testing.B, write, read func()) time.Duration {
	done := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(done)
		write()
	}()
	read()
	<-done
	return time.Since(start)
}

func waitWritable(b *testing.B, fd int) {
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLOUT}}
	for {
		_, err := unix.Poll(fds, -1)
		if err == nil {
			return
		}
		if err != unix.EINTR {
			b.Error(err)
			return
		}
	}
}

func rawWrite(b *testing.B, fd int, frame []byte, n int) {
	for n > 0 {
		_, err := unix.Write(fd, frame)
		switch err {
		case nil:
			n--
		case unix.EAGAIN:
			waitWritable(b, fd)
		case unix.EINTR:
		default:
			b.Error(err)
			return
		}
	}
}

func rawRead(b *testing.B, src io.Reader, buf []byte, n int) {
	for n > 0 {
		k, err := src.Read(buf[:min(len(buf), n)])
		if err != nil {
			b.Fatal(err)
		}
		n -= k
	}
}

func ipcWrite(b *testing.B, s *Sender, w *Writer, m Message, n int) {
	for n > 0 {
		err := s.Send(m, w)
		switch {
		case err == nil:
			n--
		case errors.Is(err, ErrDropped):
			waitWritable(b, w.Fd())
		default:
			b.Error(err)
			return
		}
	}
}

func ipcRead(b *testing.B, r *Reader, t Type, n int) {
	for n > 0 {
		f, err := r.Next()
		if err != nil {
			b.Fatal(err)
		}
		if f.Type == t {
			n--
		}
	}
}

// BenchmarkReaderGarbage feeds a Reader, one byte per read, 4000
// headers that each claim a 4 KiB frame, with a valid frame after every
// 1000: the worst case for the look-ahead past torn headers, which must
// stay linear. MB/s is bytes of stream per second.
func BenchmarkReaderGarbage(b *testing.B) {
	bogus := []byte{Magic0, Magic1, Version, 5, 0xD8, 0x0F, 0, 0}
	var stream []byte
	for range 4 {
		for range 1000 {
			stream = append(stream, bogus...)
		}
		stream = append(stream, lightFrame(b, 1, 1)...)
	}
	src := &chunkReader{sizes: []int{1}}
	r := NewReader(src)
	b.SetBytes(int64(len(stream)))
	b.ReportAllocs()
	for b.Loop() {
		src.b = stream
		frames := r.Stats.Frames
		for {
			if _, err := r.Next(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
		if r.Stats.Frames-frames != 4 {
			b.Fatalf("%d frames, want 4", r.Stats.Frames-frames)
		}
	}
}
