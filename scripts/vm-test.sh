#!/bin/sh
# vm-test.sh: the shipped .deb on a booted Debian under qemu-system: Debian's
# own kernel and systemd, tty1, GPIO through the PL061 and the kernel's
# GPIO character device, I2C through i2c-dev and a stub BH1750 adapter
# module, a power cut and the package's life (install, reload, watchdog,
# stop, upgrade, remove, purge). See scripts/vm/ for the pieces and
# scripts/vm/guest.sh for the checks.
#
#   SENSORD_VM_ARCHES   guests to run (default "arm64"; "arm64 armhf" adds
#                       the 32-bit guest on qemu-system-arm)
#   SENSORD_VM_OUT      where the serial logs and screendumps go
#                       (default dist/vm-test/ARCH)
#   SENSORD_VM_CACHE    the image cache (default /var/cache/sensord-vm)
#   SENSORD_VM=0        skip the VM test
#
# A cold cache (debootstrap) costs about 5 minutes per architecture; a warm
# run reuses root image, kernel and module. Needs root (debootstrap,
# namespaces); exits non-zero naming the failing check.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
[ "${SENSORD_VM:-1}" != 0 ] || { echo "vm-test: skipped (SENSORD_VM=0)"; exit 0; }
[ "$(id -u)" -eq 0 ] || { echo "vm-test: needs root (debootstrap, user namespaces, the image cache)"; exit 1; }
. scripts/vm/lib.sh
scripts/install-test-deps.sh >/dev/null

v1=$(scripts/version.sh)
v2=$v1+vm2
rc=0
for arch in ${SENSORD_VM_ARCHES:-arm64}; do
	vm_arch_vars "$arch"
	out=${SENSORD_VM_OUT:-$top/dist/vm-test}/$arch
	rm -rf "$out"; mkdir -p "$out/payload" "$out/run"
	vm_log "$arch: image (cached in $VM_CACHE)"
	img=$(scripts/vm/build-image.sh "$arch")

	vm_log "$arch: packages $v1 and $v2"
	case $arch in
	arm64) bin=sensord-linux-arm64 ;;
	armhf) bin=sensord-linux-armv6 ;;
	esac
	for v in "$v1" "$v2"; do
		make -s DIST="$out/dist-$v" VERSION="$v" "$out/dist-$v/$bin" >/dev/null
		scripts/build-deb.sh "$arch" "$out/dist-$v/$bin" "$v" "$out/payload" >/dev/null
	done
	cp scripts/vm/guest.sh "$img/bh1750_stub.ko" "$out/payload/"
	printf 'ARCH=%s\nV1=%s\nV2=%s\n' "$arch" "$v1" "$v2" >"$out/payload/params"
	truncate -s 64M "$out/run/payload.img"
	mkfs.ext4 -q -F -L sensord-test -d "$out/payload" "$out/run/payload.img"
	cp --sparse=always "$img/root.img" "$out/run/root.img"

	case $arch in
	arm64) qemu="qemu-system-aarch64 -M virt -cpu cortex-a53" ;;
	armhf) qemu="qemu-system-arm -M virt,highmem=off -cpu cortex-a15" ;;
	esac
	qemu="$qemu -accel tcg -smp 2 -m 1024 -nic none -display none -no-user-config -nodefaults"
	# The device tree QEMU makes for this machine, with names for the
	# PL061's lines: line 0 is GPIO17, where sensord looks for the PIR.
	$qemu -machine dumpdtb="$out/run/virt.dtb" >/dev/null 2>&1
	dtc -q -I dtb -O dts "$out/run/virt.dtb" >"$out/run/virt.dts"
	awk '/^\tpl061@/ { print; getline; print; print "\t\tgpio-line-names = \"GPIO17\", \"VM1\", \"VM2\", \"VM-POWER\", \"VM4\", \"VM5\", \"VM6\", \"VM7\";"; next } { print }' \
		"$out/run/virt.dts" >"$out/run/virt-gpio.dts"
	grep -q GPIO17 "$out/run/virt-gpio.dts" || vm_die "$arch: no pl061 node in the device tree"
	dtc -q -I dts -O dtb -o "$out/run/virt-gpio.dtb" "$out/run/virt-gpio.dts"

	go build -o "$out/run/driver" ./scripts/vm/driver
	vm_log "$arch: booting (serial log: $out/serial.log)"
	# shellcheck disable=SC2086
	if "$out/run/driver" -out "$out" -- $qemu \
		-kernel "$img/vmlinuz" -initrd "$img/initrd" -dtb "$out/run/virt-gpio.dtb" \
		-append "root=LABEL=sensord-root rw console=tty1 console=ttyAMA0 quiet" \
		-drive file="$out/run/root.img",if=none,format=raw,id=root,cache=writeback \
		-device virtio-blk-device,drive=root \
		-drive file="$out/run/payload.img",if=none,format=raw,id=payload,readonly=on \
		-device virtio-blk-device,drive=payload \
		-device VGA,romfile=; then
		vm_log "$arch: passed"
	else
		vm_log "$arch: FAILED (serial log: $out/serial.log; the guest's disk, with its journal: $out/run/root.img)"
		rc=1
		continue
	fi
	rm -rf "$out/run/root.img" "$out/dist-"*
done
exit $rc
