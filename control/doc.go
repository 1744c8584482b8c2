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
package control
