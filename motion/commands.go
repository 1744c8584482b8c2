package motion

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"runtime/debug"
	"time"

	"sensord/ipc"
)

// readCommands decodes the commands on rx and hands them to out until rx
// fails or ctx ends. Frames that are not commands are skipped.
func readCommands(ctx context.Context, rx io.Reader, out chan<- ipc.Command, log *slog.Logger) {
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

// stopReader unblocks readCommands: a pipe opened with ipc.OpenReader is
// in the runtime poller, so a deadline in the past ends its Read.
func stopReader(rx io.Reader, done <-chan struct{}) {
	d, ok := rx.(interface{ SetReadDeadline(time.Time) error })
	if ok && d.SetReadDeadline(time.Unix(1, 0)) == nil {
		<-done
	}
}

// version is the program's version for info replies.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "sensord"
	}
	return "sensord " + bi.Main.Version + " " + bi.GoVersion
}
