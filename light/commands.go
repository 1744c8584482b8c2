package light

import (
	"fmt"
	"time"

	"sensord/board"
	"sensord/ipc"
	"sensord/version"
)

// command carries out one command from the GUI and replies on the GUI
// pipe only. A bad command gets a reply with OK false.
func (s *role) command(c ipc.Command) {
	r := ipc.Reply{ID: c.ID, Op: c.Op, OK: true, Interval: s.interval}
	var err error
	switch c.Op {
	case ipc.OpInfo:
		r.Model, r.Driver, r.Where, r.Version = "BH1750", "sensord/light bh1750 (i2c, continuous H-resolution)", s.info(), version.String()
	case ipc.OpSetInterval:
		err = s.setInterval(time.Duration(c.Arg))
		r.Interval = s.interval
	case ipc.OpResend:
		s.out.ResendStatus()
	case ipc.OpSimFault:
		err = s.board.Fault(board.SimFault(c.Arg))
	default:
		err = fmt.Errorf("light: command %s is not supported by the light sensor", c.Op)
	}
	if err != nil {
		r.OK, r.Error = false, err.Error()
		s.log.Info("command refused", "op", c.Op, "arg", c.Arg, "err", err)
	}
	s.out.Reply(&r)
}

func (s *role) info() string {
	if s.where != "" {
		return s.where
	}
	return fmt.Sprintf("i2c-%s %#02x", s.cfg.Bus, s.cfg.Address)
}

// setInterval changes the interval; the schedule starts over from now.
func (s *role) setInterval(d time.Duration) error {
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
