package logger

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"sensord/cli"
	"sensord/config"
)

// DataMain is `sensord data verify|cat [flags] [DIR]`.
func DataMain(ctx context.Context, args []string) error {
	return dataCmd(ctx, args, os.Stdout, os.Stderr)
}

const dataUsage = "usage: sensord data verify [DIR] | sensord data cat [--src light|motion] [--since T] [--until T] [--samples] [DIR]"

func dataCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("data: no command; " + dataUsage)
	}
	switch args[0] {
	case "-h", "-help", "--help":
		fmt.Fprintln(stderr, dataUsage)
		return flag.ErrHelp
	case "verify":
		return verifyCmd(args[1:], stdout, stderr)
	case "cat":
		return catCmd(ctx, args[1:], stdout, stderr)
	}
	return fmt.Errorf("data: unknown command %q; %s", args[0], dataUsage)
}

// dataDir returns the directory named on the command line, or logger.dir
// from the configuration.
func dataDir(pos []string, cfgPath string) (string, error) {
	switch len(pos) {
	case 0:
		c, err := config.Load(cfgPath, cfgPath != config.DefaultPath)
		if err != nil {
			return "", fmt.Errorf("data: %w; or name the data directory: %s", err, dataUsage)
		}
		return c.Logger.Dir, nil
	case 1:
		return pos[0], nil
	}
	return "", fmt.Errorf("data: one directory expected, got %q; %s", pos, dataUsage)
}

func dataFiles(dir string) ([]dataFile, error) {
	files, err := listFiles(dir)
	if err != nil {
		return nil, fmt.Errorf("data: %w; name the logger's data directory (logger.dir, --data-dir)", err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("data: no sensord-*.jsonl files in %s; is it the logger's data directory (logger.dir, --data-dir)?", dir)
	}
	return files, nil
}

func newDataFlags(name, synopsis string, stderr io.Writer) (*flag.FlagSet, *string) {
	fs := cli.NewFlagSet("data "+name, synopsis)
	fs.SetOutput(stderr)
	cfg := fs.String("config", config.DefaultPath, "configuration file, for logger.dir when no DIR is given")
	return fs, cfg
}

// catCmd prints the records de-duplicated, in the order written, as
// JSON lines exactly as stored.
func catCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfg := newDataFlags("cat", "[--src light|motion] [--since T] [--until T] [--samples] [DIR]", stderr)
	src := fs.String("src", "", "only this source: light or motion")
	since := fs.String("since", "", "only records at or after this time: RFC 3339 (2026-11-21T10:00:00Z) or a duration ago (90m)")
	until := fs.String("until", "", "only records before this time (same forms as --since)")
	samples := fs.Bool("samples", false, "only samples (no gap, status or drop records)")
	pos, err := cli.Parse(fs, args)
	if err != nil {
		return err
	}
	from, err := parseWhen(*since, "since")
	if err != nil {
		return err
	}
	to, err := parseWhen(*until, "until")
	if err != nil {
		return err
	}
	dir, err := dataDir(pos, *cfg)
	if err != nil {
		return err
	}
	files, err := dataFiles(dir)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(stdout, 64<<10)
	torn := 0
	err = readData(files, func(l *line) error {
		switch {
		case l.torn || l.bad != nil:
			torn++
			return nil
		case l.dup, *src != "" && l.rec.Src != *src,
			*samples && l.kind != kindLight && l.kind != kindMotion,
			!from.IsZero() && l.rec.T.Before(from), !to.IsZero() && !l.rec.T.Before(to):
			return ctx.Err()
		}
		w.Write(l.raw)
		return w.WriteByte('\n')
	})
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	if torn > 0 {
		fmt.Fprintf(stderr, "sensord data: skipped %d torn or damaged lines; see sensord data verify %s\n", torn, dir)
	}
	return err
}

func parseWhen(s, name string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		return time.Now().Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("data: --%s %q: write a time like 2026-11-21T10:00:00Z or a duration ago like 90m", name, s)
}

// verifyCmd checks a data directory: records per source, gaps,
// duplicates, torn lines and seq holes no gap record explains.
func verifyCmd(args []string, stdout, stderr io.Writer) error {
	fs, cfg := newDataFlags("verify", "[DIR]", stderr)
	pos, err := cli.Parse(fs, args)
	if err != nil {
		return err
	}
	dir, err := dataDir(pos, *cfg)
	if err != nil {
		return err
	}
	files, err := dataFiles(dir)
	if err != nil {
		return err
	}
	v := newVerifier()
	if err := readData(files, v.line); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	v.report(stdout, dir, len(files))
	return v.err()
}

type verifier struct {
	srcs  map[string]*srcCheck
	lines int
	torn  []string // file:line of each torn or damaged line
}

func newVerifier() *verifier { return &verifier{srcs: map[string]*srcCheck{}} }

// srcCheck follows one source's seq through the records.
type srcCheck struct {
	Records, Duplicates, Gaps, GapSamples uint64
	Holes, HoleSamples, Restarts          uint64
	Status, Drops                         uint64
	First, Last                           time.Time
	known                                 bool
	gen                                   uint32
	seq                                   uint64
	holes                                 []string // the first few
	// For the drops no gap can show, at the end of a generation: the
	// highest seq each generation reached in the data, and the ranges
	// of dropped samples the drop records name.
	top   map[uint32]uint64
	drops map[dropRange]bool // a report sent again after a crash counts once
}

type dropRange struct {
	gen         uint32
	first, last uint64
}

// reach notes that gen got as far as seq in the data.
func (s *srcCheck) reach(gen uint32, seq uint64) {
	if s.top == nil {
		s.top = make(map[uint32]uint64)
	}
	s.top[gen] = max(s.top[gen], seq)
}

// TailLost counts the dropped samples, by the drop records, past the
// last seq of their generation in the data: lost when the generation
// ended, so no later sample could reveal them as a gap.
func (s *srcCheck) TailLost() uint64 {
	var n uint64
	for d := range s.drops {
		if from := max(d.first, s.top[d.gen]+1); d.last >= from {
			n += d.last - from + 1
		}
	}
	return n
}

func (v *verifier) line(l *line) error {
	v.lines++
	if l.torn || l.bad != nil {
		v.torn = append(v.torn, fmt.Sprintf("%s:%d", l.file, l.no))
		return nil
	}
	s := v.srcs[l.rec.Src]
	if s == nil {
		s = &srcCheck{}
		v.srcs[l.rec.Src] = s
	}
	if l.dup {
		s.Duplicates++
		return nil
	}
	s.record(&l.rec, l.kind)
	return nil
}

func (s *srcCheck) record(r *Record, k kind) {
	if s.First.IsZero() {
		s.First = r.T
	}
	s.Last = r.T
	switch k {
	case kindLight, kindMotion:
		s.Records++
		s.advance(r.Gen, r.Seq)
		s.seq = r.Seq
		s.reach(r.Gen, r.Seq)
	case kindGap:
		s.Gaps++
		s.GapSamples += r.Gap.Last - r.Gap.First + 1
		s.advance(r.Gen, r.Gap.First)
		s.seq = r.Gap.Last
		s.reach(r.Gen, r.Gap.Last)
	case kindStatus:
		s.Status++
	case kindDrop:
		s.Drops++
		if d := r.Drop; d.Samples > 0 && d.First > 0 && d.Last >= d.First {
			if s.drops == nil {
				s.drops = make(map[dropRange]bool)
			}
			s.drops[dropRange{r.Gen, d.First, d.Last}] = true
		}
	}
}

// advance checks that seq (of a sample, or the first of a gap) follows
// the last one known.
func (s *srcCheck) advance(gen uint32, seq uint64) {
	switch {
	case !s.known: // the start of the data kept
	case gen != s.gen || seq <= s.seq: // a new generation, or a new daemon run
		if gen <= s.gen {
			s.Restarts++
		}
		s.hole(gen, 1, seq)
	default:
		s.hole(gen, s.seq+1, seq)
	}
	s.known, s.gen = true, gen
}

func (s *srcCheck) hole(gen uint32, from, to uint64) {
	if to <= from {
		return
	}
	s.Holes++
	s.HoleSamples += to - from
	if len(s.holes) < 5 {
		s.holes = append(s.holes, fmt.Sprintf("gen %d seq %d-%d", gen, from, to-1))
	}
}

func (v *verifier) report(w io.Writer, dir string, files int) {
	fmt.Fprintf(w, "%s: %d files, %d lines\n", dir, files, v.lines)
	names := make([]string, 0, len(v.srcs))
	for n := range v.srcs {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		s := v.srcs[n]
		fmt.Fprintf(w, "%-7s %d samples, %d gaps (%d samples lost, recorded), %d unexplained holes (%d samples), "+
			"%d duplicates dropped, %d status, %d drop reports (%d samples lost at the end of a generation), "+
			"%d seq restarts, %s .. %s\n",
			n+":", s.Records, s.Gaps, s.GapSamples, s.Holes, s.HoleSamples, s.Duplicates,
			s.Status, s.Drops, s.TailLost(), s.Restarts, s.First.Format(time.RFC3339), s.Last.Format(time.RFC3339))
	}
	fmt.Fprintf(w, "torn or damaged lines: %d\n", len(v.torn))
}

func (v *verifier) err() error {
	var probs []string
	if n := len(v.torn); n > 0 {
		probs = append(probs, fmt.Sprintf("%d torn or damaged lines (%s); a running logger repairs "+
			"the newest file's last line itself, others were damaged after writing", n, strings.Join(v.torn[:min(n, 5)], ", ")))
	}
	for n, s := range v.srcs {
		if s.Holes > 0 {
			probs = append(probs, fmt.Sprintf("%s: %d samples missing without a gap record (%s); "+
				"please report this with the files", n, s.HoleSamples, strings.Join(s.holes, ", ")))
		}
	}
	if len(probs) == 0 {
		return nil
	}
	slices.Sort(probs)
	return errors.New("data: " + strings.Join(probs, "; "))
}
