package motion

import (
	"fmt"

	"sensord/ipc"
	"sensord/sensor"
)

// command carries out one command from the GUI (sensor.Base.Command).
func (s *role) command(c ipc.Command) {
	info := sensor.Info{Model: "HC-SR501 PIR", Driver: "sensord/motion gpio (character device, both edges)", Where: s.where}
	s.Command(c, info, func(c ipc.Command, r *ipc.Reply) error {
		switch c.Op {
		case ipc.OpSkipWarmup:
			if now := s.Clock.Now(); s.warming(now) {
				s.warmEnd = now
				s.endWarmup(now)
			}
			return nil
		case ipc.OpResend:
			s.Out.ResendStatus()
			if s.online {
				s.sendState(0)
			}
			return nil
		case ipc.OpSetInterval:
			return fmt.Errorf("motion: the PIR is event driven; it has no interval to set")
		}
		return s.Unsupported(c.Op)
	})
}
