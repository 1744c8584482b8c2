package uplink

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"testing"
)

// slowWriter records what reaches the socket, one Write at a time.
type slowWriter struct {
	mu     sync.Mutex
	got    bytes.Buffer
	writes int
	fail   error
}

func (w *slowWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.fail != nil {
		return 0, w.fail
	}
	w.writes++
	return w.got.Write(b)
}

// TestOutboxOrderAndDrain: packets reach the socket whole and in the
// order written, fewer writes than packets when they come fast, and
// drain sends what is left before it returns.
func TestOutboxOrderAndDrain(t *testing.T) {
	w := &slowWriter{}
	o := newOutbox(w)
	go o.flush()
	var want bytes.Buffer
	for i := range 10000 {
		p := fmt.Sprintf("packet %d;", i)
		want.WriteString(p)
		if _, err := o.add([]byte(p)); err != nil {
			t.Fatal(err)
		}
	}
	o.drain()
	if w.got.String() != want.String() {
		t.Fatal("bytes on the socket differ from those written, or are out of order")
	}
	t.Logf("10000 packets in %d writes", w.writes)
	if _, err := o.add([]byte("late")); err == nil {
		t.Fatal("a write after drain was taken")
	}
}

// TestOutboxError: a failed socket write fails the next add, so paho
// learns the connection is gone.
func TestOutboxError(t *testing.T) {
	boom := errors.New("broken pipe")
	w := &slowWriter{fail: boom}
	o := newOutbox(w)
	go o.flush()
	if _, err := o.add([]byte("x")); err != nil {
		t.Fatal(err)
	}
	<-o.gone // the flusher stops at the error
	if _, err := o.add([]byte("y")); !errors.Is(err, boom) {
		t.Fatalf("add after a failed write: %v, want %v", err, boom)
	}
	o.drain() // returns although the flusher is gone
}
