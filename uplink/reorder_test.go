package uplink

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"testing"

	"sensord/uplink/mqtttest"
)

// cuttingProxy forwards connections to the broker and, once, cuts the
// first one at the moment the client sends needle: the publishes before
// it may have reached the broker, their acknowledgements may not have
// come back, and those after it are lost with the connection.
type cuttingProxy struct {
	l      net.Listener
	broker string
	needle []byte
	mu     sync.Mutex
	cut    bool
}

func newCuttingProxy(t *testing.T, broker string, needle string) *cuttingProxy {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cuttingProxy{l: l, broker: broker, needle: []byte(needle)}
	t.Cleanup(func() { l.Close() })
	go p.serve()
	return p
}

func (p *cuttingProxy) url() string { return "mqtt://" + p.l.Addr().String() }

func (p *cuttingProxy) serve() {
	for {
		c, err := p.l.Accept()
		if err != nil {
			return
		}
		b, err := net.Dial("tcp", p.broker)
		if err != nil {
			c.Close()
			continue
		}
		go func() { _, _ = io.Copy(c, b); c.Close() }()
		go p.up(c, b)
	}
}

// up copies client to broker, cutting both at the needle the first time.
func (p *cuttingProxy) up(c, b net.Conn) {
	defer b.Close()
	defer c.Close()
	buf := make([]byte, 32<<10)
	var tail []byte
	for {
		n, err := c.Read(buf)
		if n > 0 {
			seen := append(tail, buf[:n]...)
			if i := bytes.Index(seen, p.needle); i >= 0 && p.first() {
				// Send what came before the needle's packet, then cut.
				_, _ = b.Write(buf[:max(0, n-(len(seen)-i)-64)])
				return
			}
			if _, err := b.Write(buf[:n]); err != nil {
				return
			}
			tail = append(tail[:0], seen[max(0, len(seen)-len(p.needle)):]...)
		}
		if err != nil {
			return
		}
	}
}

func (p *cuttingProxy) first() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	was := p.cut
	p.cut = true
	return !was
}

// TestReconnectKeepsOrder: a connection cut in the middle of a backfill,
// with publishes in flight, loses nothing and lets no record overtake
// one sent before it: first arrivals at the subscriber are in file
// order. (It does not force the one interleaving that the send loop's
// session check guards against, a publish started on the old session
// going out on the new one after a newer record: it passes without that
// check too. It guards the cut itself.)
func TestReconnectKeepsOrder(t *testing.T) {
	b := mqtttest.New(t)
	b.Start()
	const n = 3000
	dir := t.TempDir()
	appendRecords(t, dir, 1, 1, n)
	sub := mqtttest.Subscribe(t, b.URL(), "test-sub", "#")
	proxy := newCuttingProxy(t, "127.0.0.1:"+strconv.Itoa(b.Port), fmt.Sprintf(`"seq":%d,`, n/2))
	c := baseConfig(b, dir)
	c.Broker = proxy.url()
	u := start(t, c)
	waitAll(t, sub, "sensord/test", n, n/10)
	_, dups, _ := complete(seqs(sub.Messages(), "sensord/test")["light"], n)
	t.Logf("cut at seq %d: all %d in order, %d duplicates", n/2, n, dups)
	if u.log.count("uplink: connected") < 2 {
		t.Fatal("the connection was never cut: the test proved nothing")
	}
}
