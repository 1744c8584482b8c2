package motion

import (
	"context"
	"log/slog"
	"slices"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"

	"sensord/ipc"
	"sensord/sensor"
	"sensord/sensor/sensortest"
)

// BenchmarkEdgeToFrame measures a PIR edge to its MotionState frame read
// from the GUI pipe, with the real clock: the edge is handed to a
// gpiotest.Pin's WaitForEdge, so the kernel's GPIO event path is not in
// the figure; the watcher, the main loop, the frame and the pipe are.
//
//	go test -run - -bench EdgeToFrame -benchtime 2000x ./motion/
func BenchmarkEdgeToFrame(b *testing.B) {
	s := sensortest.NewSensor(b)
	pin := &gpiotest.Pin{N: "GPIO17", EdgesChan: make(chan gpio.Level)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		done <- Run(ctx, Config{Settings: sensor.Settings{Gen: 1, Log: slog.New(slog.DiscardHandler)},
			Board: &pinBoard{pin: pin}, Pin: "GPIO17", Warmup: 0},
			s.Ends)
	}()
	for m := range s.GUI { // status and initial state
		if m.Type == ipc.TypeMotion {
			break
		}
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		t0 := time.Now()
		pin.EdgesChan <- gpio.Level(i%2 == 0)
		m := <-s.GUI
		lat = append(lat, m.At.Sub(t0))
	}
	b.StopTimer()
	cancel()
	<-done
	slices.Sort(lat)
	q := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Nanoseconds()) / 1e3 }
	b.ReportMetric(q(0.5), "p50-µs")
	b.ReportMetric(q(0.99), "p99-µs")
	b.ReportMetric(q(1), "max-µs")
}
