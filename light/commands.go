package light

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"time"

	"sensord/ipc"
)

// readCommands decodes the commands on rx and hands them to out until rx
// fails or ctx ends. Frames that are not commands are skipped.
func readCommands(ctx context.Context, rx io.Reader, out chan<- ipc.Command, log *slog.Logger) {
	rd := ipc.NewReader(rx)
	for {
		f, err := rd.Next()
		if err != nil {
			if ctx.Err() == nil && !errors.Is(err, io.EOF) {
				log.Error("command pipe failed; commands are ignored from now on", "err", err)
			}
			return
		}
		var c ipc.Command
		if f.Type != ipc.TypeCommand || c.UnmarshalPayload(f.Payload) != nil {
			log.Warn("ignored a frame on the command pipe", "type", f.Type, "len", len(f.Payload))
			continue
		}
		select {
		case out <- c:
		case <-ctx.Done():
			return
		}
	}
}

// stopReader unblocks readCommands: a pipe opened with ipc.OpenReader is
// in the runtime poller, so a deadline in the past ends its Read.
func stopReader(rx io.Reader, done <-chan struct{}) {
	d, ok := rx.(interface{ SetReadDeadline(time.Time) error })
	if ok && d.SetReadDeadline(time.Unix(1, 0)) == nil {
		<-done
	}
}

// version is the program's version for info replies.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "sensord"
	}
	return "sensord " + bi.Main.Version + " " + bi.GoVersion
}

// command carries out one command from the GUI and replies on the GUI
// pipe only. A bad command gets a reply with OK false.
func (s *sensor) command(c ipc.Command) {
	r := ipc.Reply{ID: c.ID, Op: c.Op, OK: true, Interval: s.interval}
	var err error
	switch c.Op {
	case ipc.OpInfo:
		r.Model, r.Driver, r.Where, r.Version = "BH1750", "sensord/light bh1750 (i2c, continuous H-resolution)", s.info(), version()
	case ipc.OpSetInterval:
		err = s.setInterval(time.Duration(c.Arg))
		r.Interval = s.interval
	case ipc.OpResend:
		s.send(&s.status, s.pipes.GUI, s.pipes.Logger)
	case ipc.OpSimFault:
		err = s.board.Fault(ipc.SimFault(c.Arg))
	default:
		err = fmt.Errorf("light: command %s is not supported by the light sensor", c.Op)
	}
	if err != nil {
		r.OK, r.Error = false, err.Error()
		s.log.Info("command refused", "op", c.Op, "arg", c.Arg, "err", err)
	}
	s.send(&r, s.pipes.GUI)
}

func (s *sensor) info() string {
	if s.where != "" {
		return s.where
	}
	return fmt.Sprintf("i2c-%s %#02x", s.cfg.Bus, s.cfg.Address)
}

// setInterval changes the interval; the schedule starts over from now.
func (s *sensor) setInterval(d time.Duration) error {
	if err := CheckInterval(d, s.board.Simulated()); err != nil {
		return err
	}
	s.interval = d
	s.log.Info("interval changed", "interval", d)
	if s.online {
		now := s.clk.Now()
		s.schedule(now.Add(d))
	}
	return nil
}
