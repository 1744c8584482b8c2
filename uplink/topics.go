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
// The logger writes src first, so a prefix test suffices before the
// full decode.
func sampleSource(line []byte) string {
	var r struct {
		Src    string           `json:"src"`
		Seq    *uint64          `json:"seq"`
		Lux    *json.RawMessage `json:"lux"`
		Motion *bool            `json:"motion"`
	}
	if !bytes.HasPrefix(line, []byte(`{"src":"`)) || json.Unmarshal(line, &r) != nil || r.Seq == nil {
		return ""
	}
	if r.Lux != nil && r.Src == "light" || r.Motion != nil && r.Src == "motion" {
		return r.Src
	}
	return ""
}
