#!/bin/sh
# idle-wakeups.sh: wake-ups and CPU of an idle appliance, per process and
# per thread (BENCHMARKS.md, "Supervisor core: one wait point, quiet
# children"). Starts `sensord run --sim --tty none` with the default
# configuration (light.interval 1 s, the default watchdogs) in scratch
# directories, lets it settle, then reads every thread's context switches
# (voluntary + involuntary, /proc/PID/task/TID/status) and CPU time
# (/proc/PID/task/TID/schedstat, in ns: finer than the 10 ms ticks of
# /proc/PID/stat) twice, WINDOW seconds apart.
#
#   scripts/bench/idle-wakeups.sh [BINARY]   (default: builds one)
#   SETTLE=5 WINDOW=10 THREADS=1 scripts/bench/idle-wakeups.sh
#
# THREADS=1 adds one line per thread with its wake-ups per second.
set -eu
SETTLE=${SETTLE:-5}
WINDOW=${WINDOW:-10}
THREADS=${THREADS:-0}
dir=$(mktemp -d)
chmod 755 "$dir"
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$dir"' EXIT INT TERM
bin=${1:-}
if [ -z "$bin" ]; then
	bin=$dir/sensord
	(cd "$(dirname "$0")/../.." && go build -o "$bin" .)
fi
: >"$dir/empty.toml"
"$bin" run --sim --tty none --config "$dir/empty.toml" --data-dir "$dir/data" \
	--runtime-dir "$dir/run" --log-file "$dir/log" &
pid=$!
sleep "$SETTLE"

# snapshot prints "pid tid name comm switches cpu-ns" for the daemon and
# each of its children.
snapshot() {
	for p in $pid $(cat /proc/$pid/task/*/children 2>/dev/null); do
		name=$(tr '\0' ' ' </proc/$p/cmdline 2>/dev/null | awk '{print ($2 == "run" ? "daemon" : $2)}')
		for t in /proc/$p/task/*; do
			sw=$(awk '/ctxt_switches/ {s += $2} END {print s + 0}' "$t/status" 2>/dev/null) || continue
			ns=$(awk '{print $1}' "$t/schedstat" 2>/dev/null) || continue
			comm=$(cat "$t/comm" 2>/dev/null) || continue
			echo "$p ${t##*/} $name $comm $sw $ns"
		done
	done
}
snapshot >"$dir/before"
sleep "$WINDOW"
snapshot >"$dir/after"
awk -v w="$WINDOW" -v threads="$THREADS" '
	NR == FNR { sw[$2] = $5; tk[$2] = $6; next }
	($2 in sw) {
		d = $5 - sw[$2]; c = $6 - tk[$2]
		psw[$3] += d; ptk[$3] += c; all += d; allc += c
		if (threads) printf "  thread %-7s %-6s tid %-7s %6.1f/s\n", $3, $4, $2, d / w
	}
	END {
		for (p in psw) printf "%-8s %6.1f wake-ups/s  %6.3f %% CPU\n", p, psw[p] / w, 100 * ptk[p] / 1e9 / w
		printf "%-8s %6.1f wake-ups/s  %6.3f %% CPU\n", "total", all / w, 100 * allc / 1e9 / w
	}' "$dir/before" "$dir/after"
