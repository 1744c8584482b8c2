package logger

import (
	"sensord/ipc"
)

// source turns the frames of one pipe into records. It is pure: bytes
// in, JSON lines out, owned by the goroutine that reads the pipe.
type source struct {
	name    string // "light" or "motion": the pipe names the sender
	tracker ipc.SeqTracker
	// past holds the identities of this source's last records already in
	// the files, oldest first (see tail.go). Until the first frame after
	// start is known to be new, frames matching past in order are
	// duplicates of records written before a crash and are skipped.
	past    []ident
	started bool
	// last is this source's last sample record in the files, to carry
	// gap detection over a restart.
	last   *ident
	primed bool
	stats  sourceStats
	e      entry
}

type sourceStats struct {
	Frames, Records, Duplicates, Ignored, BadBytes uint64
	Gaps, GapSamples                               uint64
}

// parse appends the records for the frames at the start of buf to out,
// by the reading rules of ipc.Scan (drained: buf holds everything the
// pipe held). It returns out and how many bytes of buf it used: a torn
// frame at the end is not used and stays in the pipe.
func (s *source) parse(out, buf []byte, drained bool) ([]byte, int) {
	used, bad := ipc.Scan(buf, drained, func(f ipc.Frame) { out = s.frame(out, f) })
	s.stats.BadBytes += uint64(bad)
	return out, used
}

// frame appends the records for f: a gap record first if samples are
// missing before it.
func (s *source) frame(out []byte, f ipc.Frame) []byte {
	s.stats.Frames++
	if !decodeFrame(f, &s.e) {
		s.stats.Ignored++
		return out
	}
	if s.duplicate() {
		s.stats.Duplicates++
		s.tracker.Observe(f.Header) // its gap, if any, is in the files
		return out
	}
	if !s.primed && f.Type.IsSample() {
		s.primed = true
		s.prime(f.Header)
	}
	if g, ok := s.tracker.Observe(f.Header); ok {
		s.stats.Gaps++
		s.stats.GapSamples += g.Count()
		out = appendGap(out, s.name, g, f.Wall)
	}
	s.stats.Records++
	return appendEntry(out, s.name, &s.e)
}

// duplicate reports whether the frame just decoded into s.e was
// written to the files before the logger restarted.
func (s *source) duplicate() bool {
	id := s.e.id
	if !s.started {
		s.started = true
		for i := len(s.past) - 1; i >= 0; i-- {
			if s.past[i] == id {
				s.past = s.past[i+1:]
				return true
			}
		}
		s.past = nil
		return false
	}
	if len(s.past) > 0 && s.past[0] == id {
		s.past = s.past[1:]
		return true
	}
	s.past = nil
	return false
}

// prime tells the tracker about the last sample in the files when the
// first new frame plausibly continues it, so a loss across a restart
// is found and none is made up. A lower seq in the same generation is a
// new daemon run: the tracker then starts afresh.
func (s *source) prime(h ipc.Header) {
	if l := s.last; l != nil && h.Type.IsSample() && h.Gen == l.gen && h.Seq > l.seq {
		typ := ipc.TypeLight
		if l.kind == kindMotion {
			typ = ipc.TypeMotion
		}
		s.tracker.Observe(ipc.Header{Type: typ, Gen: l.gen, Seq: l.seq})
	}
}
