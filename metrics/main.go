package metrics

import (
	"context"
	"errors"
	"flag"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"

	"sensord/config"
	"sensord/control"
)

// BacklogFunc reports the uplink's backlog in bytes and its cursor's
// last move for data directory dir; ok is false without a cursor.
type BacklogFunc func(dir string) (bytes int64, lastAck time.Time, ok bool)

// Main is `sensord metrics [--config PATH] [--runtime-dir DIR] [--data-dir DIR]`.
func Main(ctx context.Context, args []string, backlog BacklogFunc) error {
	fs := flag.NewFlagSet("metrics", flag.ContinueOnError)
	cfgPath := fs.String("config", config.DefaultPath, "configuration file")
	rt := fs.String("runtime-dir", "", "directory of the control socket")
	data := fs.String("data-dir", "", "data directory (logger.dir)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	c, err := config.Load(*cfgPath, false)
	if err != nil {
		return err
	}
	if *rt != "" {
		c.Supervisor.RuntimeDir = *rt
	}
	if *data != "" {
		c.Logger.Dir = *data
	}
	st, _ := control.Client{Path: control.SocketPath(c.Supervisor.RuntimeDir)}.Status(ctx)
	return Write(os.Stdout, Registry(st, Gather(c.Logger.Dir, c.Uplink.Broker != "", backlog), time.Now()))
}

// Gather reads the figures of the data directory.
func Gather(dir string, uplink bool, backlog BacklogFunc) Figures {
	f := Figures{DataBytes: DataBytes(dir), Backlog: -1, UplinkActive: uplink}
	if b, at, ok := backlog(dir); ok {
		f.Backlog, f.LastAck = b, at
	}
	return f
}

// Write prints g in the Prometheus text format.
func Write(w *os.File, g prometheus.Gatherer) error {
	mfs, err := g.Gather()
	if err != nil {
		return err
	}
	enc := expfmt.NewEncoder(w, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, mf := range mfs {
		if err := enc.Encode(mf); err != nil {
			return err
		}
	}
	return nil
}

// WriteTextfile writes the figures to path atomically (temp file and
// rename), for node_exporter's textfile collector.
func WriteTextfile(path string, g prometheus.Gatherer) error {
	if err := prometheus.WriteToTextfile(path, g); err != nil {
		return errors.New("metrics: textfile " + path + ": " + err.Error() + "; can the sensord user write there?")
	}
	return nil
}
