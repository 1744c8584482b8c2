package uplink

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"math/rand/v2"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/eclipse/paho.golang/paho"
	"github.com/jonboulle/clockwork"

	"sensord/sdnotify"
)

// Main parses the role's flags and runs it.
func Main(ctx context.Context, args []string) error {
	c, err := parseFlags(args)
	if err != nil {
		return err
	}
	return Run(ctx, c, newLog())
}

func newLog() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, nil)).With("role", "uplink")
}

// uplink is one running role.
type uplink struct {
	c   Config
	t   topics
	log *slog.Logger
	l   *link

	model    atomic.Value // string: the board model, from the daemon
	sent     atomic.Uint64
	sentLen  atomic.Uint64
	lastAck  atomic.Int64 // unix ns
	gapFiles atomic.Int64

	statusMu    sync.Mutex // control.UplinkFile writes
	discoveryMu sync.Mutex // sendDiscovery: a session's and Home Assistant's

	mu  sync.Mutex
	pos position // after the last acknowledged sample
}

// Run sends the files and the health until ctx ends, then says offline.
func Run(ctx context.Context, c Config, log *slog.Logger) error {
	id := machineID(c.MachineIDFile)
	u := &uplink{c: c, t: newTopics(c, id), log: log, l: &link{log: log, seed: rand.Uint64()}}
	u.l.changed = func() { go u.writeStatus() }
	w, err := newWatcher(c.DataDir)
	if err != nil {
		return err
	}
	defer w.Close()
	if err := prepareState(c.DataDir); err != nil {
		return err
	}
	cur, known, err := loadCursor(c.DataDir)
	if err != nil {
		log.Warn(err.Error())
	}
	r := &reader{dir: c.DataDir, wake: w.wake, onGap: u.gap}
	if err := r.open(cur, known); err != nil {
		return err
	}
	defer r.close()
	u.pos = r.pos
	linkCtx, stopLink := context.WithCancel(context.Background())
	defer stopLink()
	if err := dial(linkCtx, c, u.t, id, u.l, u.announce, u.received); err != nil {
		return err
	}
	log.Info("uplink: started", "broker", u.l.host, "prefix", u.t.prefix, "client_id", "sensord-"+id)
	// Ready: the files are open and the connection manager runs. Not
	// "connected": a broker that is away must not hold back the
	// appliance's readiness (its backlog is the files).
	if err := sdnotify.Notify("READY=1"); err != nil {
		log.Warn("uplink: cannot tell the daemon it is ready", "err", err)
	}
	dirty := make(chan struct{}, 1)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); u.saveLoop(ctx, dirty) }()
	go func() { defer wg.Done(); u.healthLoop(ctx) }()
	err = u.sendLoop(ctx, r, dirty)
	wg.Wait()
	u.goodbye(linkCtx)
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// window is how many publishes may wait for their acknowledgement.
const window = 256

// inflight is one publish waiting for its acknowledgement, and where
// the cursor may move once it has it.
type inflight struct {
	done    <-chan error
	pos     position
	sample  int           // bytes of the sample line, 0 for a state
	session chan struct{} // the link's session it was started on
}

// sendLoop publishes every sample line in file order, up to window
// unacknowledged, and moves the cursor only over acknowledged lines. A
// failed publish sends everything after the cursor again (duplicates,
// never a loss). It is the uplink's main loop: every wait in it pings
// the watchdog (pulse).
func (u *uplink) sendLoop(ctx context.Context, r *reader, dirty chan struct{}) error {
	p := newPulse(clockwork.NewRealClock())
	defer p.stop()
	var q []inflight
	for {
		if len(q) >= window {
			q = u.settle(ctx, r, q, 1, dirty, p)
			continue
		}
		line, live, err := r.next()
		switch {
		case errors.Is(err, errNoData):
			// Wait for the oldest acknowledgement or a new line, whichever
			// comes first: a broker that delays an ack (Nagle against a
			// delayed ACK: 40 ms) must not hold back the next record.
			var first <-chan error
			if len(q) > 0 {
				first = q[0].done
			}
			var stop error
			select {
			case e := <-first:
				q = u.settleFirst(ctx, r, q, e, dirty, p)
			case _, ok := <-r.wake:
				if !ok {
					stop = errors.New("uplink: inotify on the data directory stopped; the daemon restarts the uplink")
				}
				r.woke()
			case <-p.due():
			case <-ctx.Done():
				stop = ctx.Err()
			}
			if stop != nil {
				u.settle(ctx, r, q, len(q), dirty, p)
				return stop
			}
			continue
		case err != nil:
			u.settle(ctx, r, q, len(q), dirty, p)
			return err
		}
		src := sampleSource(line)
		if src == "" { // no sample: the cursor passes it with the next ack
			if len(q) == 0 {
				u.moved(r.pos, dirty)
			} else {
				q[len(q)-1].pos = r.pos
			}
			continue
		}
		session, err := u.l.awaitSession(ctx, p)
		if err != nil {
			return err
		}
		if len(q) > 0 && q[len(q)-1].session != session {
			// A new session: paho sends the old one's unacknowledged
			// publishes again on it. Nothing new goes out before they
			// are settled, or a record would overtake them. If one
			// failed, the reader went back to the cursor and this line
			// comes again.
			at := r.pos
			if q = u.settle(ctx, r, q, len(q), dirty, p); r.pos != at {
				continue
			}
		}
		payload := bytes.Clone(line) // paho keeps it for a resend
		q = append(q, inflight{u.l.start(ctx, u.t.samples(src), payload, false, p), r.pos, len(line) + 1, session})
		if live {
			q = append(q, inflight{u.l.start(ctx, u.t.state(src), payload, true, p), r.pos, 0, session})
		}
	}
}

// settle waits for the first n in flight. On a failure it waits for the
// rest and puts the reader back at the cursor.
func (u *uplink) settle(ctx context.Context, r *reader, q []inflight, n int, dirty chan struct{}, p *pulse) []inflight {
	for i := 0; i < n && len(q) > 0; i++ {
		q = u.settleFirst(ctx, r, q, await(p, q[0].done), dirty, p)
	}
	return q
}

// settleFirst handles the result err of the oldest publish in flight.
func (u *uplink) settleFirst(ctx context.Context, r *reader, q []inflight, err error, dirty chan struct{}, p *pulse) []inflight {
	if err != nil {
		for _, f := range q[1:] {
			await(p, f.done)
		}
		u.mu.Lock()
		at := u.pos
		u.mu.Unlock()
		if ctx.Err() == nil {
			u.log.Warn("uplink: publish not acknowledged; sending again from the cursor", "err", err)
			if err := r.seek(at); err != nil {
				u.log.Warn(err.Error())
			}
			p.pause(ctx.Done(), time.Second) // a broker that refuses at once must not make a busy loop
		}
		return q[:0]
	}
	if q[0].sample > 0 {
		u.sent.Add(1)
		u.sentLen.Add(uint64(q[0].sample))
		u.lastAck.Store(time.Now().UnixNano())
	}
	u.moved(q[0].pos, dirty)
	return q[1:]
}

// moved advances the cursor to p.
func (u *uplink) moved(p position, dirty chan struct{}) {
	u.mu.Lock()
	u.pos = p
	u.mu.Unlock()
	select {
	case dirty <- struct{}{}:
	default:
	}
}

// saveLoop writes the cursor when it moved, at most once a second, and
// once more at the end.
func (u *uplink) saveLoop(ctx context.Context, dirty chan struct{}) {
	var saved position
	save := func() {
		u.mu.Lock()
		p := u.pos
		u.mu.Unlock()
		if p == saved {
			return
		}
		if err := saveCursor(u.c.DataDir, p); err != nil {
			u.log.Warn(err.Error())
			return
		}
		saved = p
	}
	for {
		select {
		case <-ctx.Done():
			save()
			return
		case <-dirty:
		}
		save()
		u.writeStatus() // the dashboard's ack age, at most a second old
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

// gap reports data files removed by rotation before they were sent.
func (u *uplink) gap(lost int, after string) {
	u.gapFiles.Add(int64(lost))
	u.log.Warn("uplink: data files removed by rotation before they were sent; their records are lost to the broker",
		"files", lost, "at", after)
	b, _ := json.Marshal(map[string]any{"files": lost, "at": after, "t": time.Now().UTC()})
	go func() { _ = u.l.publish(context.Background(), u.t.gaps(), b, false) }()
}

// announce runs on each new session: online, discovery, the current
// values, then samples may flow.
func (u *uplink) announce(ready chan struct{}) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := u.l.cm.Subscribe(ctx, &paho.Subscribe{Subscriptions: []paho.SubscribeOptions{{Topic: u.t.haStatus(), QoS: 1}}})
	if err == nil {
		err = u.l.publishOnce(ctx, u.t.status(), []byte("online"), true)
	}
	if err == nil {
		err = u.sendDiscovery(ctx)
	}
	if err != nil {
		u.log.Warn("uplink: announcing the session failed; the next connection tries again", "err", err)
		return
	}
	u.l.announced(ready)
	u.log.Info("uplink: connected", "broker", u.l.host)
}

// received handles homeassistant/status: when Home Assistant comes
// online it has forgotten non-retained state, so send everything again,
// after a random delay so a building of appliances does not answer at
// once.
func (u *uplink) received(p paho.PublishReceived) {
	if p.Packet.Topic != u.t.haStatus() || string(p.Packet.Payload) != "online" {
		return
	}
	d := time.Duration(rand.Int64N(int64(3 * time.Second)))
	time.AfterFunc(d, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := u.sendDiscovery(ctx); err != nil {
			u.log.Warn("uplink: resending discovery failed", "err", err)
		}
	})
}

// goodbye says offline (retained) and disconnects: a clean MQTT 5
// disconnect does not fire the will, so it is said explicitly.
func (u *uplink) goodbye(ctx context.Context) {
	if _, up, _ := u.l.current(); up {
		c, cancel := context.WithTimeout(ctx, time.Second)
		_ = u.l.publishOnce(c, u.t.status(), []byte("offline"), true)
		cancel()
	}
	c, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	_ = u.l.cm.Disconnect(c)
}

func (u *uplink) boardModel() string {
	m, _ := u.model.Load().(string)
	return m
}
