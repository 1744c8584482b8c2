package light

import (
	"fmt"
	"time"

	"sensord/ipc"
	"sensord/light/bh1750"
	"sensord/sensor"
)

// command carries out one command from the GUI (sensor.Base.Command).
func (s *role) command(c ipc.Command) {
	info := sensor.Info{Model: "BH1750", Driver: "sensord/light bh1750 (i2c, continuous H-resolution)",
		Where: s.info(), Interval: s.interval}
	s.Command(c, info, func(c ipc.Command, r *ipc.Reply) error {
		switch c.Op {
		case ipc.OpSetInterval:
			err := s.setInterval(time.Duration(c.Arg))
			r.Interval = s.interval
			return err
		case ipc.OpResend:
			s.Out.ResendStatus()
			return nil
		}
		return s.Unsupported(c.Op)
	})
}

func (s *role) info() string {
	if s.where != "" {
		return s.where
	}
	return fmt.Sprintf("i2c-%s %#02x", s.cfg.Bus, s.cfg.Address)
}

// setInterval changes the interval; the schedule starts over from now.
func (s *role) setInterval(d time.Duration) error {
	if err := bh1750.CheckInterval(d, s.board.Simulated()); err != nil {
		return fmt.Errorf("light: %w", err)
	}
	s.interval = d
	s.Log.Info("interval changed", "interval", d)
	if s.online {
		now := s.Clock.Now()
		s.schedule(now.Add(d))
	}
	return nil
}
