package ipc

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The worked example of the protocol documentation: a light sample.
var (
	exampleHeader = Header{Type: TypeLight, Gen: 3, Seq: 1042, Mono: 12345678901,
		Wall: time.Date(2026, 11, 21, 10, 0, 1, 500e6, time.UTC).UnixNano()}
	exampleLight = LightSample{Lux: 312.5}
)

func exampleFrame() []byte {
	b, err := AppendFrame(nil, exampleHeader, exampleLight.AppendPayload(nil))
	if err != nil {
		panic(err)
	}
	return b
}

// exampleText is the worked example as the documents show it: a hex dump
// of the frame, then its fields.
func exampleText() string {
	b := exampleFrame()
	h := exampleHeader
	var s strings.Builder
	fmt.Fprintf(&s, "light sample: gen %d, seq %d, mono %d ns, wall %s, lux %g\n\n",
		h.Gen, h.Seq, h.Mono, time.Unix(0, h.Wall).UTC().Format(time.RFC3339Nano), exampleLight.Lux)
	s.WriteString(hex.Dump(b))
	s.WriteString("\n")
	field := func(off, n int, what string, args ...any) {
		fmt.Fprintf(&s, "%-3d %-24s %s\n", off, strings.TrimSpace(fmt.Sprintf("% x", b[off:off+n])), fmt.Sprintf(what, args...))
	}
	end := len(b) - TrailerLen
	field(0, 2, "start marker")
	field(2, 1, "version %d", b[2])
	field(3, 1, "type %d, %v", b[3], Type(b[3]))
	field(4, 2, "payload length %d", binary.LittleEndian.Uint16(b[4:]))
	field(6, 2, "flags 0")
	field(8, 8, "seq %d", h.Seq)
	field(16, 8, "monotonic time %d ns", h.Mono)
	field(24, 8, "wall time %d ns", h.Wall)
	field(32, 4, "gen %d", h.Gen)
	field(36, 8, "lux %g (IEEE 754 bits %#016x)", exampleLight.Lux, math.Float64bits(exampleLight.Lux))
	field(end, 4, "CRC-32C of bytes 0..%d = %#08x", end-1, binary.LittleEndian.Uint32(b[end:]))
	return s.String()
}

// TestDocExample keeps the worked example in doc.go and in the README's
// protocol section true: both must hold exampleText exactly.
func TestDocExample(t *testing.T) {
	text := exampleText()
	var comment strings.Builder
	for line := range strings.Lines(text) {
		if line == "\n" {
			comment.WriteString("//\n")
		} else {
			comment.WriteString("//\t" + line)
		}
	}
	for _, doc := range []struct{ path, want string }{
		{"doc.go", comment.String()},
		{filepath.Join("..", "README.md"), text},
	} {
		b, err := os.ReadFile(doc.path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(b, []byte(doc.want)) {
			t.Errorf("%s lacks the worked example; it should read:\n%s", doc.path, doc.want)
		}
	}
}

// TestDocC compiles the C code of the protocol section and checks that it
// encodes the worked example to the same bytes as AppendFrame.
func TestDocC(t *testing.T) {
	cc, err := exec.LookPath("cc")
	if err != nil {
		t.Skip("no C compiler")
	}
	md, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, ref, _ := strings.Cut(string(md), "### C reference")
	_, code, ok := strings.Cut(ref, "```c\n")
	code, _, ok2 := strings.Cut(code, "```")
	if !ok || !ok2 {
		t.Fatal("no ```c block in README.md")
	}
	h := exampleHeader
	main := fmt.Sprintf(`
#include <stdio.h>
static int handled;
static void handle(const uint8_t *f, size_t n) { handled += f[0] == 0xA5 && n > 0; }
int main(void) {
	uint8_t f[MAX_FRAME], p[8], buf[3 * MAX_FRAME];
	put_f64(p, %v);
	size_t n = encode_frame(f, %d, %du, %dull, %dll, %dll, p, 8);
	for (size_t i = 0; i < n; i++) printf("%%02x", f[i]);
	printf("\n%%ld %%ld\n", parse_frame(f, n), parse_frame(f, n - 1));
	int accepted = 0;
	for (size_t bit = 0; bit < 8 * n; bit++) {
		f[bit / 8] ^= 1 << bit %% 8;
		accepted += parse_frame(f, n) > 0;
		f[bit / 8] ^= 1 << bit %% 8;
	}
	printf("%%d\n", accepted);
	size_t len = 0;
	unsigned long bad = 0;
	memcpy(buf, "x\xa5y", 3), len += 3;
	memcpy(buf + len, f, n), len += n;
	memcpy(buf + len, f, 10), len += 10;
	take_frames(buf, &len, &bad, handle);
	printf("%%d %%lu %%zu\n", handled, bad, len);
	return 0;
}
`, exampleLight.Lux, h.Type, h.Gen, h.Seq, h.Mono, h.Wall)
	dir := t.TempDir()
	src := filepath.Join(dir, "frame.c")
	if err := os.WriteFile(src, []byte(code+main), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "frame")
	if out, err := exec.Command(cc, "-std=c99", "-Wall", "-Wextra", "-Werror", "-o", bin, src).CombinedOutput(); err != nil {
		t.Fatalf("cc: %v\n%s", err, out)
	}
	out, err := exec.Command(bin).Output()
	if err != nil {
		t.Fatal(err)
	}
	// The frame; its length, and 0 (read more) for it less a byte; no
	// bit flip accepted; one frame from garbage + frame + torn frame,
	// with 3 bad bytes skipped and the torn 10 kept.
	want := fmt.Sprintf("%x\n%d 0\n0\n1 3 10\n", exampleFrame(), len(exampleFrame()))
	if got := string(out); got != want {
		t.Errorf("C prints\n%s\nwant\n%s", got, want)
	}
}
