package metrics

import (
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"sensord/control"
)

// Figures are what the registry reports besides the daemon's status.
type Figures struct {
	DataBytes    int64     // bytes in sensord-*.jsonl
	Backlog      int64     // bytes after the uplink's cursor; -1 without an uplink
	LastAck      time.Time // the cursor's last move; zero if none
	UplinkActive bool
}

// Registry builds a registry holding st (may be nil: daemon down) and f.
func Registry(st *control.Status, f Figures, now time.Time) *prometheus.Registry {
	r := prometheus.NewRegistry()
	g := func(name, help string, labels ...string) *prometheus.GaugeVec {
		v := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, labels)
		r.MustRegister(v)
		return v
	}
	daemonUp := g("sensord_daemon_up", "1 if the daemon answered on its control socket")
	up := g("sensord_child_up", "1 if the child is running", "child")
	restarts := g("sensord_child_restarts", "restarts of the child since the daemon started", "child")
	exit := g("sensord_child_last_exit_info", "the child's last exit reason (value 1)", "child", "reason")
	queued := g("sensord_pipe_queued_bytes", "bytes waiting in the pipe", "pipe")
	capacity := g("sensord_pipe_capacity_bytes", "the pipe's capacity", "pipe")
	g("sensord_data_bytes", "bytes in the data files").WithLabelValues().Set(float64(f.DataBytes))
	daemonUp.WithLabelValues().Set(0)
	if st != nil {
		daemonUp.WithLabelValues().Set(1)
		for _, c := range st.Children {
			up.WithLabelValues(c.Name).Set(b2f(c.State == control.Running))
			restarts.WithLabelValues(c.Name).Set(float64(c.Restarts))
			if c.LastExit != nil {
				exit.WithLabelValues(c.Name, reason(c.LastExit)).Set(1)
			}
		}
		for _, p := range st.Pipes {
			queued.WithLabelValues(p.Name).Set(float64(p.QueuedBytes))
			capacity.WithLabelValues(p.Name).Set(float64(p.CapacityBytes))
		}
	}
	if f.UplinkActive {
		g("sensord_uplink_backlog_bytes", "bytes of the data files not yet acknowledged by the broker").
			WithLabelValues().Set(float64(f.Backlog))
		if !f.LastAck.IsZero() {
			g("sensord_uplink_last_ack_age_seconds", "time since the uplink's cursor last moved (at most 1 s behind the last acknowledgement)").
				WithLabelValues().Set(now.Sub(f.LastAck).Seconds())
		}
	}
	return r
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func reason(e *control.ExitStatus) string {
	switch {
	case e.Reason != "":
		return e.Reason
	case e.Signal != nil:
		return *e.Signal
	case e.ExitCode != nil && *e.ExitCode == 0:
		return "exit 0"
	}
	return "exit"
}

// DataBytes sums the sizes of the data files in dir.
func DataBytes(dir string) int64 {
	ents, _ := os.ReadDir(dir)
	var n int64
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), "sensord-") && strings.HasSuffix(e.Name(), ".jsonl") {
			if fi, err := os.Stat(filepath.Join(dir, e.Name())); err == nil {
				n += fi.Size()
			}
		}
	}
	return n
}
