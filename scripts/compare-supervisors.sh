#!/usr/bin/env bash
# compare-supervisors.sh: sensord's supervisor against runit (runsv),
# daemontools (supervise), s6 (s6-supervise) and supervisord, all
# supervising the same trivial child, measured in one run.
#
# Usage (as root, from anywhere in the repository):
#
#   scripts/compare-supervisors.sh [--kills N] [--load N] [--quick] [--no-install] [--sensord PATH]
#
#   --kills N       SIGKILLs per supervisor for the restart latency (default 200;
#                   a kill every ~1.7 s per supervisor, all five interleaved:
#                   200 kills take about 9 minutes)
#   --load N        run N CPU-bound loops beside every supervisor for the whole
#                   run (N = the number of cores: every restart then waits for
#                   a time slice, as on a busy Pi)
#   --quick         smoke run: 20 kills, 3 s idle window, 8 s crash loop (~1 min)
#   --no-install    skip apt-get; use whatever supervisors are installed
#   --sensord PATH  use this sensord binary instead of building the repository
#
# What it does:
#   1. apt-get update once, then installs those of runit, daemontools, s6 and
#      supervisor that apt-cache knows (with --no-install-recommends, and with
#      a policy-rc.d that forbids starting services if none is there, so no
#      system-wide supervisor is started). daemontools-run is not needed:
#      supervise is run directly on a service directory.
#   2. Builds the child scripts/bench/stamp.c (static when libc.a is present):
#      at start it appends "PID CLOCK_MONOTONIC_NS" to <its executable>.log,
#      then pauses forever (or, built with -DCRASH, exits at once).
#   3. Starts each supervisor on its own copy of the child: as ./run of a
#      service directory for runsv, supervise and s6-supervise; as
#      [program:stamp] for supervisord (its defaults otherwise); as
#      ./run with notification-fd 3 for a second s6-supervise row, the child
#      then also writing a newline to fd 3 (readiness); as
#      `[light] exec` for sensord, whose other three roles are the normal
#      children (sensord restarts only the role killed).
#   4. Measures, with scripts/bench/supbench:
#      - idle: CPU %, wake-ups/s (context switches of all threads) and RSS of
#        each supervisor process (sensord: the daemon only) over 10 s;
#      - restart latency: SIGKILL of a child that has been up >= 1.1 s, at a
#        random delay of 0-1 s after that (seeded), to its successor's start
#        stamp; p50/p95/p99/max; one kill in flight at a time;
#      - crash loop: children that exit at once, 15 s; delays between
#        successive starts after the 5th start.
#   5. Prints a markdown table and the machine it ran on.
#
# It stops only what it started, by pid (supervisors through their own
# control interface first), and removes its temporary directory.
set -euo pipefail

kills=200 idle_secs=10 crash_wait=15s install=1 sensord_bin="" load=0
while [ $# -gt 0 ]; do
	case $1 in
	--kills) kills=$2; shift ;;
	--load) load=$2; shift ;;
	--quick) kills=20 idle_secs=3 crash_wait=8s ;;
	--no-install) install=0 ;;
	--sensord) sensord_bin=$2; shift ;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "compare-supervisors: unknown option $1; see --help" >&2; exit 2 ;;
	esac
	shift
done
[ "$(id -u)" = 0 ] || { echo "compare-supervisors: run as root (it installs packages and runs supervisors)" >&2; exit 1; }
repo=$(cd "$(dirname "$0")/.." && pwd)

log() { printf '%s compare-supervisors: %s\n' "$(date +%T)" "$*" >&2; }

install_supervisors() {
	local want=(runit daemontools s6 supervisor) have=() p policy=/usr/sbin/policy-rc.d made=0
	log "apt-get update"
	apt-get update -qq
	for p in "${want[@]}"; do
		if apt-cache show "$p" >/dev/null 2>&1; then have+=("$p"); else log "package $p not available; skipped"; fi
	done
	[ ${#have[@]} -gt 0 ] || return 0
	if [ ! -e $policy ]; then
		printf '#!/bin/sh\nexit 101\n' >$policy && chmod 755 $policy && made=1
	fi
	log "apt-get install ${have[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${have[@]}" >&2 || log "apt-get install failed; going on with what is installed"
	[ $made = 0 ] || rm -f $policy
}

[ $install = 0 ] || install_supervisors

T=$(mktemp -d /tmp/compare-supervisors.XXXXXX)
chmod 755 "$T" # sensord runs its children as an unprivileged user
declare -A SUP_PID=() SUP_DIR=()
LOAD_PIDS=()
results=$T/results.tsv

cleanup() {
	local name p
	for name in "${!SUP_PID[@]}"; do stop_sup "$name"; done
	for p in "${LOAD_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

build() {
	mkdir -p "$T/bin"
	local static=-static
	echo 'int main(void){return 0;}' >"$T/bin/t.c"
	gcc -static -o "$T/bin/t" "$T/bin/t.c" 2>/dev/null || { static=; log "no static libc; the child is linked dynamically"; }
	gcc $static -O2 -Wall -o "$T/bin/stamp" "$repo/scripts/bench/stamp.c"
	gcc $static -O2 -Wall -DCRASH -o "$T/bin/stamp-crash" "$repo/scripts/bench/stamp.c"
	gcc $static -O2 -Wall -DNOTIFY_FD=3 -o "$T/bin/stamp-notify" "$repo/scripts/bench/stamp.c"
	gcc $static -O2 -Wall -DNOTIFY_FD=3 -DCRASH -o "$T/bin/stamp-notify-crash" "$repo/scripts/bench/stamp.c"
	(cd "$repo" && go build -o "$T/bin/supbench" ./scripts/bench/supbench)
	if [ -z "$sensord_bin" ]; then
		log "building sensord"
		(cd "$repo" && CGO_ENABLED=0 go build -o "$T/bin/sensord" .)
		sensord_bin=$T/bin/sensord
	fi
	chmod 755 "$T/bin"
}

# prepare NAME DIR CHILD FILE: copy the child as DIR/FILE with its log
# writable by any user.
prepare() {
	mkdir -p "$2"
	chmod 755 "$2"
	cp "$3" "$2/$4"
	: >"$2/$4.log"
	chmod 666 "$2/$4.log"
}

# start_sup NAME PHASE CHILD: start supervisor NAME on a copy of CHILD.
start_sup() {
	local name=$1 dir=$T/$2/$1 child=$3
	case $name in
	runsv | supervise | s6-supervise)
		prepare "$name" "$dir" "$child" run
		$name "$dir" </dev/null >"$T/$2.$name.out" 2>&1 &
		STAMP_LOG[$name]=$dir/run.log ;;
	s6-supervise+notify)
		# The same child, also telling s6 it is ready: s6-supervise 2.11
		# waits 1 s before a respawn unless the service notified readiness.
		prepare "$name" "$dir" "$child" run
		cp "${child%/*}/stamp-notify${child##*/stamp}" "$dir/run"
		echo 3 >"$dir/notification-fd"
		s6-supervise "$dir" </dev/null >"$T/$2.$name.out" 2>&1 &
		STAMP_LOG[$name]=$dir/run.log ;;
	supervisord)
		prepare "$name" "$dir" "$child" stamp
		cat >"$dir/supervisord.conf" <<-EOF
			[supervisord]
			nodaemon=true
			logfile=$dir/supervisord.log
			pidfile=$dir/supervisord.pid
			childlogdir=$dir

			[program:stamp]
			command=$dir/stamp
		EOF
		supervisord -n -c "$dir/supervisord.conf" </dev/null >"$T/$2.$name.out" 2>&1 &
		STAMP_LOG[$name]=$dir/stamp.log ;;
	sensord)
		prepare "$name" "$dir" "$child" stamp
		printf '[light]\nexec = "%s"\n' "$dir/stamp" >"$dir/sensord.toml"
		"$sensord_bin" run --sim --tty none --config "$dir/sensord.toml" --data-dir "$dir/data" \
			--runtime-dir "$dir/run" </dev/null >"$T/$2.$name.out" 2>&1 &
		STAMP_LOG[$name]=$dir/stamp.log ;;
	esac
	SUP_PID[$name]=$!
	SUP_DIR[$name]=$dir
}

# gone PID: the process has exited (gone, or a zombie of ours).
gone() { [ ! -e "/proc/$1" ] || [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ]; }

# stop_sup NAME: ask the supervisor to stop its child and exit, kill it
# by pid if it does not within 5 s, then kill any child it left.
stop_sup() {
	local name=$1 pid=${SUP_PID[$1]} dir=${SUP_DIR[$1]} i p
	case $name in
	runsv) timeout 5 sh -c "printf dx >'$dir/supervise/control'" 2>/dev/null || true ;;
	supervise) timeout 5 svc -dx "$dir" 2>/dev/null || true ;;
	s6-supervise*) timeout 5 s6-svc -dx "$dir" 2>/dev/null || true ;;
	*) kill -TERM "$pid" 2>/dev/null || true ;;
	esac
	for i in $(seq 100); do gone "$pid" && break; sleep 0.05; done
	gone "$pid" || { log "$name (pid $pid) did not stop; killing it"; kill -KILL "$pid" 2>/dev/null || true; }
	wait "$pid" 2>/dev/null || true
	for p in $(awk '{print $1}' "${STAMP_LOG[$name]}" 2>/dev/null); do
		# Only our own child binary: a pid may have been reused.
		if [[ $(readlink "/proc/$p/exe" 2>/dev/null) == "$T"/* ]]; then kill -KILL "$p" 2>/dev/null || true; fi
	done
	unset "SUP_PID[$name]"
}

available() {
	local s
	for s in runsv supervise s6-supervise supervisord; do
		if command -v $s >/dev/null; then echo $s; else log "$s not installed; skipped"; fi
		[ $s != s6-supervise ] || ! command -v $s >/dev/null || echo s6-supervise+notify
	done
	echo sensord
}

# wait_started: every child has written its first stamp.
wait_started() {
	local name i
	for name in "${SUPS[@]}"; do
		for i in $(seq 200); do [ -s "${STAMP_LOG[$name]}" ] && break; sleep 0.05; done
		[ -s "${STAMP_LOG[$name]}" ] || { log "$name: child never started; see $T/*.$name.out"; cat "$T"/*."$name".out >&2; exit 1; }
	done
}

declare -A STAMP_LOG=()
build
for _ in $(seq "$load"); do
	sh -c 'while :; do :; done' &
	LOAD_PIDS+=($!)
done
[ "$load" = 0 ] || log "load: $load busy loops (pids ${LOAD_PIDS[*]})"
mapfile -t SUPS < <(available)
log "supervisors: ${SUPS[*]}"

log "phase 1: long-lived child"
for s in "${SUPS[@]}"; do start_sup "$s" run "$T/bin/stamp"; done
wait_started
sleep 2 # let sensord's other children finish starting
args=()
for s in "${SUPS[@]}"; do args+=("$s=${SUP_PID[$s]}"); done
log "idle for ${idle_secs}s"
"$T/bin/supbench" idle -out "$results" -secs "$idle_secs" "${args[@]}"
args=()
for s in "${SUPS[@]}"; do args+=("$s=${STAMP_LOG[$s]}"); done
log "restart latency: $kills kills per supervisor"
"$T/bin/supbench" restart -out "$results" -kills "$kills" "${args[@]}"
for s in "${SUPS[@]}"; do stop_sup "$s"; done

log "phase 2: crash loop for $crash_wait"
for s in "${SUPS[@]}"; do start_sup "$s" crash "$T/bin/stamp-crash"; done
args=()
for s in "${SUPS[@]}"; do args+=("$s=${STAMP_LOG[$s]}"); done
"$T/bin/supbench" crashloop -out "$results" -wait "$crash_wait" "${args[@]}"
for s in "${SUPS[@]}"; do stop_sup "$s"; done

echo "## Supervisors compared ($(date -u +%Y-%m-%dT%H:%MZ))"
echo
echo "Machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), Linux $(uname -r)."
echo "Versions: $(dpkg-query -W -f '${Package} ${Version}, ' runit daemontools s6 supervisor 2>/dev/null)$("$sensord_bin" version 2>/dev/null | head -1)."
echo "Kills per supervisor: $kills; idle window ${idle_secs} s; crash loop ${crash_wait}; busy loops beside them: $load."
echo
"$T/bin/supbench" table "$results"
