package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"golang.org/x/sys/unix"
)

// victim is one supervised child under test.
type victim struct {
	name, log string
	cur       stamp     // the running process
	seen      int       // stamps in its log so far
	due       int64     // CLOCK_MONOTONIC of its next kill
	lat       []float64 // ms
}

// restart kills each child kills times with SIGKILL and measures the
// time to its successor's start stamp. Every supervisor throttles a
// child that dies within 1 s of its start (runsv, supervise and
// s6-supervise wait 1 s, sensord backs off), so a child is killed only
// after up; then a seeded random delay of 0..jitter follows, so that
// kills fall at random phases of any poll period up to jitter
// (supervisord wakes once a second). One kill is in flight at a time:
// the children are interleaved by due time, so the supervisors never
// compete for the CPU during a restart.
func restart(args []string) error {
	fs := flag.NewFlagSet("restart", flag.ExitOnError)
	out := fs.String("out", "", "results file")
	kills := fs.Int("kills", 200, "kills per supervisor")
	seed := fs.Uint64("seed", 20261121, "seed of the random kill delays")
	up := fs.Duration("up", 1100*time.Millisecond, "least uptime of a child before it is killed")
	jitter := fs.Duration("jitter", time.Second, "random delay after the uptime, 0 to this")
	ts, err := parseTargets(fs, args)
	if err != nil {
		return err
	}
	res, err := openResults(*out)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(*seed, 0))
	vs, err := victims(ts)
	if err != nil {
		return err
	}
	schedule := func(v *victim) {
		v.due = v.cur.mono + up.Nanoseconds() + rng.Int64N(jitter.Nanoseconds()+1)
	}
	for _, v := range vs {
		schedule(v)
	}
	for range *kills * len(vs) {
		v := nextDue(vs, *kills)
		if err := killOnce(v); err != nil {
			return err
		}
		schedule(v)
	}
	for _, v := range vs {
		slices.Sort(v.lat)
		res.put(v.name, "restart_p50_ms", "%.2f", percentile(v.lat, 50))
		res.put(v.name, "restart_p95_ms", "%.2f", percentile(v.lat, 95))
		res.put(v.name, "restart_p99_ms", "%.2f", percentile(v.lat, 99))
		res.put(v.name, "restart_max_ms", "%.2f", v.lat[len(v.lat)-1])
		res.put(v.name, "restart_n", "%d", len(v.lat))
	}
	return nil
}

func victims(ts []target) ([]*victim, error) {
	var vs []*victim
	for _, t := range ts {
		st, err := waitStamps(t.value, 0, 10*time.Second)
		if err != nil {
			return nil, err
		}
		vs = append(vs, &victim{name: t.name, log: t.value, cur: st[len(st)-1], seen: len(st)})
	}
	return vs, nil
}

// nextDue returns the child with the earliest due kill among those with
// kills left.
func nextDue(vs []*victim, kills int) *victim {
	var best *victim
	for _, v := range vs {
		if len(v.lat) < kills && (best == nil || v.due < best.due) {
			best = v
		}
	}
	return best
}

// killOnce waits for v's due time, kills its process and waits for the
// successor's start stamp.
func killOnce(v *victim) error {
	if d := v.due - mono(); d > 0 {
		time.Sleep(time.Duration(d))
	}
	w, err := watchStamps(v.log)
	if err != nil {
		return err
	}
	defer w.close()
	at := mono()
	if err := unix.Kill(v.cur.pid, unix.SIGKILL); err != nil {
		return fmt.Errorf("%s: kill %d: %w", v.name, v.cur.pid, err)
	}
	st, err := w.wait(v.seen, 10*time.Second)
	if err != nil {
		return fmt.Errorf("%s: %w", v.name, err)
	}
	next := st[len(st)-1]
	if next.pid == v.cur.pid || len(st) != v.seen+1 {
		return fmt.Errorf("%s: after killing pid %d the log shows %d new starts, last pid %d", v.name, v.cur.pid, len(st)-v.seen, next.pid)
	}
	v.lat = append(v.lat, float64(next.mono-at)/1e6)
	v.cur, v.seen = next, len(st)
	return nil
}
