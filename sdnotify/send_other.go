//go:build !linux

package sdnotify

import "errors"

func send(addr string, msg []byte) error {
	return errors.New("notify sockets are only supported on Linux")
}
