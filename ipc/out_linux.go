package ipc

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"time"
)

// SensorOut is a sensor's sending side: one Sender to its GUI and
// logger pipes, and the status it last reported. Samples and status go
// to both pipes, replies to the GUI only. A frame dropped on a full
// pipe is counted by its Writer; any other write error (a descriptor
// that is not a pipe) is logged once. Like Sender, it is not safe for
// concurrent use.
type SensorOut struct {
	*Sender
	GUI, Logger *Writer
	log         *slog.Logger
	status      SensorStatus
	sent        bool // a status has been sent
	failed      bool // a write error has been logged
}

// NewSensorOut returns the sending side of generation gen of a sensor.
func NewSensorOut(gen uint32, gui, logger *Writer, log *slog.Logger) *SensorOut {
	return &SensorOut{Sender: NewSender(gen), GUI: gui, Logger: logger, log: log}
}

// Both sends m to the GUI and to the logger.
func (o *SensorOut) Both(m Message) { o.send(m, o.GUI, o.Logger) }

// Reply sends m to the GUI only.
func (o *SensorOut) Reply(m Message) { o.send(m, o.GUI) }

// SetStatus sends st to both pipes unless it is the status sent last.
func (o *SensorOut) SetStatus(st SensorStatus) {
	if o.sent && st == o.status {
		return
	}
	o.status, o.sent = st, true
	o.Both(&o.status)
}

// ResendStatus sends the last status again, for OpResend.
func (o *SensorOut) ResendStatus() { o.Both(&o.status) }

func (o *SensorOut) send(m Message, to ...*Writer) {
	if err := o.Send(m, to...); err != nil && !errors.Is(err, ErrDropped) && !o.failed {
		o.failed = true
		o.log.Error("writing to a pipe failed", "type", m.Type(), "err", err)
	}
}

// StampsFrom turns a clock (a fake one, in tests) into a Sender clock:
// monotonic time counts from the first reading.
func StampsFrom(now func() time.Time) func() (mono, wall int64) {
	t0 := now()
	return func() (int64, int64) {
		t := now()
		return int64(t.Sub(t0)), t.UnixNano()
	}
}

// BuildVersion is the program's version for info replies: module
// version and Go version.
func BuildVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "sensord"
	}
	return "sensord " + bi.Main.Version + " " + bi.GoVersion
}

// SensorEnds are a sensor role's pipe ends: commands in from the GUI,
// frames out to the GUI and to the logger. Rx is read by one goroutine
// (StartCommands); if it has SetReadDeadline, as the *os.File from
// OpenReader does, that goroutine can be stopped.
type SensorEnds struct {
	Rx          io.Reader
	GUI, Logger *Writer
}

// SensorFlags are the flags through which the daemon hands a sensor
// role its generation and its pipe ends: --gen, --rx, --tx-gui,
// --tx-logger and --drop-ledger.
type SensorFlags struct {
	role             string
	gen              *uint
	rx, txGUI, txLog *int
	ledger           *string
}

// AddSensorFlags defines the flags of role ("light" or "motion") on fs.
func AddSensorFlags(fs *flag.FlagSet, role string) *SensorFlags {
	return &SensorFlags{
		role:   role,
		gen:    fs.Uint("gen", 1, "generation: how many times the daemon has started this process"),
		rx:     fs.Int("rx", -1, "descriptor of the gui-"+role+" pipe's read end"),
		txGUI:  fs.Int("tx-gui", -1, "descriptor of the "+role+"-gui pipe's write end"),
		txLog:  fs.Int("tx-logger", -1, "descriptor of the "+role+"-logger pipe's write end"),
		ledger: fs.String("drop-ledger", "", "file that keeps unreported drop counts over a restart (made by the daemon)"),
	}
}

// Gen is the --gen given.
func (f *SensorFlags) Gen() uint32 { return uint32(*f.gen) }

// Open opens the ends the flags name (OpenSensorEnds).
func (f *SensorFlags) Open(log *slog.Logger) (SensorEnds, error) {
	return OpenSensorEnds(f.role, *f.rx, *f.txGUI, *f.txLog, *f.ledger, log)
}

// OpenSensorEnds checks and opens the descriptors a sensor role was
// given (role is "light" or "motion": its pipes are gui-ROLE, ROLE-gui
// and ROLE-logger). Errors name the flag. If ledger is not "", the
// writers keep their pending drop reports in that file (see Ledger),
// mapped for the rest of the process's life; a ledger that cannot be
// used is logged, and the role goes on without.
func OpenSensorEnds(role string, rx, txGUI, txLog int, ledger string, log *slog.Logger) (SensorEnds, error) {
	for _, e := range []struct {
		fd   int
		flag string
	}{{txGUI, "tx-gui"}, {txLog, "tx-logger"}} {
		if err := CheckWriteEnd(e.fd, role+"-"+e.flag[3:]); err != nil {
			return SensorEnds{}, fmt.Errorf("%s: --%s: %w", role, e.flag, err)
		}
	}
	r, err := OpenReader(rx, "gui-"+role)
	if err != nil {
		return SensorEnds{}, fmt.Errorf("%s: --rx: %w", role, err)
	}
	e := SensorEnds{Rx: r, GUI: NewWriter(txGUI), Logger: NewWriter(txLog)}
	if ledger == "" {
		return e, nil
	}
	l, err := OpenLedger(ledger)
	if err != nil {
		log.Warn("drops just before a crash may go unreported", "err", err)
		return e, nil
	}
	e.GUI.UseLedger(l, LedgerGUI)
	e.Logger.UseLedger(l, LedgerLogger)
	return e, nil
}
