// Command waitfloor measures the floor of a Go program's idle wake-ups:
// it waits for a 50 ms timerfd on a locked thread, the daemon's tick,
// one of three ways, and prints the context switches per second of all
// its threads over 5 s (BENCHMARKS.md, "Supervisor core").
//
//	go run ./scripts/bench/waitfloor syscall|poller|sleep
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: waitfloor syscall|poller|sleep")
		os.Exit(2)
	}
	go wait(os.Args[1])
	time.Sleep(time.Second)
	a := switches()
	time.Sleep(5 * time.Second)
	fmt.Printf("%s: %.1f wake-ups/s (all threads; the measuring goroutine adds 2 in 5 s)\n", os.Args[1], float64(switches()-a)/5)
}

// wait is the loop under test.
func wait(mode string) {
	runtime.LockOSThread()
	tfd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_CLOEXEC|unix.TFD_NONBLOCK)
	if err != nil {
		panic(err)
	}
	ts := unix.NsecToTimespec(int64(50 * time.Millisecond))
	if err := unix.TimerfdSettime(tfd, 0, &unix.ItimerSpec{Interval: ts, Value: ts}, nil); err != nil {
		panic(err)
	}
	var buf [8]byte
	switch mode {
	case "syscall": // epoll_wait as a plain blocking syscall
		ep, _ := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
		_ = unix.EpollCtl(ep, unix.EPOLL_CTL_ADD, tfd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(tfd)})
		evs := make([]unix.EpollEvent, 4)
		for {
			_, _ = unix.EpollWait(ep, evs, -1)
			_, _ = unix.Read(tfd, buf[:])
		}
	case "poller": // the runtime's netpoller
		f := os.NewFile(uintptr(tfd), "timerfd")
		for {
			_, _ = f.Read(buf[:])
		}
	default:
		for {
			time.Sleep(50 * time.Millisecond)
		}
	}
}

// switches is the sum of the context switches of this process's threads.
func switches() int {
	tasks, _ := filepath.Glob("/proc/self/task/*/status")
	n := 0
	for _, t := range tasks {
		b, _ := os.ReadFile(t)
		for _, l := range strings.Split(string(b), "\n") {
			if strings.Contains(l, "ctxt_switches:") {
				v, _ := strconv.Atoi(strings.TrimSpace(l[strings.Index(l, ":")+1:]))
				n += v
			}
		}
	}
	return n
}
