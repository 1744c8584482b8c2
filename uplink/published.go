package uplink

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// publishedName is the file in the state folder that lists the
// discovery topics this appliance has published, one per line: what to
// clear (an empty retained payload) when a config goes away, because
// uplink.discovery was turned off, the discovery prefix changed, or a
// release dropped an entity. Home Assistant then removes the entity
// instead of keeping it, unavailable, for ever.
const publishedName = "discovery"

func loadPublished(dir string) []string {
	b, err := os.ReadFile(filepath.Join(stateDir(dir), publishedName))
	if err != nil {
		return nil
	}
	return strings.Fields(string(b))
}

func savePublished(dir string, topics []string) error {
	path := filepath.Join(stateDir(dir), publishedName)
	if err := writeState(path, []byte(strings.Join(topics, "\n")+"\n")); err != nil {
		return fmt.Errorf("uplink: list of published discovery configs: %w; a config dropped later may stay in Home Assistant", err)
	}
	return nil
}

// discoveryConfigs are the configs to publish now, by topic, in order.
func (u *uplink) discoveryConfigs() (topics []string, payloads [][]byte) {
	if !u.c.Discovery {
		return nil, nil
	}
	for _, e := range u.t.entities() {
		topics = append(topics, u.t.discoveryTopic(e))
		payloads = append(payloads, u.t.config(e, u.boardModel()))
	}
	return topics, payloads
}

// sendDiscovery clears the configs published before that are no longer
// wanted, publishes the wanted ones and the current states.
func (u *uplink) sendDiscovery(ctx context.Context) error {
	u.discoveryMu.Lock()
	defer u.discoveryMu.Unlock()
	topics, payloads := u.discoveryConfigs()
	before := loadPublished(u.c.DataDir)
	for _, old := range before {
		if slices.Contains(topics, old) {
			continue
		}
		if err := u.l.publishOnce(ctx, old, nil, true); err != nil {
			return err
		}
		u.log.Info("uplink: discovery config cleared", "topic", old)
	}
	for i, t := range topics {
		if err := u.l.publishOnce(ctx, t, payloads[i], true); err != nil {
			return err
		}
	}
	if !slices.Equal(before, topics) {
		if err := savePublished(u.c.DataDir, topics); err != nil {
			u.log.Warn(err.Error())
		}
	}
	for src, line := range latestSamples(u.c.DataDir) {
		if err := u.l.publishOnce(ctx, u.t.state(src), line, true); err != nil {
			return err
		}
	}
	return nil
}
