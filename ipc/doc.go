// Package ipc is the wire format of sensord and the endpoints every
// process uses on its pipes.
//
// Each of the six pipes has one writer and one reader (see the daemon
// package), so the pipe names the sender and frames never interleave. A
// frame is written with a single write(2) of at most PIPE_BUF (4096)
// bytes, which Linux makes atomic; on a full pipe the write fails with
// EAGAIN and the frame is dropped and counted (Writer), never waited for.
// Readers go through the Go runtime poller (OpenReader) and resynchronise
// on garbage (Reader).
//
// # Frame layout
//
// All integers are little-endian. Offsets in bytes:
//
//	off  size  field
//	0    1     start marker, 0xA5
//	1    1     start marker, 0x53 ('S')
//	2    1     format version, 1
//	3    1     message type (see below)
//	4    2     payload length n, 0..4056
//	6    2     flags, must be 0
//	8    8     seq: per-sender sample sequence, uint64; 1, 2, 3... in each
//	           generation, counting samples only; 0 in non-sample frames
//	16   8     monotonic time, int64 ns, CLOCK_MONOTONIC of the sender
//	24   8     wall time, int64 ns since 1970-01-01T00:00:00Z
//	32   4     gen: the sender's generation (its --gen), uint32
//	36   n     payload
//	36+n 4     CRC-32C (Castagnoli, as in iSCSI/ext4) of bytes 0..36+n-1
//
// A frame is 40+n bytes, at most 4096. A reader that finds bytes that do
// not form a valid frame (wrong marker, version or flags, length over
// 4056, bad CRC) counts them, skips to the next 0xA5 0x53 and goes on.
//
// # Message types and payloads
//
// Strings are a uint16 length followed by that many bytes of UTF-8
// (at most 512). Booleans are one byte, 0 or 1.
//
//	type 1 light sample   (sample)  lux float64 (IEEE 754 bits as uint64)
//	type 2 motion state   (sample)  motion bool; since int64 wall ns when
//	                                this state began; last int64 ns, the
//	                                length of the motion period that just
//	                                ended (0 unless motion went false)
//	type 3 sensor status            health uint8 (0 ok, 1 warming up,
//	                                2 offline); reason string
//	type 4 command                  id uint32; op uint8; arg int64
//	type 5 command reply            id uint32; op uint8; ok bool;
//	                                interval int64 ns; model, driver,
//	                                where, version, error: 5 strings
//	type 6 drop report              frames, samples, first seq, last seq:
//	                                4 uint64; what the sender dropped on
//	                                this pipe since its last report
//
// Command ops: 1 info (reply carries model, driver, where, interval,
// version), 2 set interval (arg: ns), 3 skip warm-up, 4 resend state and
// status, 5 simulation fault (arg: a SimFault; simulated board only).
//
// Readers must ignore bytes after the fields they know in a payload, so
// fields can be appended in later versions without a new format version.
//
// # Sequence numbers and gaps
//
// A sender counts samples: 1 for the first sample of a generation, +1
// for each next one, whether or not any pipe took it. A reader that sees
// seq jump from a to b within one generation knows samples a+1..b-1 were
// lost (SeqTracker). (src, gen, seq) identifies a sample for good.
package ipc
