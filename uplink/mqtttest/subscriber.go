package mqtttest

import (
	"context"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/eclipse/paho.golang/autopaho"
	"github.com/eclipse/paho.golang/paho"
)

// Message is one message a Subscriber got.
type Message struct {
	Topic   string
	Payload string
	Retain  bool
	At      time.Time // when it arrived
}

// Subscriber is a client with a persistent session (clean start off,
// an hour's session expiry) subscribed with QoS 1, as Telegraf would be.
type Subscriber struct {
	mu     sync.Mutex
	msgs   []Message
	counts map[string]int // per topic, so Count need not copy msgs
}

// Subscribe connects id to the broker at u and subscribes to filter.
func Subscribe(t testing.TB, u, id, filter string) *Subscriber {
	s := &Subscriber{counts: map[string]int{}}
	bu, _ := url.Parse(u)
	ctx, cancel := context.WithCancel(context.Background())
	up := make(chan struct{}, 1)
	cm, err := autopaho.NewConnection(ctx, autopaho.ClientConfig{
		ServerUrls: []*url.URL{bu}, KeepAlive: 30, SessionExpiryInterval: 3600,
		ReconnectBackoff: autopaho.NewConstantBackoff(200 * time.Millisecond),
		OnConnectionUp: func(cm *autopaho.ConnectionManager, _ *paho.Connack) {
			go func() {
				_, _ = cm.Subscribe(ctx, &paho.Subscribe{Subscriptions: []paho.SubscribeOptions{{Topic: filter, QoS: 1}}})
				select {
				case up <- struct{}{}:
				default:
				}
			}()
		},
		ClientConfig: paho.ClientConfig{
			ClientID: id,
			OnPublishReceived: []func(paho.PublishReceived) (bool, error){func(p paho.PublishReceived) (bool, error) {
				s.mu.Lock()
				s.msgs = append(s.msgs, Message{p.Packet.Topic, string(p.Packet.Payload), p.Packet.Retain, time.Now()})
				s.counts[p.Packet.Topic]++
				s.mu.Unlock()
				return true, nil
			}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-up:
	case <-time.After(30 * time.Second):
		t.Fatal("mqtttest: subscriber did not connect")
	}
	t.Cleanup(func() {
		c, cc := context.WithTimeout(context.Background(), time.Second)
		_ = cm.Disconnect(c)
		cc()
		cancel()
	})
	return s
}

// Messages returns a copy of what arrived so far.
func (s *Subscriber) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Publish sends one QoS 1 message from a short-lived client.
func Publish(t testing.TB, u, topic, payload string, retain bool) {
	t.Helper()
	bu, _ := url.Parse(u)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cm, err := autopaho.NewConnection(ctx, autopaho.ClientConfig{ServerUrls: []*url.URL{bu}, KeepAlive: 30,
		ClientConfig: paho.ClientConfig{ClientID: "test-pub"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := cm.AwaitConnection(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := cm.Publish(ctx, &paho.Publish{QoS: 1, Topic: topic, Payload: []byte(payload), Retain: retain}); err != nil {
		t.Fatal(err)
	}
	_ = cm.Disconnect(ctx)
}

// Count is how many messages arrived on topic so far.
func (s *Subscriber) Count(topic string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[topic]
}
