// Package ipc is the wire format of sensord and the endpoints every
// process uses on its pipes.
//
// Each of the six pipes has one writer and one reader (see the daemon
// package), so the pipe names the sender and frames never interleave. A
// frame is written with a single write(2) of at most PIPE_BUF (4096)
// bytes, which Linux makes atomic; on a full pipe the write fails with
// EAGAIN and the frame is dropped and counted (Writer), never waited for.
// Readers go through the Go runtime poller (OpenReader) and resynchronise
// on garbage (Reader). The README's "Protocol" section says the same for authors
// of children in other languages.
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
//	36+n 4     CRC-32C of bytes 0..36+n-1
//
// A frame is 40+n bytes, at most 4096. The CRC is CRC-32C (Castagnoli,
// as in iSCSI and ext4): polynomial 0x1EDC6F41 (0x82F63B78 reflected),
// initial value 0xFFFFFFFF, input and output reflected, final XOR
// 0xFFFFFFFF; the CRC of the ASCII bytes "123456789" is 0xE3069283.
//
// A reader that finds bytes that do not form a valid frame (wrong
// marker, version or flags, length over 4056, bad CRC) counts them,
// skips to the next 0xA5 0x53 and goes on. It rejects a header as soon
// as it holds the byte that is wrong, and it does not wait for the rest
// of a torn header when a whole valid frame already follows inside the
// bytes that header claims (see Reader). A frame of a type the reader
// does not know is skipped whole: its CRC says it is a frame.
//
// # Message types and payloads
//
// Strings are a uint16 length followed by that many bytes of UTF-8, at
// most 512: writers cut longer strings at a rune boundary, readers
// refuse longer ones. Booleans are one byte, 0 or 1; readers refuse
// other values.
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
// The reply echoes the command's id and op.
//
// Readers must ignore bytes after the fields they know in a payload, so
// fields can be appended in later versions without a new format version.
//
// # Sequence numbers and gaps
//
// A sender counts samples of all its types in one sequence: 1 for the
// first sample of a generation, +1 for each next one, whether or not any
// pipe took it. Frames that are not samples carry seq 0. (src, gen, seq)
// identifies a sample for good.
//
// A reader (SeqTracker) that sees seq jump from a to b within one
// generation knows samples a+1..b-1 were lost. When the generation
// changes, the new one starts at 1, so a first sample with seq s > 1
// means 1..s-1 were lost. The very first sample a reader sees tells it
// nothing about earlier ones (it may have been restarted mid-stream), so
// it never reveals a gap; a reader that knows where it stopped calls
// Resume. A seq that goes back is a duplicate, not a gap.
//
// A writer that drops frames on a full pipe sends a drop report on that
// pipe, in a write of its own, before its next frame there; if the
// report does not fit either, the drops keep adding up in it. A Ledger
// keeps those counts in a shared file mapping, so that a sender killed
// before it could report them does not take them with it: its next
// generation sends the report, under the old generation's number.
//
// # Worked example
//
// The frame below is made by the package's tests (TestDocExample), so it
// stays true:
//
//	light sample: gen 3, seq 1042, mono 12345678901 ns, wall 2026-11-21T10:00:01.5Z, lux 312.5
//
//	00000000  a5 53 01 01 08 00 00 00  12 04 00 00 00 00 00 00  |.S..............|
//	00000010  35 1c dc df 02 00 00 00  00 6f 94 16 18 07 ea 18  |5........o......|
//	00000020  03 00 00 00 00 00 00 00  00 88 73 40 3d 38 1d a3  |..........s@=8..|
//
//	0   a5 53                    start marker
//	2   01                       version 1
//	3   01                       type 1, light
//	4   08 00                    payload length 8
//	6   00 00                    flags 0
//	8   12 04 00 00 00 00 00 00  seq 1042
//	16  35 1c dc df 02 00 00 00  monotonic time 12345678901 ns
//	24  00 6f 94 16 18 07 ea 18  wall time 1795255201500000000 ns
//	32  03 00 00 00              gen 3
//	36  00 00 00 00 00 88 73 40  lux 312.5 (IEEE 754 bits 0x4073880000000000)
//	44  3d 38 1d a3              CRC-32C of bytes 0..43 = 0xa31d383d
package ipc
