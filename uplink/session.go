package uplink

import (
	"errors"
	"io"

	"github.com/eclipse/paho.golang/paho/session/state"
	"github.com/eclipse/paho.golang/paho/store/memory"
)

// newSession is paho's session state without a copy of each outgoing
// PUBLISH. paho keeps one to resend it on a reconnect into the same
// session; the uplink's sessions end with their connection
// (SessionExpiryInterval 0), so paho drops those copies unread, and
// what was not acknowledged is sent again from the cursor (README.md,
// "Uplink"). Keeping them cost about 5 % of the uplink's CPU in a
// backfill. Incoming packets keep paho's memory store.
func newSession() *state.State { return state.New(noResend{}, memory.New()) }

// noResend stores nothing.
type noResend struct{}

var errNotKept = errors.New("uplink: outgoing packets are not kept")

func (noResend) Put(uint16, byte, io.WriterTo) error { return nil }
func (noResend) Get(uint16) (io.ReadCloser, error)   { return nil, errNotKept }
func (noResend) Delete(uint16) error                 { return nil }
func (noResend) Quarantine(uint16) error             { return nil }
func (noResend) List() ([]uint16, error)             { return nil, nil }
func (noResend) Reset() error                        { return nil }
