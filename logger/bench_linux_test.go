package logger

import (
	"os"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"sensord/ipc"
	"sensord/ipc/ipctest"
)

// writeAll writes b to a non-blocking pipe, waiting with poll(2) when
// it is full. b holds whole frames; chunks may hold several.
func writeAll(t testing.TB, fd int, b []byte) {
	for len(b) > 0 {
		n, err := unix.Write(fd, b[:min(len(b), 64<<10)])
		switch {
		case err == unix.EAGAIN:
			pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLOUT}}
			_, _ = unix.Poll(pfd, 1000)
		case err == unix.EINTR:
		case err != nil:
			t.Fatal(err)
		default:
			b = b[n:]
		}
	}
}

// BenchmarkRecordsPerSecond measures light samples logged per second,
// pipe to fsynced file, with the default fsync policy (1 s).
func BenchmarkRecordsPerSecond(b *testing.B) {
	motion, light := ipctest.NewPipe(b, 1<<20), ipctest.NewPipe(b, 1<<20)
	c := testConfig(b, motion, light)
	c.MaxFileSize, c.MaxFiles = 64<<20, 64
	frames := lightFrames(b, 1, 1, uint64(b.N), 0)
	stop := startRun(b, c)
	b.ResetTimer()
	start := time.Now()
	writeAll(b, light.W, frames)
	ipctest.Eventually(b, "the pipe drained", func() bool { return light.Queued(b) == 0 })
	if err := stop(); err != nil {
		b.Fatal(err)
	}
	el := time.Since(start)
	b.StopTimer()
	files, _ := listFiles(c.Dir)
	var size int64
	for _, f := range files {
		st, _ := os.Stat(f.path)
		size += st.Size()
	}
	b.ReportMetric(float64(b.N)/el.Seconds(), "records/s")
	b.ReportMetric(float64(size)/float64(b.N), "bytes/record")
	b.ReportMetric(float64(len(frames))/float64(b.N), "bytes/frame")
}

// BenchmarkLoggerLoad runs the logger process for 5 s at 10 and at 1000
// light samples per second (plus 1 motion state per second) and reports
// its CPU use and peak RSS. Run with -benchtime=1x.
func BenchmarkLoggerLoad(b *testing.B) {
	for _, rate := range []int{10, 1000} {
		b.Run(rateName(rate), func(b *testing.B) {
			for range b.N {
				cpu, rss := measureLoad(b, rate, 5*time.Second)
				b.ReportMetric(cpu*100, "%cpu")
				b.ReportMetric(float64(rss), "maxrss-KiB")
			}
		})
	}
}

func rateName(r int) string {
	if r == 10 {
		return "10/s"
	}
	return "1000/s"
}

func measureLoad(b *testing.B, rate int, d time.Duration) (cpu float64, rssKiB int64) {
	motion, light := ipctest.NewPipe(b, 1<<20), ipctest.NewPipe(b, 1<<20)
	dir := b.TempDir() + "/data"
	c := startChild(b, motion, light, dir)
	ls, ms := ipc.NewSender(1), ipc.NewSender(1)
	lw, mw := ipc.NewWriter(light.W), ipc.NewWriter(motion.W)
	tick := time.NewTicker(time.Second / time.Duration(rate))
	start := time.Now()
	for i := 0; time.Since(start) < d; i++ {
		<-tick.C
		_ = ls.Send(&ipc.LightSample{Lux: float64(i)}, lw)
		if i%rate == 0 {
			_ = ms.Send(&ipc.MotionState{Motion: i%2 == 0}, mw)
		}
	}
	tick.Stop()
	if err := syscall.Kill(c.pid, syscall.SIGTERM); err != nil {
		b.Fatal(err)
	}
	var ws syscall.WaitStatus
	var ru syscall.Rusage
	if _, err := syscall.Wait4(c.pid, &ws, 0, &ru); err != nil {
		b.Fatal(err)
	}
	used := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	return used.Seconds() / time.Since(start).Seconds(), ru.Maxrss
}
