package motion

import (
	"context"
	"fmt"
	"time"

	"periph.io/x/conn/v3/gpio"

	"sensord/ipc"
	"sensord/sensor"
	"sensord/wake"
)

// Retry of a pin that cannot be opened.
const (
	BackoffMin = time.Second
	BackoffMax = 30 * time.Second
)

// Config is what Run needs besides its pipes.
type Config struct {
	sensor.Settings
	Board      Board
	Pin        string
	Warmup     time.Duration // < 0: WarmupPi on a Pi, 0 simulated
	StuckAfter time.Duration // 0: StuckAfterPi or StuckAfterSim
	Poll       time.Duration // 0: Poll
	// Uptime is the time since the PIR was powered; nil: since boot.
	Uptime func() time.Duration
}

// Pipes are the motion role's pipe ends; Run stops the goroutine reading
// Rx before it returns.
type Pipes = sensor.Ends

// role is the state of the motion process, owned by Run's goroutine.
type role struct {
	sensor.Base
	cfg   Config
	board Board

	pin    gpio.PinIn
	where  string
	levels chan change
	stopW  func() // stops the watcher and waits for it
	online bool
	retry  time.Duration
	reason string

	warmEnd time.Time // zero once warm
	raw     bool      // the pin's level, reported or not
	level   bool      // the reported state
	since   time.Time // when the reported state began
	stuck   bool      // reported offline for a stuck output
	next    time.Time // retry time while offline
}

// Run watches the PIR until ctx ends; it returns nil then. A pin that
// cannot be opened is reported offline and retried; the process stays up.
func Run(ctx context.Context, cfg Config, pipes Pipes) error {
	s := newRole(cfg, pipes)
	cmds, stopCmds := s.StartCommands(ctx, pipes.Rx)
	defer stopCmds()
	s.Started("pin", cfg.Pin, "warmup", s.cfg.Warmup, "stuck_after", s.cfg.StuckAfter)
	defer s.stopWatch()
	if err := s.connect(ctx, s.Clock.Now()); err != nil {
		return err
	}
	timer := wake.New(s.Clock)
	defer timer.Stop()
	due := timer.At(s.Wake(s.deadline()))
	for {
		var handled chan<- struct{}
		select {
		case <-ctx.Done():
			s.Log.Info("motion stopping", "samples", s.Out.Seq())
			return nil
		case c := <-cmds:
			// Stopped while busy, so a fake clock's waiters show an idle
			// loop exactly (sensortest.Clock).
			timer.Stop()
			s.command(c)
		case c := <-s.levels:
			timer.Stop()
			s.observe(c.level, c.at)
			handled = c.done
		case <-due:
			if err := s.tick(ctx, s.Clock.Now()); err != nil {
				return err
			}
		}
		due = timer.At(s.Wake(s.deadline())) // tick does nothing before its time
		if handled != nil {
			handled <- struct{}{} // buffered for one: never blocks
		}
	}
}

func newRole(cfg Config, pipes Pipes) *role {
	if cfg.Uptime == nil {
		cfg.Uptime = bootUptime
	}
	if cfg.Poll <= 0 {
		cfg.Poll = Poll
	}
	sim := cfg.Board.Simulated()
	if cfg.Warmup < 0 {
		cfg.Warmup = WarmupPi
		if sim {
			cfg.Warmup = 0
		}
	}
	if cfg.StuckAfter <= 0 {
		cfg.StuckAfter = StuckAfterPi
		if sim {
			cfg.StuckAfter = StuckAfterSim
		}
	}
	s := &role{Base: sensor.NewBase("motion", cfg.Settings, cfg.Board, pipes), board: cfg.Board,
		retry: BackoffMin, stopW: func() {}}
	s.cfg = cfg
	if left := cfg.Warmup - cfg.Uptime(); left > 0 {
		s.warmEnd = s.Clock.Now().Add(left)
	}
	return s
}

// connect opens and sets up the pin, reports the status and the current
// level at once, and starts the watcher. Once the pin is open the role
// confines itself (Base.Confine); it returns an error only if it cannot.
func (s *role) connect(ctx context.Context, now time.Time) error {
	pin, err := s.openPin()
	if err == nil {
		err = pin.In(gpio.PullDown, gpio.BothEdges)
	}
	if err != nil {
		s.offline(now, fmt.Errorf("motion: %s: %w", s.cfg.Pin, err))
		return nil
	}
	if err := s.Confine(); err != nil {
		return fmt.Errorf("motion: %w", err)
	}
	s.pin, s.online, s.retry = pin, true, BackoffMin
	s.raw = bool(pin.Read())
	s.level, s.since = s.raw, now
	s.Out.SetStatus(s.health(now))
	s.sendState(0)
	s.Log.Info("PIR ready", "where", s.where, "motion", s.level, "warming", s.warming(now))
	s.startWatch(ctx)
	return nil
}

func (s *role) openPin() (gpio.PinIn, error) {
	s.where = s.cfg.Pin
	if s.board.Simulated() {
		s.where = "sim " + s.cfg.Pin
	}
	return s.board.Pin(s.cfg.Pin)
}

func (s *role) startWatch(ctx context.Context) {
	wctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	s.levels = make(chan change)
	// The watcher gets copies: the main loop goes on changing s.raw.
	pin, last, levels := s.pin, gpio.Level(s.raw), s.levels
	go func() {
		defer close(done)
		watch(wctx, pin, last, s.cfg.Poll, s.Clock, levels)
	}()
	s.stopW = func() {
		cancel()
		haltUntil(pin, done)
	}
}

func (s *role) stopWatch() { s.stopW() }

func (s *role) warming(now time.Time) bool { return !s.warmEnd.IsZero() && now.Before(s.warmEnd) }

// health is the status the sensor is in, now.
func (s *role) health(now time.Time) ipc.SensorStatus {
	switch {
	case s.warming(now):
		return ipc.SensorStatus{Health: ipc.HealthWarming,
			Reason: fmt.Sprintf("PIR settling after power-up until %s", s.warmEnd.Format("15:04:05"))}
	case s.stuck:
		return ipc.SensorStatus{Health: ipc.HealthOffline,
			Reason: fmt.Sprintf("PIR output high for more than %s: stuck? check the sensor and its wiring", s.cfg.StuckAfter)}
	}
	return ipc.SensorStatus{Health: ipc.HealthOK}
}

// deadline is when the loop must wake next without an event.
func (s *role) deadline() time.Time {
	now := s.Clock.Now()
	switch {
	case !s.online:
		return s.next
	case s.warming(now):
		return s.warmEnd
	case s.level && !s.stuck:
		return s.since.Add(s.cfg.StuckAfter)
	}
	return now.Add(time.Hour)
}

func (s *role) tick(ctx context.Context, now time.Time) error {
	switch {
	case !s.online:
		if !now.Before(s.next) {
			return s.connect(ctx, now)
		}
	case !s.warmEnd.IsZero() && !s.warming(now):
		s.endWarmup(now)
	case s.level && !s.stuck && now.Sub(s.since) >= s.cfg.StuckAfter:
		s.stuck = true
		s.Log.Warn("PIR output stuck high", "since", s.since)
		s.Out.SetStatus(s.health(now))
	}
	return nil
}

func (s *role) endWarmup(now time.Time) {
	s.warmEnd = time.Time{}
	s.Log.Info("PIR warm-up over")
	s.Out.SetStatus(s.health(now))
	s.observe(s.raw, now)
}

// observe takes a level from the watcher: ignored while warming up,
// otherwise a change of state reported with when it began and, when
// motion ends, how long it lasted.
func (s *role) observe(l bool, now time.Time) {
	s.raw = l
	if s.warming(now) || l == s.level {
		return
	}
	var last time.Duration
	if !l {
		last = now.Sub(s.since)
	}
	s.level, s.since = l, now
	s.sendState(last)
	if !l && s.stuck {
		s.stuck = false
		s.Log.Info("PIR output low again")
		s.Out.SetStatus(s.health(now))
	}
}

func (s *role) sendState(last time.Duration) {
	s.Out.Both(&ipc.MotionState{Motion: s.level, Since: s.since.UnixNano(), Last: last})
}

func (s *role) offline(now time.Time, err error) {
	if s.reason != err.Error() {
		s.Log.Warn("PIR offline; retrying", "err", err, "retry", s.retry)
	}
	s.online, s.reason = false, err.Error()
	s.Out.SetStatus(ipc.SensorStatus{Health: ipc.HealthOffline, Reason: err.Error()})
	s.next = now.Add(s.retry)
	s.retry = min(2*s.retry, BackoffMax)
}
