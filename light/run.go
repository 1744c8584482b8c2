package light

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jonboulle/clockwork"
	"periph.io/x/conn/v3/i2c"

	"sensord/board"
	"sensord/ipc"
	"sensord/sensor"
)

// Retry and robustness settings.
const (
	BackoffMin = time.Second      // first retry of an offline sensor
	BackoffMax = 30 * time.Second // retries double up to this
	Attempts   = 4                // tries per transfer before the sensor counts as offline
	RearmEvery = time.Minute      // see BH1750.Rearm
)

// Config is what Run needs besides its pipes.
type Config struct {
	Gen      uint32
	Board    board.Config // its Clock and LightAddr are set by Run
	Bus      string
	Address  uint16
	Interval time.Duration
	Clock    clockwork.Clock // nil: the real clock
	Log      *slog.Logger    // nil: slog.Default()
}

// Pipes are the light role's pipe ends; Run stops the goroutine reading
// Rx before it returns.
type Pipes = sensor.Ends

// sensor is the state of the light process, owned by Run's goroutine.
type role struct {
	cfg   Config
	clk   clockwork.Clock
	log   *slog.Logger
	board *board.Board
	out   *sensor.Out

	bus    i2c.Bus
	where  string
	dev    *BH1750
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
	s, err := newSensor(cfg, pipes)
	if err != nil {
		return err
	}
	defer s.board.Close()
	cmds, stopCmds := sensor.StartCommands(ctx, pipes.Rx, s.log)
	defer stopCmds()
	s.log.Info("light starting", "board", s.board.Kind(), "seed", s.board.Seed(),
		"bus", cfg.Bus, "address", fmt.Sprintf("%#02x", cfg.Address), "interval", s.interval)
	s.connect(s.clk.Now())
	timer := s.clk.NewTimer(s.clk.Until(s.next))
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			s.halt()
			return nil
		case c := <-cmds:
			// Stopped while busy, so a fake clock's waiters show an idle
			// loop exactly (ipctest.Clock).
			timer.Stop()
			s.command(c)
		case <-timer.Chan():
			s.tick(s.clk.Now())
		}
		timer.Reset(s.clk.Until(s.next))
	}
}

func newSensor(cfg Config, pipes Pipes) (*role, error) {
	if cfg.Clock == nil {
		cfg.Clock = clockwork.NewRealClock()
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	cfg.Board.Clock, cfg.Board.LightAddr = cfg.Clock, cfg.Address
	b, err := board.Open(cfg.Board)
	if err != nil {
		return nil, fmt.Errorf("light: %w", err)
	}
	if err := CheckInterval(cfg.Interval, b.Simulated()); err != nil {
		return nil, err
	}
	s := &role{cfg: cfg, clk: cfg.Clock, log: cfg.Log, board: b,
		out: sensor.NewOut(cfg.Gen, pipes.GUI, pipes.Logger, cfg.Log), interval: cfg.Interval, retry: BackoffMin}
	if _, fake := cfg.Clock.(interface{ BlockUntil(int) }); fake {
		s.out.SetClock(sensor.StampsFrom(cfg.Clock.Now))
	}
	return s, nil
}

// connect opens the bus if needed and sets the chip up. On success the
// first sample is due one conversion later.
func (s *role) connect(now time.Time) {
	if s.bus == nil {
		bus, where, err := s.board.I2C(s.cfg.Bus)
		if err != nil {
			s.offline(now, err)
			return
		}
		s.bus, s.where = bus, fmt.Sprintf("%s %#02x", where, s.cfg.Address)
		s.dev = NewBH1750(bus, s.cfg.Address)
		s.dev.Tries = Attempts
	}
	if err := s.dev.Start(ContinuousH); err != nil {
		s.offline(now, err)
		return
	}
	s.online, s.retry, s.lastRearm = true, BackoffMin, now
	s.out.SetStatus(ipc.SensorStatus{Health: ipc.HealthOK})
	s.log.Info("light sensor ready", "where", s.where)
	s.schedule(now.Add(s.dev.ConversionTime()))
}

// schedule makes origin the time of the next sample.
func (s *role) schedule(origin time.Time) {
	s.origin, s.k, s.next = origin, 0, origin
}

// offline reports the sensor offline and schedules a retry with a
// backoff that doubles up to BackoffMax.
func (s *role) offline(now time.Time, err error) {
	if s.online || s.reason != err.Error() {
		s.log.Warn("light sensor offline; retrying", "err", err, "retry", s.retry)
	}
	s.online, s.reason = false, err.Error()
	s.out.SetStatus(ipc.SensorStatus{Health: ipc.HealthOffline, Reason: err.Error()})
	s.next = now.Add(s.retry)
	s.retry = min(2*s.retry, BackoffMax)
}

func (s *role) tick(now time.Time) {
	if !s.online {
		s.connect(now)
		return
	}
	s.sample(now)
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
	s.out.Both(&ipc.LightSample{Lux: Lux(f)})
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
	s.log.Info("light stopping", "samples", s.out.Seq())
}
