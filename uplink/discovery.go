package uplink

import (
	"encoding/json"
	"os"

	"sensord/version"
)

// entity is one Home Assistant discovery config.
type entity struct {
	component string // sensor, binary_sensor
	object    string // part of the topic and unique_id
	fields    map[string]any
}

// children are the daemon's children the health entities describe.
var healthChildren = []string{"logger", "gui", "motion", "light", "uplink"}

// entities lists every discovery config: illuminance, motion, and per
// child its restarts and a problem sensor.
func (t topics) entities() []entity {
	es := []entity{
		{"sensor", "illuminance", map[string]any{
			"name": "Illuminance", "state_topic": t.state("light"),
			"value_template": "{{ value_json.lux }}", "device_class": "illuminance",
			"unit_of_measurement": "lx", "state_class": "measurement"}},
		{"binary_sensor", "motion", map[string]any{
			"name": "Motion", "state_topic": t.state("motion"),
			"value_template": "{{ 'ON' if value_json.motion else 'OFF' }}",
			"payload_on":     "ON", "payload_off": "OFF", "device_class": "motion"}},
	}
	for _, c := range healthChildren {
		es = append(es,
			entity{"sensor", c + "_restarts", map[string]any{
				"name": c + " restarts", "state_topic": t.health(),
				"value_template": "{{ value_json.children." + c + ".restarts }}",
				"state_class":    "measurement", "entity_category": "diagnostic"}},
			entity{"binary_sensor", c + "_problem", map[string]any{
				"name": c + " problem", "state_topic": t.health(), "device_class": "problem",
				"value_template": "{{ 'OFF' if value_json.children." + c + ".state == 'running' else 'ON' }}",
				"payload_on":     "ON", "payload_off": "OFF", "entity_category": "diagnostic"}})
	}
	return es
}

// discoveryTopic is <discovery>/<component>/<node>/<object>/config.
func (t topics) discoveryTopic(e entity) string {
	return t.discovery + "/" + e.component + "/" + t.node + "/" + e.object + "/config"
}

// config is the retained payload of e: every config carries the full
// device block, since Home Assistant names the device from whichever
// config arrives first.
func (t topics) config(e entity, model string) []byte {
	host, _ := os.Hostname()
	m := map[string]any{
		"unique_id":             t.node + "_" + e.object,
		"availability_topic":    t.status(),
		"payload_available":     "online",
		"payload_not_available": "offline",
		"device": map[string]any{
			"identifiers":  []string{t.node},
			"name":         "sensord " + host,
			"manufacturer": "sensord",
			"model":        model,
			"sw_version":   version.String(),
		},
		"origin": map[string]any{"name": "sensord", "sw_version": version.String()},
	}
	for k, v := range e.fields {
		m[k] = v
	}
	b, _ := json.Marshal(m)
	return b
}
