package ipc

// The reading rules (README, "Reading") live here once, for ipc.Reader
// and for the logger, which scans bytes it has tee(2)'d from a pipe
// without consuming them.

// stepKind is what the rules make of the bytes at the start of a buffer.
type stepKind int

const (
	stepFrame stepKind = iota // a valid frame, n bytes
	stepSkip                  // n bytes that are not a frame
	stepWait                  // an incomplete frame: wait for more bytes
)

// step applies the rules to b, unread bytes that start where the last
// step ended. drained says no more bytes can follow b for now (a read
// came back short; a tee took all the pipe held). A torn frame start —
// a header that claims more bytes than b holds — is garbage only then,
// and only if a whole valid frame starts inside the bytes it claims:
// ahead, called only in that case, returns the offset in b of the first
// whole valid frame after b[0], or -1. The Reader passes a look-ahead
// that remembers what it has examined; Scan a plain one.
func step(b []byte, drained bool, ahead func() int) (Frame, int, stepKind) {
	f, n, err := Parse(b)
	switch err {
	case nil:
		return f, n, stepFrame
	case ErrShort:
		if !drained {
			return Frame{}, 0, stepWait
		}
		if v := ahead(); v > 0 {
			return Frame{}, v, stepSkip
		}
		return Frame{}, 0, stepWait
	}
	return Frame{}, nextMarker(b), stepSkip
}

// Scan takes the frames at the start of buf by the rules above, handing
// each to fn (its payload aliases buf, valid during the call). It returns
// how many bytes it used, frames and garbage, and how many of those were
// garbage; the bytes after used are an incomplete frame to keep (or to
// leave in the pipe). drained is as for step.
func Scan(buf []byte, drained bool, fn func(Frame)) (used, bad int) {
	for used < len(buf) {
		rest := buf[used:]
		f, n, kind := step(rest, drained, func() int { return validAfter(rest) })
		switch kind {
		case stepWait:
			return used, bad
		case stepFrame:
			fn(f)
		case stepSkip:
			bad += n
		}
		used += n
	}
	return used, bad
}

// validAfter returns the offset in b of the first whole valid frame
// after b[0], or -1.
func validAfter(b []byte) int {
	for i := nextMarker(b); i < len(b); i += nextMarker(b[i:]) {
		if _, _, err := Parse(b[i:]); err == nil {
			return i
		}
	}
	return -1
}
