package uplink

import (
	"bytes"
	"encoding/json"
	"os"
)

// topics are the names under the two prefixes.
type topics struct {
	prefix    string // uplink.topic_prefix
	discovery string // uplink.discovery_prefix
	node      string // sensord_<machine id>: discovery node id and unique_id stem
}

func newTopics(c Config, id string) topics {
	p := c.TopicPrefix
	if p == "" {
		h, _ := os.Hostname()
		p = "sensord/" + h
	}
	return topics{prefix: p, discovery: c.DiscoveryPrefix, node: "sensord_" + id}
}

func (t topics) status() string            { return t.prefix + "/status" }
func (t topics) state(src string) string   { return t.prefix + "/" + src + "/state" }
func (t topics) samples(src string) string { return t.prefix + "/samples/" + src }
func (t topics) health() string            { return t.prefix + "/health" }
func (t topics) gaps() string              { return t.prefix + "/gaps" }
func (t topics) haStatus() string          { return t.discovery + "/status" }

// sampleSource returns the src of a sample record line (light or
// motion), or "" for any other record (status, drop, gap) or junk.
// The logger writes src first and each key once, so byte tests and a
// validity check suffice: no decode per record (a backfill reads tens
// of thousands a second).
func sampleSource(line []byte) string {
	rest, ok := bytes.CutPrefix(line, []byte(`{"src":"`))
	if !ok {
		return ""
	}
	src, rest, ok := bytes.Cut(rest, []byte(`"`))
	if !ok || !bytes.Contains(rest, []byte(`,"seq":`)) {
		return ""
	}
	var field []byte
	switch string(src) {
	case "light":
		field = []byte(`,"lux":`)
	case "motion":
		field = []byte(`,"motion":`)
	default:
		return ""
	}
	// The logger writes each key once, at the top level, and a quote
	// inside a string is escaped: a key found by bytes is the record's.
	if !bytes.Contains(rest, field) || !json.Valid(line) {
		return ""
	}
	return string(src)
}
