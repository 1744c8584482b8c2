package sdnotify

import "golang.org/x/sys/unix"

// send writes one datagram. x/sys/unix turns a leading '@' into the NUL
// of an abstract address.
func send(addr string, msg []byte) error {
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	// MSG_DONTWAIT: a service manager that stopped reading must not stall
	// the watch loop; the caller logs the EAGAIN.
	return unix.Sendto(fd, msg, unix.MSG_DONTWAIT|unix.MSG_NOSIGNAL, &unix.SockaddrUnix{Name: addr})
}
