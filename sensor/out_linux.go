package sensor

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"sensord/ipc"
	"sensord/sdnotify"
	"time"
)

// Out is a sensor's sending side: one ipc.Sender to its GUI and
// logger pipes, and the status it last reported. Samples and status go
// to both pipes, replies to the GUI only. A frame dropped on a full
// pipe is counted by its ipc.Writer; any other write error (a descriptor
// that is not a pipe) is logged once. Like ipc.Sender, it is not safe for
// concurrent use.
type Out struct {
	*ipc.Sender
	GUI, Logger *ipc.Writer
	log         *slog.Logger
	status      ipc.SensorStatus
	sent        bool // a status has been sent
	failed      bool // a write error has been logged
}

// ready tells the daemon (sd_notify READY=1, a no-op without
// $NOTIFY_SOCKET) that the role is ready: it is called once, right after
// the first status frame went out.
func (o *Out) ready() {
	if err := sdnotify.Notify("READY=1"); err != nil {
		o.log.Warn("cannot tell the daemon that the sensor is ready", "err", err)
	}
}

// NewOut returns the sending side of generation gen of a sensor.
func NewOut(gen uint32, gui, logger *ipc.Writer, log *slog.Logger) *Out {
	return &Out{Sender: ipc.NewSender(gen), GUI: gui, Logger: logger, log: log}
}

// Both sends m to the GUI and to the logger.
func (o *Out) Both(m ipc.Message) { o.send(m, o.GUI, o.Logger) }

// Reply sends m to the GUI only.
func (o *Out) Reply(m ipc.Message) { o.send(m, o.GUI) }

// SetStatus sends st to both pipes unless it is the status sent last.
func (o *Out) SetStatus(st ipc.SensorStatus) {
	if o.sent && st == o.status {
		return
	}
	first := !o.sent
	o.status, o.sent = st, true
	o.Both(&o.status)
	if first {
		o.ready()
	}
}

// ResendStatus sends the last status again, for ipc.OpResend.
func (o *Out) ResendStatus() { o.Both(&o.status) }

func (o *Out) send(m ipc.Message, to ...*ipc.Writer) {
	if err := o.Send(m, to...); err != nil && !errors.Is(err, ipc.ErrDropped) && !o.failed {
		o.failed = true
		o.log.Error("writing to a pipe failed", "type", m.Type(), "err", err)
	}
}

// StampsFrom turns a clock (a fake one, in tests) into a ipc.Sender clock:
// monotonic time counts from the first reading.
func StampsFrom(now func() time.Time) func() (mono, wall int64) {
	t0 := now()
	return func() (int64, int64) {
		t := now()
		return int64(t.Sub(t0)), t.UnixNano()
	}
}

// Ends are a sensor role's pipe ends: commands in from the GUI,
// frames out to the GUI and to the logger. Rx is read by one goroutine
// (StartCommands); if it has SetReadDeadline, as the *os.File from
// ipc.OpenReader does, that goroutine can be stopped.
type Ends struct {
	Rx          io.Reader
	GUI, Logger *ipc.Writer
}

// Flags are the flags through which the daemon hands a sensor
// role its generation and its pipe ends: --gen, --rx, --tx-gui,
// --tx-logger and --drop-ledger.
type Flags struct {
	role             string
	gen              *uint
	rx, txGUI, txLog *int
	ledger           *string
}

// AddFlags defines the flags of role ("light" or "motion") on fs.
func AddFlags(fs *flag.FlagSet, role string) *Flags {
	return &Flags{
		role:   role,
		gen:    fs.Uint("gen", 1, "generation: how many times the daemon has started this process"),
		rx:     fs.Int("rx", -1, "descriptor of the gui-"+role+" pipe's read end"),
		txGUI:  fs.Int("tx-gui", -1, "descriptor of the "+role+"-gui pipe's write end"),
		txLog:  fs.Int("tx-logger", -1, "descriptor of the "+role+"-logger pipe's write end"),
		ledger: fs.String("drop-ledger", "", "file that keeps unreported drop counts over a restart (made by the daemon)"),
	}
}

// Gen is the --gen given.
func (f *Flags) Gen() uint32 { return uint32(*f.gen) }

// Open opens the ends the flags name (OpenEnds).
func (f *Flags) Open(log *slog.Logger) (Ends, error) {
	return OpenEnds(f.role, *f.rx, *f.txGUI, *f.txLog, *f.ledger, log)
}

// OpenEnds checks and opens the descriptors a sensor role was
// given (role is "light" or "motion": its pipes are gui-ROLE, ROLE-gui
// and ROLE-logger). Errors name the flag. If ledger is not "", the
// writers keep their pending drop reports in that file (see Ledger),
// mapped for the rest of the process's life; a ledger that cannot be
// used is logged, and the role goes on without.
func OpenEnds(role string, rx, txGUI, txLog int, ledger string, log *slog.Logger) (Ends, error) {
	for _, e := range []struct {
		fd   int
		flag string
	}{{txGUI, "tx-gui"}, {txLog, "tx-logger"}} {
		if err := ipc.CheckWriteEnd(e.fd, role+"-"+e.flag[3:]); err != nil {
			return Ends{}, fmt.Errorf("%s: --%s: %w", role, e.flag, err)
		}
	}
	r, err := ipc.OpenReader(rx, "gui-"+role)
	if err != nil {
		return Ends{}, fmt.Errorf("%s: --rx: %w", role, err)
	}
	e := Ends{Rx: r, GUI: ipc.NewWriter(txGUI), Logger: ipc.NewWriter(txLog)}
	if ledger == "" {
		return e, nil
	}
	l, err := ipc.OpenLedger(ledger)
	if err != nil {
		log.Warn("drops just before a crash may go unreported", "err", err)
		return e, nil
	}
	e.GUI.UseLedger(l, ipc.LedgerGUI)
	e.Logger.UseLedger(l, ipc.LedgerLogger)
	return e, nil
}
