// Package control is the daemon's control protocol, for both of its
// sides: the daemon that serves it and every client (`sensord status`,
// `sensord restart`, the dashboard, the uplink).
//
// The socket is sensord.sock (SocketName) in the runtime directory, a
// Unix stream socket. A client writes one JSON request per line
// (Request: {"cmd":"status"}, {"cmd":"restart","name":"gui"},
// {"cmd":"stop"}) and reads one JSON line back: a Status, an OK, or an
// Error ({"error":"..."}). Status is the schema of `sensord status
// --json`, documented in the README: fields may be added, none may
// change meaning.
//
// {"cmd":"subscribe"} is the one request with more than one reply
// line: the daemon writes a Status line at once and then one more each
// time the status changes (a child started, died, changed state or
// became ready, a restart, a reload; not a pipe's fill), on the same
// connection, until the client closes it. Client.Subscribe follows it,
// reconnecting when the daemon is not there or the connection drops,
// and falls back to polling status with a daemon that answers the
// request with an Error.
package control
