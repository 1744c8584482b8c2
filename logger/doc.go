// Package logger is the logger role of sensord (`sensord logger`) and
// the `sensord data` command that reads what it writes.
//
// # What it owns
//
// The read ends of the motion-logger and light-logger pipes (--rx-motion,
// --rx-light; the daemon passes them as fd 3 and 4) and the data
// directory (--dir, logger.dir): directory mode 0750, files
// sensord-NNNNNNNN-YYYYMMDDTHHMMSSZ.jsonl mode 0640, opened with
// O_NOFOLLOW. NNNNNNNN is a counter and sets the order; the time, when
// the file was started, is for people (a Pi without a clock battery may
// boot with a clock set earlier than its last file).
//
// # Records
//
// One JSON object per line, in the shape of the README's "Data files":
//
//	{"src":"light","gen":3,"seq":1042,"t":"2026-11-21T10:00:01.5Z","lux":312.5}
//	{"src":"motion","gen":1,"seq":17,"t":"...","motion":true,"since":"...","last_ms":4500}
//	{"src":"light","gen":3,"gap":{"first":100,"last":141,"count":42},"t":"..."}
//	{"src":"light","gen":3,"t":"...","drop":{"frames":43,"samples":42,"first":100,"last":141}}
//	{"src":"light","gen":3,"t":"...","status":"offline","reason":"..."}
//
// src is the pipe's sender; gen and seq come from the frame; t is the
// frame's wall time, RFC 3339 UTC with nanoseconds (trailing zeros
// dropped). Motion adds since (when the state began) and, when motion
// ends, last_ms (how long it lasted). A lux reading that is not a
// number is written as null. A gap record comes just before the sample
// that revealed it (ipc.SeqTracker), its t being that sample's; a drop
// record is the sender's own ipc.DropReport, which also counts lost
// status frames. Status frames are logged too (decision: the data then
// says why a sensor was silent); they and drop records carry no seq.
// Commands, replies and frames of unknown type make no record.
//
// # No loss across a crash
//
// A pipe is never read directly. tee(2) copies its bytes into a private
// pipe without consuming them; the frames are parsed from the copy,
// their records written (write(2) returned: in the page cache, safe from
// a process crash), and only then are exactly the bytes of the complete
// frames read off the pipe. A torn frame at the end stays in the pipe
// until it is whole. Waiting is through the runtime poller
// (RawConn.Read), never Fd(), never a busy loop: when the pipe holds
// only bytes already seen (FIONREAD), the logger waits for the next
// write. This relies on pipes waking epoll on every write, as Linux does
// since 5.14.
//
// A kill between writing and consuming leaves records whose frames are
// still in the pipe. On start the logger reads the end of the newest
// files (as many bytes as 8 times what is queued in the pipes, plus
// 64 KiB) and remembers each source's last records; if the first frame
// of a source matches one of them exactly (kind, gen, seq and t to the
// nanosecond), it and the frames after it that match in order are
// skipped. Matching on t as well is a second guard: generations never
// repeat across daemon runs (the daemon reserves them in
// <logger.dir>/generations), but a lost generations file must not make
// a new run's records look like duplicates. The last
// sample in the files also primes gap detection, so samples lost while
// no logger ran still get a gap record. `sensord data` drops any
// duplicate that gets through by the same identity.
//
// A record is fsynced within --fsync-interval (default 1 s; 0 fsyncs
// every write): the timer is armed by the first write to a clean file,
// so an idle logger does not wake for it, and a write that comes within
// an eighth of the interval of the fsync due is synced at once, so a
// source sending every interval costs no wake-up of its own. Files rotate at line
// boundaries before they pass --max-file-size; --max-files are kept,
// the oldest removed.
//
// # Readiness and watchdog
//
// READY=1 goes to $NOTIFY_SOCKET (package sdnotify) once the pipes are
// open and the tails of the files read. The write loop, which owns the
// store and so stops if the disk hangs, pings WATCHDOG=1 at least every
// half $WATCHDOG_USEC (earlier when a write has it awake anyway:
// sdnotify.Watchdog) on the same timer as the fsync (a wake.Timer).
//
// # Disk full, read-only disk
//
// A failed write is cut back to the last complete line (ftruncate); a
// torn last line left by a crash is cut when the logger starts. The
// logger says so once (slog, stderr), stops consuming (the samples wait
// in the pipes, and when those fill the sensors drop and count frames,
// which come out as gap records), retries every --retry (1 s), says when
// writing works again, and never exits for it. SIGXFSZ is ignored so a
// file size limit is an EFBIG like any other.
//
// # Shutdown
//
// On SIGTERM (ctx cancelled; the daemon stops the sensors first) the
// logger stops waiting, writes what is left in its pipes, fsyncs and
// returns nil. It never closes the caller's descriptors: it works on
// duplicates.
//
// # sensord data
//
// `sensord data verify [DIR]` counts per source samples, gap records,
// duplicates, status and drop records, sequence restarts (a new daemon
// run) and holes: seq jumps no gap record explains. It exits non-zero on
// torn or damaged lines or holes. `sensord data cat [--src S] [--since T]
// [--until T] [--samples] [DIR]` prints the records de-duplicated in the
// order written. DIR defaults to logger.dir of --config.
package logger
