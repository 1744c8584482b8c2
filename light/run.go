package light

import (
	"context"
	"fmt"
	"time"

	"periph.io/x/conn/v3/i2c"

	"sensord/ipc"
	"sensord/light/bh1750"
	"sensord/sensor"
	"sensord/wake"
)

// Retry and robustness settings.
const (
	BackoffMin = time.Second      // first retry of an offline sensor
	BackoffMax = 30 * time.Second // retries double up to this
	Attempts   = 4                // tries per transfer before the sensor counts as offline
	RearmEvery = time.Minute      // see bh1750.Dev.Rearm
)

// Config is what Run needs besides its pipes.
type Config struct {
	sensor.Settings
	Board    Board
	Bus      string
	Address  uint16
	Interval time.Duration
}

// Pipes are the light role's pipe ends; Run stops the goroutine reading
// Rx before it returns.
type Pipes = sensor.Ends

// role is the state of the light process, owned by Run's goroutine.
type role struct {
	sensor.Base
	cfg   Config
	board Board

	bus    i2c.Bus
	where  string
	dev    *bh1750.Dev
	online bool
	reason string
	retry  time.Duration

	interval  time.Duration
	origin    time.Time // samples are due at origin + k·interval
	k         int64
	next      time.Time // when the loop next wakes
	lastRearm time.Time
}

// Run samples the light sensor until ctx ends; it returns nil then. It
// returns an error only for a configuration it cannot run with; a
// sensor that does not answer is reported offline and retried.
func Run(ctx context.Context, cfg Config, pipes Pipes) error {
	s, err := newRole(cfg, pipes)
	if err != nil {
		return err
	}
	cmds, stopCmds := s.StartCommands(ctx, pipes.Rx)
	defer stopCmds()
	s.Started("bus", cfg.Bus, "address", fmt.Sprintf("%#02x", cfg.Address), "interval", s.interval)
	if err := s.connect(s.Clock.Now()); err != nil {
		return err
	}
	timer := wake.New(s.Clock)
	defer timer.Stop()
	due := timer.At(s.Wake(s.next))
	for {
		select {
		case <-ctx.Done():
			s.halt()
			return nil
		case c := <-cmds:
			// Stopped while busy, so a fake clock's waiters show an idle
			// loop exactly (sensortest.Clock).
			timer.Stop()
			s.command(c)
		case <-due:
			if now := s.Clock.Now(); !now.Before(s.next) { // not just a watchdog ping
				if err := s.tick(now); err != nil {
					return err
				}
			}
		}
		due = timer.At(s.Wake(s.next))
	}
}

func newRole(cfg Config, pipes Pipes) (*role, error) {
	if err := bh1750.CheckAddress(int(cfg.Address)); err != nil {
		return nil, fmt.Errorf("light: %w", err)
	}
	if err := bh1750.CheckInterval(cfg.Interval, cfg.Board.Simulated()); err != nil {
		return nil, fmt.Errorf("light: %w", err)
	}
	return &role{Base: sensor.NewBase("light", cfg.Settings, cfg.Board, pipes), cfg: cfg, board: cfg.Board,
		interval: cfg.Interval, retry: BackoffMin}, nil
}

// connect opens the bus if needed and sets the chip up. On success the
// first sample is due one conversion later. Once the bus is open the
// role confines itself (Base.Confine); it returns an error only if it
// cannot.
func (s *role) connect(now time.Time) error {
	if s.bus == nil {
		bus, where, err := s.board.I2C(s.cfg.Bus)
		if err != nil {
			s.offline(now, err)
			return nil
		}
		s.bus, s.where = bus, fmt.Sprintf("%s %#02x", where, s.cfg.Address)
		s.dev = bh1750.New(bus, s.cfg.Address)
		s.dev.Tries = Attempts
		if err := s.Confine(); err != nil {
			return fmt.Errorf("light: %w", err)
		}
	}
	if err := s.dev.Start(bh1750.ContinuousH); err != nil {
		s.offline(now, err)
		return nil
	}
	s.online, s.retry, s.lastRearm = true, BackoffMin, now
	s.Out.SetStatus(ipc.SensorStatus{Health: ipc.HealthOK})
	s.Log.Info("light sensor ready", "where", s.where)
	s.schedule(now.Add(s.dev.ConversionTime()))
	return nil
}

// schedule makes origin the time of the next sample.
func (s *role) schedule(origin time.Time) {
	s.origin, s.k, s.next = origin, 0, origin
}

// offline reports the sensor offline and schedules a retry with a
// backoff that doubles up to BackoffMax.
func (s *role) offline(now time.Time, err error) {
	if s.online || s.reason != err.Error() {
		s.Log.Warn("light sensor offline; retrying", "err", err, "retry", s.retry)
	}
	s.online, s.reason = false, err.Error()
	s.Out.SetStatus(ipc.SensorStatus{Health: ipc.HealthOffline, Reason: err.Error()})
	s.next = now.Add(s.retry)
	s.retry = min(2*s.retry, BackoffMax)
}

func (s *role) tick(now time.Time) error {
	if !s.online {
		return s.connect(now)
	}
	s.sample(now)
	return nil
}

// sample reads the chip and sends the reading to both pipes. Samples
// are due at origin + k·interval, so the schedule never drifts; a sample
// that is late by more than an interval is skipped, not sent twice.
func (s *role) sample(now time.Time) {
	f, err := s.dev.Read()
	if err != nil {
		s.offline(now, err)
		return
	}
	s.Out.Both(&ipc.LightSample{Lux: bh1750.Lux(f)})
	if now.Sub(s.lastRearm) >= RearmEvery {
		s.lastRearm = now
		if err := s.dev.Rearm(); err != nil {
			s.offline(now, err)
			return
		}
	}
	s.k++
	if due := s.origin.Add(time.Duration(s.k) * s.interval); !due.After(now) {
		s.k = int64(now.Sub(s.origin)/s.interval) + 1
	}
	s.next = s.origin.Add(time.Duration(s.k) * s.interval)
}

// halt powers the chip down on the way out.
func (s *role) halt() {
	if s.online {
		_ = s.dev.Halt()
	}
	s.Log.Info("light stopping", "samples", s.Out.Seq())
}
