#!/bin/sh
# guest.sh: the VM test's checks, run inside the guest at every boot by
# sensord-vmcheck.service (scripts/vm/build-image.sh), from the payload
# disk (label sensord-test: this script, the two .debs, the BH1750 stub
# module). It talks to the host driver (scripts/vm/driver) over the serial
# console: SENSORD-CHECK/INFO/WANT/END lines out, SENSORD-DONE lines in.
# Its phase across boots is kept in /var/lib/vmtest/phase.
set -u
export DEBIAN_FRONTEND=noninteractive PATH=/usr/sbin:/usr/bin:/sbin:/bin
P=/mnt/vmtest
S=/var/lib/vmtest
D=/var/lib/sensord
CONF=/etc/sensord/sensord.toml
. "$P/params"    # ARCH, V1, V2
mkdir -p "$S"
stty -echo -onlcr 2>/dev/null || true

ok() { echo "SENSORD-CHECK ok $*"; }
FAILS=0
fail() { n=$1; shift; echo "SENSORD-CHECK FAIL $n: $*"; FAILS=$((FAILS + 1)); }
info() { echo "SENSORD-INFO $*"; }
# want WHAT...: ask the host, wait for its answer on the serial line.
want() {
	echo "SENSORD-WANT $*"
	while read -r reply; do
		case $reply in
		*SENSORD-DONE*) WANT_REPLY=$reply; return 0 ;;
		*SENSORD-FAILED*) return 1 ;;
		esac
	done
	return 1
}
now() { date +%s%N; }
ms_since() { echo $((($(now) - $1) / 1000000)); }
# waitfor SECONDS CMD...: poll CMD every 50 ms until it succeeds, or fail after SECONDS.
waitfor() {
	end=$(($(date +%s) + $1)); shift
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.05
	done
}
records() { cat "$D"/sensord-*.jsonl 2>/dev/null; }
nrec() { records | wc -l; }
# new_since N PATTERN: a record after the first N matches the extended regexp.
new_since() { records | tail -n +$(($1 + 1)) | grep -Eq "$2"; }
mainpid() { systemctl show -p MainPID --value sensord; }
status() { sensord status --json 2>/dev/null; }
child_pid() { status | tr '{' '\n' | grep "\"name\":\"$1\"" | sed -n 's/.*"pid":\([0-9]*\).*/\1/p' | head -1; }
groups_of() { for g in $(awk '/^Groups:/ { $1 = ""; print }' "/proc/$1/status"); do getent group "$g" | cut -d: -f1; done | tr '\n' ' '; }
child_gen() { status | tr '{' '\n' | grep "\"name\":\"$1\"" | sed -n 's/.*"gen":\([0-9]*\).*/\1/p' | head -1; }
light_gen() { child_gen light; }
motion_gen() { child_gen motion; }
running_children() { status | tr '{' '\n' | grep -E '"name":"(gui|motion|light|logger)"' | grep -c '"state":"running"'; }
four_running() { [ "$(running_children)" = 4 ]; }
dash_rows() { fold -w "$(stty -F /dev/tty1 size 2>/dev/null | cut -d' ' -f2 || echo 80)" /dev/vcs1 | grep -Eac '^ (logger|gui|motion|light) +[0-9]+ +running'; }
dash_four() { [ "$(dash_rows)" = 4 ]; }
active() { systemctl is-active --quiet sensord; }

phase=$(cat "$S/phase" 2>/dev/null || echo install)
systemctl is-system-running --wait >/dev/null 2>&1
echo "SENSORD-READY phase=$phase"
info "boot: $(systemd-analyze time 2>/dev/null | head -1)"

# no_denied NAME: sensord's journal of this boot holds no system call a
# child's seccomp filter refused (README.md, "Security: system calls"):
# each would be a call missing from the role's list in sandbox/syscalls.go.
no_denied() {
	denied=$(journalctl -b -u sensord -o cat --no-pager | grep 'seccomp: denied' | head -n 5 | tr '\n' ' ')
	[ -z "$denied" ] && ok "$1" "no seccomp: denied line in the journal" || fail "$1" "$denied"
}

boot_install() {
	# The stub sensor first: the package's postinst loads i2c-dev and
	# applies the udev rules to the nodes that exist.
	if insmod "$P/bh1750_stub.ko" lux=500 && [ -e /sys/bus/i2c/devices/i2c-1 ]; then
		ok i2c-stub-loaded "adapter $(cat /sys/bus/i2c/devices/i2c-1/name)"
	else fail i2c-stub-loaded "insmod bh1750_stub.ko"; fi

	if apt-get install -y "$P/sensord_${V1}_$ARCH.deb" >"$S/install.log" 2>&1; then
		ok package-install "$V1"
	else fail package-install "apt-get install: $(tail -3 "$S/install.log" | tr '\n' ' ')"; fi

	# Type=notify: active only once READY=1 reached systemd (with another
	# Type= "active" would say nothing about READY=1).
	if waitfor 120 active && [ "$(systemctl show -p Type --value sensord)" = notify ]; then
		ok systemd-active "Type=notify, READY=1 after $(($(systemctl show -p ActiveEnterTimestampMonotonic --value sensord) / 1000 - $(systemctl show -p ExecMainStartTimestampMonotonic --value sensord) / 1000)) ms"
	else fail systemd-active "Type=$(systemctl show -p Type --value sensord), is-active: $(systemctl is-active sensord); $(journalctl -u sensord -n 5 -o cat | tr '\n' ' ')"; fi
	[ "$(stat -c %G /dev/gpiochip0)" = gpio ] && ok udev-gpio-group "/dev/gpiochip0 $(stat -c %G:%a /dev/gpiochip0)" ||
		fail udev-gpio-group "/dev/gpiochip0 group $(stat -c %G /dev/gpiochip0)"
	[ "$(stat -c %G /dev/i2c-1 2>/dev/null)" = i2c ] && ok udev-i2c-group "/dev/i2c-1 $(stat -c %G:%a /dev/i2c-1)" ||
		fail udev-i2c-group "/dev/i2c-1: $(ls -l /dev/i2c-1 2>&1)"

	# The appliance's real settings: the virt board is no Raspberry Pi.
	# board.kind takes effect at a restart (a reload says so and keeps it).
	sed -i -e 's/^# kind = "auto"/kind = "pi" # vm-test edit/' -e 's/^# warmup = "auto"/warmup = "0s"/' "$CONF"
	systemctl restart sensord
	if waitfor 60 sh -c 'sensord status --json | grep -q "\"board\":\"pi\""' && waitfor 60 four_running; then
		ok board-pi "board $(status | sed -n 's/.*"board_model":"\([^"]*\)".*/\1/p')"
	else fail board-pi "board: $(status | sed -n 's/.*"board":"\([a-z]*\)".*/\1/p')"; fi
	# A reload restarts only the child whose settings changed.
	pid=$(mainpid) lgen=$(light_gen) mgen=$(motion_gen)
	sed -i -e 's/^# interval = "1s"/interval = "200ms"/' "$CONF"
	if systemctl reload sensord && waitfor 60 sh -c "[ \$(sensord status --json | tr '{' '\n' | grep '\"name\":\"light\"' | sed -n 's/.*\"gen\":\([0-9]*\).*/\1/p') -gt $lgen ]" &&
		[ "$(mainpid)" = "$pid" ] && [ "$(motion_gen)" = "$mgen" ] && waitfor 60 four_running; then
		ok reload "light gen $lgen -> $(light_gen), motion kept gen $mgen, same daemon pid $pid"
	else fail reload "light gen $lgen -> $(light_gen), motion $mgen -> $(motion_gen), pid $pid -> $(mainpid)"; fi

	bad=
	for c in gui motion light logger; do
		p=$(child_pid $c)
		[ -n "$p" ] || { bad="$bad $c:no-pid"; continue; }
		u=$(ps -o user= -p "$p"); g=$(groups_of "$p")
		info "child $c pid $p user $u groups $g"
		[ "$u" = sensord ] || bad="$bad $c:user=$u"
		case $c in
		motion) echo " $g" | grep -qw gpio || bad="$bad motion:no-gpio" ;;
		light) echo " $g" | grep -qw i2c || bad="$bad light:no-i2c" ;;
		esac
		case $c in gui|logger) echo " $g" | grep -Eqw 'gpio|i2c' && bad="$bad $c:hardware-group" ;; esac
	done
	[ -z "$bad" ] && ok children-users "four children as sensord, motion+gpio, light+i2c" || fail children-users "$bad"

	# Real GPIO: the PL061's line 0 is named GPIO17 in the device tree.
	for edge in 1 0 1 0; do
		[ $edge = 1 ] && pat='"src":"motion".*"motion":true' || pat='"src":"motion".*"motion":false'
		n=$(nrec); t0=$(now)
		if want gpio 0 $edge && waitfor 20 new_since "$n" "$pat"; then
			lat=$(ms_since "$t0")
			info "gpio edge $edge to record in $D: ${lat} ms (host round trip included)"
			ok gpio-edge-$edge "${lat} ms"
		else fail gpio-edge-$edge "no motion record after GPIO17=$edge; last: $(records | grep motion | tail -1)"; fi
		if [ $edge = 1 ]; then
			waitfor 20 sh -c 'grep -aq "MOTION" /dev/vcs1' && ok dashboard-motion "motion panel shows MOTION" ||
				fail dashboard-motion "no MOTION on tty1"
		fi
	done

	# Real I2C through i2c-dev and the stub adapter.
	if waitfor 30 new_since 0 '"src":"light".*"lux":500[,}]'; then ok i2c-lux "500 lx read"
	else fail i2c-lux "no 500 lx sample; last: $(records | grep '"src":"light"' | tail -1)"; fi
	n=$(nrec); echo 250 >/sys/module/bh1750_stub/parameters/lux
	waitfor 30 new_since "$n" '"src":"light".*"lux":250[,}]' && ok i2c-lux-change "250 lx read" || fail i2c-lux-change "no 250 lx sample"
	n=$(nrec); echo 1 >/sys/module/bh1750_stub/parameters/nack
	if waitfor 30 new_since "$n" '"src":"light".*"status":"offline".*no such device or address'; then
		ok i2c-nack-offline "$(records | tail -n +$((n + 1)) | grep -m1 '"status":"offline"' | sed 's/.*"reason":"\([^"]*\)".*/\1/')"
	else fail i2c-nack-offline "no offline status with ENXIO; last: $(records | grep '"src":"light"' | tail -1)"; fi
	waitfor 20 sh -c 'grep -aq OFFLINE /dev/vcs1' && ok dashboard-light-offline "light panel says OFFLINE" || fail dashboard-light-offline "no OFFLINE on tty1"
	n=$(nrec); echo 0 >/sys/module/bh1750_stub/parameters/nack
	waitfor 30 new_since "$n" '"src":"light".*"lux":250[,}]' && ok i2c-nack-back "samples again" || fail i2c-nack-back "light did not come back"

	if waitfor 60 dash_four; then ok tty1-dashboard "four running rows on /dev/vcs1"
	else fail tty1-dashboard "$(dash_rows) running rows; tty1: $(fold -w 80 /dev/vcs1 | tr -s ' ' | head -c 400)"; fi
	fold -w 80 /dev/vcs1 >"$S/vcs1.txt"
	want screendump dashboard || fail screendump "host could not take it"

	# The unit's sandbox as systemd applies it: the generator's drop-in
	# (no uplink.broker: no network), the package's own ABI, its rating,
	# and nothing the sandbox refused (a device or a call: EPERM) in the
	# journal after all the checks above.
	dropins=$(systemctl show -p DropInPaths --value sensord)
	abi=$(systemctl show -p SystemCallArchitectures --value sensord)
	case $ARCH in armhf) want_abi=arm ;; *) want_abi=$ARCH ;; esac
	if echo "$dropins" | grep -q 50-sensord-generator.conf && [ "$(systemctl show -p PrivateNetwork --value sensord)" = yes ] &&
		[ "$abi" = "$want_abi" ]; then
		ok unit-sandbox "generator drop-in, PrivateNetwork=yes, SystemCallArchitectures=$abi, exposure $(systemd-analyze security sensord 2>/dev/null | sed -n 's/.*Overall exposure level for sensord.service: //p')"
	else fail unit-sandbox "DropInPaths=$dropins PrivateNetwork=$(systemctl show -p PrivateNetwork --value sensord) SystemCallArchitectures=$abi"; fi
	systemd-analyze security sensord 2>/dev/null | grep '✗' | while read -r l; do info "exposure: $l"; done
	if journalctl -u sensord -o cat | grep -iE 'operation not permitted|permission denied' >"$S/eperm.txt"; then
		fail unit-no-eperm "$(head -3 "$S/eperm.txt" | tr '\n' ' ')"
	else ok unit-no-eperm "no EPERM or EACCES in sensord's journal"; fi
	# The unit denies @resources, sched_setattr with it: the daemon says
	# so once, at Info, and runs with the kernel's slice (README.md,
	# "The systemd unit").
	if journalctl -u sensord -o cat | grep -q 'msg="supervisor.slice not applied'; then
		ok unit-slice-filtered "sched_setattr refused by the unit's filter, said at Info"
	else fail unit-slice-filtered "no 'supervisor.slice not applied' line in sensord's journal"; fi
	# Without CAP_DAC_OVERRIDE the daemon owns the data directory and
	# shares it with group sensord (README.md, "The systemd unit").
	own=$(stat -c %U:%G:%a "$D")
	if [ "$own" = root:sensord:770 ] && [ -s "$D/generations" ]; then
		ok unit-data-dir "$D $own, generations written"
	else fail unit-data-dir "$D is $own; generations: $(ls -l "$D/generations" 2>&1)"; fi

	# The watchdog: a stopped daemon sends no WATCHDOG=1. systemd's
	# WatchdogSec, SIGABRT (+SIGCONT), the children's exit, RestartSec and
	# a new READY=1 (all four children ready) take 20-40 s under TCG, more
	# when the host's other core is busy: a generous deadline, and the
	# journal of that window when it is missed, to see which step was slow.
	pid=$(mainpid); t0=$(now); since=$(date '+%Y-%m-%d %H:%M:%S')
	kill -STOP "$pid"
	if waitfor 240 sh -c "[ \"\$(systemctl show -p MainPID --value sensord)\" != $pid ] && systemctl is-active --quiet sensord" &&
		journalctl -u sensord -o cat | grep -q 'Watchdog timeout'; then
		ok watchdog "killed and restarted in $(ms_since "$t0") ms (WatchdogSec=$(systemctl show -p WatchdogUSec --value sensord))"
	else
		fail watchdog "pid $pid -> $(mainpid), $(systemctl is-active sensord) after $(ms_since "$t0") ms"
		journalctl -u sensord -o short-monotonic --since "$since" --no-pager | tail -n 40 | sed 's/^/SENSORD-INFO journal: /'
	fi
	waitfor 60 four_running || fail watchdog-children "not four running after the restart"

	# Stop: in order (sensors, logger, GUI), nothing left.
	since=$(date '+%Y-%m-%d %H:%M:%S')
	if systemctl stop sensord && ! pgrep -x sensord >/dev/null; then
		order=$(journalctl -u sensord --since "$since" -o cat | sed -n 's/.*child stopped.*child=\([a-z]*\).*/\1/p' | tr '\n' ' ')
		case $order in
		"motion light logger gui "|"light motion logger gui ") ok stop "in order: $order" ;;
		*) fail stop "order: '$order'" ;;
		esac
	else fail stop "left: $(pgrep -a -x sensord | tr '\n' ' ')"; fi

	# A sensor absent at start: the bus itself gone (module unloaded).
	rmmod bh1750_stub && [ ! -e /dev/i2c-1 ] && ok i2c-unload "/dev/i2c-1 gone" || fail i2c-unload "rmmod: /dev/i2c-1 $(ls /dev/i2c-1 2>&1)"
	n=$(nrec); systemctl start sensord
	if waitfor 60 new_since "$n" '"src":"light".*"status":"offline".*i2c-1'; then
		ok i2c-absent-offline "$(records | tail -n +$((n + 1)) | grep -m1 '"status":"offline"' | sed 's/.*"reason":"\([^"]*\)".*/\1/')"
	else fail i2c-absent-offline "no offline status naming /dev/i2c-1"; fi
	n=$(nrec); insmod "$P/bh1750_stub.ko" lux=500
	waitfor 60 new_since "$n" '"src":"light".*"lux":500[,}]' && ok i2c-reload-back "samples after insmod" || fail i2c-reload-back "light did not come back after insmod"

	no_denied seccomp-none-denied
	# The clone spawn's assembly runs here on a real arm64 kernel; its
	# fallback to ForkExec would say "refused" instead.
	if journalctl -b -u sensord -o cat --no-pager | grep -q 'children are started by clone without vfork'; then
		ok spawn-clone "children started by clone without vfork"
	else fail spawn-clone "$(journalctl -b -u sensord -o cat --no-pager | grep -m1 'clone without vfork' || echo 'no spawn line in the journal')"; fi

	# The power cut, with light as fast as a real BH1750 allows: on a real
	# board light.interval has a floor of the chip's 180 ms conversion time
	# (5 ms is for the simulated chip only), then QEMU is SIGKILLed.
	sed -i "s/^interval = \"200ms\"/interval = \"180ms\"/" "$CONF"
	systemctl reload sensord
	echo powercut >"$S/phase"; sync
	n=$(nrec)
	# Some seconds of samples written after the sync, not yet all on disk.
	waitfor 60 sh -c "[ \$(cat $D/sensord-*.jsonl | wc -l) -gt $((n + 25)) ]" || fail powercut-samples "no 180 ms samples"
	want powercut "$(now)"
}

boot_powercut() {
	# The guest's clock just before the cut, kept by the host: nothing
	# written to the disk after the last sync survives here by design.
	want cut-time || fail powercut-time "host does not know when it cut"
	cut=${WANT_REPLY##* }
	waitfor 120 active && ok powercut-boot "sensord active again" || fail powercut-boot "$(systemctl is-active sensord)"
	systemctl stop sensord
	if sensord data verify "$D" >"$S/verify.txt" 2>&1; then ok powercut-verify "$(head -1 "$S/verify.txt")"
	else fail powercut-verify "$(tr '\n' ' ' <"$S/verify.txt" | head -c 300)"; fi
	while read -r l; do info "verify: $l"; done <"$S/verify.txt"
	# Newest sample written before the cut (the boot took far longer than 10 s).
	lim=$(date -u -d "@$((cut / 1000000000 + 10))" +%Y-%m-%dT%H:%M:%S)
	newest=$(records | grep '"src":"light".*"lux"' | sed -n 's/.*"t":"\([^"]*\)".*/\1/p' |
		awk -v lim="$lim" '{ s = substr($0, 1, 19); if (s < lim && $0 > best) best = $0 } END { print best }')
	if [ -n "$newest" ]; then
		lag=$((( cut - $(date -d "$newest" +%s%N)) / 1000000))
		fsync=$(sensord config 2>/dev/null | sed -n 's/^fsync_interval = "\(.*\)"/\1/p')
		info "power cut: newest surviving sample $newest, $lag ms before the cut (fsync_interval ${fsync:-1s})"
		lim_ms=$(echo "${fsync:-1s}" | awk '/ms$/ { print $0 + 0; next } /s$/ { print ($0 + 0) * 1000 }')
		# A sample is durable within fsync_interval of being taken, so every
		# sample up to cut - fsync_interval survives, and the newest of
		# those is at most one light.interval (180 ms here) older still.
		lim_ms=$((lim_ms + 180))
		[ "$lag" -le "$lim_ms" ] && ok powercut-loss-bound "$lag ms <= fsync_interval $fsync + light.interval 180ms" ||
			fail powercut-loss-bound "$lag ms lost > fsync_interval $fsync + light.interval 180ms"
	else fail powercut-loss-bound "no sample before the cut survived"; fi
	reused=$(records | grep '"seq"' | sed -n 's/.*"src":"\([a-z]*\)","gen":\([0-9]*\),"seq":\([0-9]*\),"t":"\([^"]*\)".*/\1 \2 \3 \4/p' |
		awk '{ k = $1 " " $2 " " $3; if (k in t && t[k] != $4) { n++; if (n < 3) print k } t[k] = $4 } END { print n + 0 }' | tr '\n' ' ')
	case $reused in "0 ") ok powercut-no-reuse "no (src, gen, seq) reused" ;; *) fail powercut-no-reuse "reused: $reused" ;; esac

	# The package's life: an upgrade keeps the edited configuration.
	systemctl start sensord; waitfor 60 active
	pid=$(mainpid)
	if apt-get install -y "$P/sensord_${V2}_$ARCH.deb" >"$S/upgrade.log" 2>&1 &&
		[ "$(dpkg-query -W -f '${Version}' sensord)" = "$V2" ] && waitfor 60 active && [ "$(mainpid)" != "$pid" ]; then
		ok upgrade "$V1 -> $V2, restarted (pid $pid -> $(mainpid))"
	else fail upgrade "$(dpkg-query -W -f '${Version}' sensord) $(tail -2 "$S/upgrade.log" | tr '\n' ' ')"; fi
	grep -q 'vm-test edit' "$CONF" && ok upgrade-config-kept "edits kept" || fail upgrade-config-kept "$CONF lost the edits"
	waitfor 60 four_running && ok upgrade-children "four running" || fail upgrade-children "$(running_children) running"
	no_denied seccomp-none-denied-after-powercut
	if apt-get remove -y sensord >"$S/remove.log" 2>&1 && ! pgrep -x sensord >/dev/null &&
		[ ! -e /etc/systemd/system/getty@tty1.service ] && [ -e "$CONF" ]; then
		ok remove "stopped, getty@tty1 unmasked, conffile kept"
	else fail remove "$(tail -2 "$S/remove.log" | tr '\n' ' ') $(pgrep -a -x sensord)"; fi
	echo removed >"$S/phase"; sync
	info "rebooting"
	systemctl reboot
	exit 0
}

boot_removed() {
	if waitfor 60 sh -c 'systemctl is-active --quiet getty@tty1 && pgrep -f "agetty.*tty1" >/dev/null'; then
		ok remove-getty-back "getty on tty1 after the reboot"
	else fail remove-getty-back "getty@tty1: $(systemctl is-active getty@tty1)"; fi
	want screendump getty || true
	if apt-get purge -y sensord >"$S/purge.log" 2>&1 && ! dpkg-query -W sensord >/dev/null 2>&1 && [ ! -e /etc/sensord ]; then
		ok purge "package and configuration gone"
	else fail purge "$(tail -2 "$S/purge.log" | tr '\n' ' ')"; fi
	echo done >"$S/phase"; sync
}

case $phase in
install) boot_install ;;
powercut) boot_powercut ;;
removed) boot_removed ;;
esac
if [ "$FAILS" -gt 0 ]; then
	echo "vm-test guest: sensord's journal, for the failures above:"
	journalctl -u sensord -n 60 -o short-monotonic --no-pager 2>&1 | sed 's/^/journal: /'
fi
echo "SENSORD-END"
