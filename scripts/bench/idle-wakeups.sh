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
#   CONFIG='[supervisor]
#   slice = "0s"' scripts/bench/idle-wakeups.sh   (TOML for the config file)
#
# THREADS=1 adds one line per thread with its wake-ups per second. The
# involuntary share is mostly other load on the machine preempting us.
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
printf '%s\n' "${CONFIG:-}" >"$dir/sensord.toml"
"$bin" run --sim --tty none --config "$dir/sensord.toml" --data-dir "$dir/data" \
	--runtime-dir "$dir/run" --log-file "$dir/log" &
pid=$!
sleep "$SETTLE"

# snapshot prints "pid tid name comm voluntary involuntary cpu-ns" for the daemon and
# each of its children.
snapshot() {
	for p in $pid $(cat /proc/$pid/task/*/children 2>/dev/null); do
		name=$(tr '\0' ' ' </proc/$p/cmdline 2>/dev/null | awk '{print ($2 == "run" ? "daemon" : $2)}')
		for t in /proc/$p/task/*; do
			sw=$(awk '/^voluntary_ctxt_switches/ {v = $2} /^nonvoluntary_ctxt_switches/ {n = $2}
				END {print v + 0, n + 0}' "$t/status" 2>/dev/null) || continue
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
	NR == FNR { v[$2] = $5; n[$2] = $6; ns[$2] = $7; next }
	($2 in v) {
		dv = $5 - v[$2]; dn = $6 - n[$2]; c = $7 - ns[$2]
		pv[$3] += dv; pn[$3] += dn; pc[$3] += c; av += dv; an += dn; ac += c
		if (threads) printf "  thread %-7s %-6s tid %-7s %6.1f/s\n", $3, $4, $2, (dv + dn) / w
	}
	END {
		for (p in pv) printf "%-8s %6.1f wake-ups/s (%5.1f involuntary)  %6.3f %% CPU\n", p, (pv[p] + pn[p]) / w, pn[p] / w, 100 * pc[p] / 1e9 / w
		printf "%-8s %6.1f wake-ups/s (%5.1f involuntary)  %6.3f %% CPU\n", "total", (av + an) / w, an / w, 100 * ac / 1e9 / w
	}' "$dir/before" "$dir/after"
