#!/usr/bin/env bash
# trace-restart.sh: where the time goes between a SIGKILL and the
# successor's exec, for sensord and for runsv, from kernel tracepoints
# (perf record -a; root). Each kill is split into:
#
#   kill->exit    victim killed until it has finished dying (kernel)
#   exit->reap    SIGCHLD sent to the supervisor until its wait4 returns
#                 the victim (signal delivery, wake-up, scheduling)
#   reap->fork    wait4 until the successor is forked (bookkeeping, log)
#   fork->exec    fork until the successor's exec succeeded
#   wakeups       supervisor threads woken between exit and fork
#   SIGURG        the Go runtime's preemption signals to the supervisor's
#                 threads between kill and exec (sysmon preempting the
#                 loop goroutine)
#
# For the slowest twentieth of the kills it also prints, on stderr, the
# phases and when the successor was switched out and in between fork and
# exec, and to whom it lost the CPU.
#
# Usage: scripts/bench/trace-restart.sh [--kills N] [--load N] [--sensord PATH]
#   --load N   run N CPU-bound loops for the whole trace, as
#              compare-supervisors.sh --load does
# Needs perf, gcc, go, runsv. Stops only what it started.
set -euo pipefail
kills=30 sensord_bin="" load=0
while [ $# -gt 0 ]; do
	case $1 in
	--kills) kills=$2; shift ;;
	--sensord) sensord_bin=$2; shift ;;
	--load) load=$2; shift ;;
	*) echo "usage: $0 [--kills N] [--load N] [--sensord PATH]" >&2; exit 2 ;;
	esac
	shift
done
repo=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d /tmp/trace-restart.XXXXXX)
chmod 755 "$T"
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -rf "$T"
}
trap cleanup EXIT

gcc -O2 -static -o "$T/stamp" "$repo/scripts/bench/stamp.c"
if [ -z "$sensord_bin" ]; then
	(cd "$repo" && go build -o "$T/sensord-bin" .)
	sensord_bin=$T/sensord-bin
fi
for _ in $(seq "$load"); do
	sh -c 'while :; do :; done' &
	pids+=($!)
done

# one NAME DIR: kill the child logged in DIR/*.log kills times, 1.1-1.6 s
# apart (no throttle applies), while perf records the path.
one() {
	local name=$1 log=$2 sup=$3 i p n
	until [ -s "$log" ]; do sleep 0.05; done
	perf record -q -a -o "$T/$name.data" \
		-e signal:signal_generate -e sched:sched_process_exit -e sched:sched_process_fork \
		-e sched:sched_process_exec -e syscalls:sys_exit_wait4 -e sched:sched_wakeup -e sched:sched_switch \
		-- sleep $((kills * 2 + 2)) &
	local perfpid=$!
	sleep 1
	for i in $(seq "$kills"); do
		n=$(wc -l <"$log")
		p=$(awk 'END{print $1}' "$log")
		sleep "1.$((RANDOM % 5 + 1))"
		kill -KILL "$p"
		until [ "$(wc -l <"$log")" -gt "$n" ]; do sleep 0.01; done
	done
	kill -INT $perfpid 2>/dev/null || true
	wait $perfpid 2>/dev/null || true
	perf script -i "$T/$name.data" -F pid,tid,time,event,trace 2>/dev/null >"$T/$name.txt"
	python3 - "$name" "$sup" "$T/$name.txt" <<-'EOF'
		import re, statistics, sys
		name, sup, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
		ev_re = re.compile(r'\s*(\d+)/(\d+)\s+([\d.]+):\s+(\S+):\s*(.*)')
		events = [m for m in map(ev_re.match, open(path)) if m]
		tids = {int(m[2]) for m in events if int(m[1]) == sup}
		def num(tr, key):
		    return int(re.search(r'(?:^|\s)' + key + r'=(\d+)', tr)[1])
		rows, cur = [], None
		for m in events:
		    pid, t, ev, tr = int(m[1]), float(m[3]) * 1e3, m[4], m[5]
		    if ev == 'signal:signal_generate' and num(tr, 'sig') == 9:
		        cur = {'kill': t, 'victim': num(tr, 'pid'), 'wakeups': 0, 'urg': 0, 'switches': []}
		    elif cur is None:
		        continue
		    elif ev == 'signal:signal_generate' and num(tr, 'sig') == 23 and num(tr, 'pid') in tids:
		        cur['urg'] += 1
		    elif ev == 'sched:sched_switch' and 'child' in cur:
		        if (' prev_pid=%d ' % cur['child']) in tr:
		            cur['switches'].append('%.3f out to %s' % (t - cur['fork'], tr.split('==> ')[-1].split(' next_prio')[0]))
		        elif ('next_pid=%d ' % cur['child']) in tr:
		            cur['switches'].append('%.3f in' % (t - cur['fork']))
		    elif ev == 'sched:sched_process_exit' and num(tr, 'pid') == cur['victim']:
		        cur['exit'] = t
		    elif ev == 'sched:sched_wakeup' and 'exit' in cur and 'fork' not in cur and num(tr, 'pid') in tids:
		        cur['wakeups'] += 1
		    elif ev == 'syscalls:sys_exit_wait4' and pid == sup and int(tr.split('0x')[-1], 16) == cur['victim']:
		        cur['reap'] = t
		    elif ev == 'sched:sched_process_fork' and pid == sup and 'reap' in cur:
		        cur['fork'], cur['child'] = t, num(tr, 'child_pid')
		    elif ev == 'sched:sched_process_exec' and pid == cur.get('child'):
		        cur['exec'] = t
		        rows.append(cur)
		        cur = None
		def col(a, b):
		    v = sorted(r[b] - r[a] for r in rows if a in r and b in r)
		    return '%.3f / %.3f' % (statistics.median(v), v[int(len(v) * 0.95)]) if v else '-'
		phases = [('kill', 'exit'), ('exit', 'reap'), ('reap', 'fork'), ('fork', 'exec')]
		for r in sorted(rows, key=lambda r: r['kill'] - r['exec'])[:max(1, len(rows) // 20)]:
		    print('%s slowest: kill->exec %.3f ms = %s' % (name, r['exec'] - r['kill'], ' + '.join(
		          '%s->%s %.3f' % (a, b, r[b] - r[a]) for a, b in phases if a in r and b in r)), file=sys.stderr)
		    print('    successor after fork, ms: ' + '; '.join(r['switches']), file=sys.stderr)
		wk = sorted(r['wakeups'] for r in rows)
		print('| %s | %d | %s | %s | %s | %s | %s | %s | %.2f |' % (name, len(rows), col('kill', 'exit'),
		      col('exit', 'reap'), col('reap', 'fork'), col('fork', 'exec'), col('kill', 'exec'),
		      statistics.median(wk) if wk else '-', sum(r['urg'] for r in rows) / max(1, len(rows))))
	EOF
}

echo "| supervisor | kills | kill->exit ms p50 / p95 | exit->reap | reap->fork | fork->exec | kill->exec | wake-ups of its threads | SIGURG per kill |"
echo "|---|--:|--:|--:|--:|--:|--:|--:|--:|"

mkdir -p "$T/sensord"
cp "$T/stamp" "$T/sensord/stamp"
: >"$T/sensord/stamp.log"
chmod 666 "$T/sensord/stamp.log"
printf '[light]\nexec = "%s"\n' "$T/sensord/stamp" >"$T/sensord/sensord.toml"
"$sensord_bin" run --sim --tty none --config "$T/sensord/sensord.toml" --data-dir "$T/sensord/data" \
	--runtime-dir "$T/sensord/run" </dev/null >"$T/sensord/out" 2>&1 &
pids+=($!)
one sensord "$T/sensord/stamp.log" "${pids[-1]}"

mkdir -p "$T/runsv"
cp "$T/stamp" "$T/runsv/run"
runsv "$T/runsv" </dev/null >"$T/runsv.out" 2>&1 &
pids+=($!)
one runsv "$T/runsv/run.log" "${pids[-1]}"
printf dx >"$T/runsv/supervise/control"
