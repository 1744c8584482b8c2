package light

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"testing"
	"time"

	"sensord/board"
	"sensord/ipc"
	"sensord/light/bh1750"
	"sensord/sensor"
	"sensord/sensor/sensortest"
)

// BenchmarkJitter runs the light role on the simulated board with the
// real clock and measures how far apart consecutive samples are,
// against the interval: from the frames' CLOCK_MONOTONIC stamps (when
// the sample was taken) and from when the reader got them. b.N is the
// number of samples, so use -benchtime=Nx:
//
//	go test -run - -bench Jitter/1s -benchtime 20x ./light/
//	go test -run - -bench Jitter/10ms -benchtime 1000x ./light/
func BenchmarkJitter(b *testing.B) {
	for _, iv := range []time.Duration{time.Second, 10 * time.Millisecond} {
		b.Run(iv.String(), func(b *testing.B) { benchJitter(b, iv) })
	}
}

func benchJitter(b *testing.B, interval time.Duration) {
	s := sensortest.NewSensor(b)
	bd, err := board.Open(board.Config{Kind: "sim", Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer bd.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		done <- Run(ctx, Config{Settings: sensor.Settings{Gen: 1, Log: slog.New(slog.DiscardHandler)},
			Board: bd, Bus: "1", Address: bh1750.AddrLow, Interval: interval}, s.Ends)
	}()
	var mono []int64
	var recv []time.Time
	b.ResetTimer()
	for len(mono) < b.N+1 {
		m := <-s.GUI
		if m.Type == ipc.TypeLight {
			mono, recv = append(mono, m.Mono), append(recv, m.At)
		}
	}
	b.StopTimer()
	cancel()
	<-done
	var dSample, dRecv []time.Duration
	for i := 1; i < len(mono); i++ {
		dSample = append(dSample, (time.Duration(mono[i]-mono[i-1]) - interval).Abs())
		dRecv = append(dRecv, (recv[i].Sub(recv[i-1]) - interval).Abs())
	}
	drift := time.Duration(mono[len(mono)-1]-mono[0]) - time.Duration(len(mono)-1)*interval
	report(b, "sample", dSample)
	report(b, "recv", dRecv)
	b.ReportMetric(float64(drift.Microseconds()), "drift-µs")
}

// report adds p50, p99 and max of ds in microseconds.
func report(b *testing.B, name string, ds []time.Duration) {
	slices.Sort(ds)
	q := func(p float64) float64 { return float64(ds[int(p*float64(len(ds)-1))].Nanoseconds()) / 1e3 }
	b.ReportMetric(q(0.5), fmt.Sprintf("%s-jitter-p50-µs", name))
	b.ReportMetric(q(0.99), fmt.Sprintf("%s-jitter-p99-µs", name))
	b.ReportMetric(q(1), fmt.Sprintf("%s-jitter-max-µs", name))
}
