package uplink

import (
	"hash/fnv"
	"time"
)

// Reconnect delays: exponential from 1 s up to 60 s, with jitter so ten
// appliances that lost the same broker do not come back in step.
const (
	minBackoff = time.Second
	maxBackoff = 60 * time.Second
)

// backoff is the delay before connection attempt n (0 is the first, at
// once). It is a pure function of the seed and n, so the error log line
// and autopaho's wait agree on the figure without sharing state.
func backoff(seed uint64, n int) time.Duration {
	if n <= 0 {
		return 0
	}
	base := maxBackoff
	if n < 7 {
		base = minBackoff << (n - 1)
	}
	h := fnv.New64a()
	var b [16]byte
	for i := range 8 {
		b[i], b[8+i] = byte(seed>>(8*i)), byte(uint64(n)>>(8*i))
	}
	h.Write(b[:])
	frac := float64(h.Sum64()%1000) / 1000 // 0 .. 0.999
	d := time.Duration(float64(base) * (0.5 + frac/2))
	return min(max(d, minBackoff), maxBackoff)
}
