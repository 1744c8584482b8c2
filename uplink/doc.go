// Package uplink is the optional fifth child, role "uplink": it sends
// every sample the logger wrote, and the appliance's health, to an MQTT
// broker and announces the sensors to Home Assistant.
//
// What it owns: the MQTT connection (github.com/eclipse/paho.golang
// autopaho, MQTT 5: the will is sent on a lost connection and an explicit
// "offline" before a clean stop), the folder uplink/ in the data directory
// (its cursor), and the topics under uplink.topic_prefix and
// uplink.discovery_prefix (README, "MQTT uplink and Home Assistant").
// SandboxedMain, the child's entry point, confines it with Landlock to
// these files, its credentials and the system's CAs and resolver
// files, and TCP to the broker's port (sandbox.go; README.md, "Security:
// file system").
//
// Contract with its neighbours:
//   - The logger's files sensord-*.jsonl are the queue. The uplink only
//     reads them; the backlog while the broker is away is the files, not
//     RAM. New lines are seen through inotify on the data directory.
//   - Every sample record (light, motion) is published with QoS 1 on
//     samples/<src>, verbatim as the line in the file, in file order, a
//     window of them unacknowledged at a time. After a reconnect nothing
//     new is sent before the old session's publishes are settled (paho
//     sends them again and the broker acknowledges them, or one fails
//     and everything after the cursor is sent again), so order per
//     source holds across reconnects. The cursor
//     (file identity dev+inode, name, and the offset after the last
//     acknowledged line) is written by temp file and rename at most once a
//     second, so after a crash at most a second of records is sent again:
//     at least once, duplicates dropped by (src, gen, seq) downstream.
//   - A data file removed by rotation before it was sent is a gap: it is
//     counted, logged and published on <prefix>/gaps.
//   - The daemon's status comes from the control socket (--control) and
//     is published on <prefix>/health when it changes (a subscription on
//     the socket, at most once a second) and every HealthInterval.
//   - The uplink holds no pipe and is supervised like any child.
package uplink
