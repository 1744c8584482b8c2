package sensor

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sensord/ipc"
	"time"
)

// ReadCommands decodes the commands on rx, a sensor's command pipe, and
// hands them to out until rx fails or ctx ends. Frames that are not
// commands are logged and skipped.
func ReadCommands(ctx context.Context, rx io.Reader, out chan<- ipc.Command, log *slog.Logger) {
	rd := ipc.NewReader(rx)
	for {
		f, err := rd.Next()
		if err != nil {
			if ctx.Err() == nil && !errors.Is(err, io.EOF) {
				log.Error("command pipe failed; commands are ignored from now on", "err", err)
			}
			return
		}
		var c ipc.Command
		if f.Type != ipc.TypeCommand || c.UnmarshalPayload(f.Payload) != nil {
			log.Warn("ignored a frame on the command pipe", "type", f.Type, "len", len(f.Payload))
			continue
		}
		select {
		case out <- c:
		case <-ctx.Done():
			return
		}
	}
}

// StartCommands runs ReadCommands on rx in a goroutine of its own. It
// returns the channel the commands come on and a function that stops
// that goroutine and waits for it to end.
func StartCommands(ctx context.Context, rx io.Reader, log *slog.Logger) (<-chan ipc.Command, func()) {
	cmds := make(chan ipc.Command)
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); ReadCommands(ctx, rx, cmds, log) }()
	return cmds, func() { cancel(); StopReader(rx, done) }
}

// StopReader unblocks a goroutine reading rx and waits for done: a pipe
// opened with ipc.OpenReader is in the runtime poller, so a deadline in the
// past ends its Read.
func StopReader(rx io.Reader, done <-chan struct{}) {
	d, ok := rx.(interface{ SetReadDeadline(time.Time) error })
	if ok && d.SetReadDeadline(time.Unix(1, 0)) == nil {
		<-done
	}
}
