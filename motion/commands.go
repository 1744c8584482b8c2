package motion

import (
	"fmt"

	"sensord/board"
	"sensord/ipc"
	"sensord/version"
)

// command carries out one command from the GUI and replies on the GUI
// pipe only. A bad command gets a reply with OK false.
func (s *role) command(c ipc.Command) {
	r := ipc.Reply{ID: c.ID, Op: c.Op, OK: true}
	var err error
	switch c.Op {
	case ipc.OpInfo:
		r.Model, r.Driver, r.Where, r.Version = "HC-SR501 PIR", "sensord/motion gpio (character device, both edges)", s.where, version.String()
	case ipc.OpSkipWarmup:
		if now := s.clk.Now(); s.warming(now) {
			s.warmEnd = now
			s.endWarmup(now)
		}
	case ipc.OpResend:
		s.out.ResendStatus()
		if s.online {
			s.sendState(0)
		}
	case ipc.OpSimFault:
		err = s.board.Fault(board.SimFault(c.Arg))
	case ipc.OpSetInterval:
		err = fmt.Errorf("motion: the PIR is event driven; it has no interval to set")
	default:
		err = fmt.Errorf("motion: command %s is not supported by the motion sensor", c.Op)
	}
	if err != nil {
		r.OK, r.Error = false, err.Error()
		s.log.Info("command refused", "op", c.Op, "arg", c.Arg, "err", err)
	}
	s.out.Reply(&r)
}
