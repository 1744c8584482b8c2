package uplink

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/eclipse/paho.golang/autopaho"
	"github.com/eclipse/paho.golang/paho"
)

// link is the MQTT connection and what the main loop must know of it.
// autopaho's callbacks run on its goroutines; mu guards the fields.
type link struct {
	cm   *autopaho.ConnectionManager
	host string
	log  *slog.Logger
	seed uint64

	wrote  chan struct{} // a whole PUBLISH was written (watchedConn)
	sendMu sync.Mutex    // one publish starting at a time

	mu       sync.Mutex
	ready    chan struct{} // closed once a session is up and announced
	up       bool
	failures int
	lastErr  string
	changed  func() // the connection came up, went down or failed
}

// hint turns a connection error into what a person should check.
func hint(err error) string {
	var ce *autopaho.ConnackError
	var dns *net.DNSError
	switch {
	case errors.As(err, &ce) && (ce.ReasonCode == 0x86 || ce.ReasonCode == 0x87 || ce.ReasonCode == 4 || ce.ReasonCode == 5):
		return "check uplink.username and uplink.password_file"
	case errors.As(err, &ce):
		return "the broker refused the connection"
	case errors.As(err, &dns):
		return "does the broker's name resolve? check uplink.broker"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "is Mosquitto running?"
	case strings.Contains(err.Error(), "certificate") || strings.Contains(err.Error(), "tls:"):
		return "check uplink.ca_file and the broker's certificate name"
	}
	return "is the broker reachable?"
}

func (l *link) connectError(err error) {
	l.mu.Lock()
	l.failures++
	d := backoff(l.seed, l.failures)
	l.lastErr = fmt.Sprintf("uplink: broker %s: %v; %s; retrying in %s", l.host, err, hint(err), d.Round(time.Second))
	msg := l.lastErr
	l.mu.Unlock()
	l.log.Warn(msg)
	l.changed()
}

func (l *link) reconnectDelay(attempt int) time.Duration { return backoff(l.seed, attempt) }

func (l *link) connectionDown() bool {
	l.mu.Lock()
	l.up, l.ready = false, make(chan struct{})
	l.lastErr = "uplink: connection to " + l.host + " lost; reconnecting"
	l.mu.Unlock()
	l.log.Warn("uplink: connection lost; reconnecting", "broker", l.host)
	l.changed()
	return true
}

// announced marks the session ready for samples.
func (l *link) announced(ready chan struct{}) {
	l.mu.Lock()
	if l.ready == ready {
		l.up, l.failures, l.lastErr = true, 0, ""
		close(ready)
	}
	l.mu.Unlock()
	l.changed()
}

func (l *link) current() (chan struct{}, bool, string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.ready, l.up, l.lastErr
}

// awaitSession waits until a session is up and announced, and returns
// it (its ready channel).
func (l *link) awaitSession(ctx context.Context, p *pulse) (chan struct{}, error) {
	for {
		ready, _, _ := l.current()
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-ready:
			return ready, nil
		case <-p.due():
		}
	}
}

// publish sends one message with QoS 1 and returns once the broker
// acknowledged it, retrying over reconnects until ctx ends.
func (l *link) publish(ctx context.Context, topic string, payload []byte, retain bool) error {
	for {
		ready, _, _ := l.current()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ready:
		}
		if err := l.publishOnce(ctx, topic, payload, retain); err == nil {
			return nil
		}
		select { // not acknowledged: wait for a new session or a second
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

func (l *link) publishOnce(ctx context.Context, topic string, payload []byte, retain bool) error {
	return <-l.start(ctx, topic, payload, retain, nil)
}

// start begins one QoS 1 publish and returns once it is on the wire (or
// failed); the channel then gives the broker's answer. Publishes started
// one after another are on the wire in that order. p is the caller's
// watchdog while it waits (nil outside the send loop).
func (l *link) start(ctx context.Context, topic string, payload []byte, retain bool, p *pulse) <-chan error {
	done := make(chan error, 1)
	l.sendMu.Lock()
	defer l.sendMu.Unlock()
	select {
	case <-l.wrote: // a stale signal (a resend) must not count for this one
	default:
	}
	finished := make(chan struct{})
	go func() {
		// No deadline of ours: paho gives up on an acknowledgement after
		// its PacketTimeout (10 s), and a connection that is down fails
		// the publish at once.
		_, err := l.cm.Publish(ctx, &paho.Publish{QoS: 1, Topic: topic, Payload: payload, Retain: retain})
		done <- err
		close(finished)
	}()
	for { // paho may wait here for a packet id (the broker's receive maximum)
		select {
		case <-l.wrote:
			return done
		case <-finished:
			return done
		case <-p.due():
		}
	}
}

// withCredentials reads the password file at every attempt, so fixing
// the file is enough: no restart needed.
func withCredentials(cp *paho.Connect, c Config) (*paho.Connect, error) {
	pw, err := password(c.PasswordFile)
	if err != nil {
		return nil, err
	}
	cp.Username, cp.UsernameFlag = c.Username, c.Username != ""
	cp.Password, cp.PasswordFlag = pw, pw != nil
	return cp, nil
}

// dial builds the connection manager; it connects in the background and
// never gives up.
func dial(ctx context.Context, c Config, t topics, id string, l *link, onUp func(chan struct{}), onMsg func(paho.PublishReceived)) error {
	u, err := brokerURL(c.Broker)
	if err != nil {
		return err
	}
	if _, err := password(c.PasswordFile); err != nil {
		return err
	}
	l.host, l.ready, l.wrote = u.Host, make(chan struct{}), make(chan struct{}, 1)
	cfg := autopaho.ClientConfig{
		ServerUrls: []*url.URL{u}, KeepAlive: 30,
		CleanStartOnInitialConnection: true, SessionExpiryInterval: 0,
		ReconnectBackoff: l.reconnectDelay, ConnectTimeout: 10 * time.Second,
		ConnectPacketBuilder: func(cp *paho.Connect, _ *url.URL) (*paho.Connect, error) {
			return withCredentials(cp, c)
		},
		WillMessage: &paho.WillMessage{Topic: t.status(), Payload: []byte("offline"), QoS: 1, Retain: true},
		OnConnectionUp: func(*autopaho.ConnectionManager, *paho.Connack) {
			ready, _, _ := l.current()
			go onUp(ready)
		},
		OnConnectionDown:  l.connectionDown,
		AttemptConnection: l.attempt,
		OnConnectError:    l.connectError,
		ClientConfig: paho.ClientConfig{
			ClientID:           "sensord-" + id,
			Session:            newSession(),
			OnPublishReceived:  []func(paho.PublishReceived) (bool, error){func(p paho.PublishReceived) (bool, error) { onMsg(p); return true, nil }},
			OnClientError:      func(err error) { l.log.Warn("uplink: client error", "err", err) },
			OnServerDisconnect: func(d *paho.Disconnect) { l.log.Warn("uplink: broker disconnected us", "reason", d.ReasonCode) },
		},
	}
	if u.Scheme == "mqtts" {
		if cfg.TlsCfg, err = tlsConfig(c, u.Hostname()); err != nil {
			return err
		}
	}
	l.cm, err = autopaho.NewConnection(ctx, cfg)
	if err != nil {
		return fmt.Errorf("uplink: %w", err)
	}
	return nil
}
