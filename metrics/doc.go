// Package metrics is the appliance's figures in the Prometheus text
// format, built with github.com/prometheus/client_golang: `sensord
// metrics` prints them, and the uplink writes them to uplink.textfile
// (atomically, for node_exporter's textfile collector).
//
// The figures come from the daemon's status (children up, restarts, last
// exit, pipe fill) and the data directory (bytes logged; the uplink's
// backlog: bytes after its cursor, and the age of its last
// acknowledgement: the cursor file's modification time, which moves at
// most once a second and only after an acknowledgement). Pipe drops and
// a count of samples logged are not in the daemon's status, so they are
// not here.
package metrics
