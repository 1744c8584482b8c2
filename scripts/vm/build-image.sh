#!/bin/sh
# build-image.sh ARCH: the guest's boot files, cached in
# $VM_CACHE/image-RELEASE-ARCH-KEY/ (KEY: the root, the kernel and the
# files below): root.img (ext4, label sensord-root: the debootstrapped
# root, the kernel's modules, the check service), vmlinuz, initrd (the
# static Go /init of scripts/vm/initramfs and the modules it needs) and
# bh1750_stub.ko built against this kernel. Prints the directory.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/lib.sh"
arch=$1
vm_arch_vars "$arch"
rootfs=$("$here/build-rootfs.sh" "$arch")
kdir=$("$here/fetch-kernel.sh" "$arch")
abi=$(cat "$kdir/abi")
key=$( (echo "$rootfs $abi"; cat "$here/build-image.sh" "$here/initramfs/main.go" "$here/bh1750-stub/"*) | sha256sum | cut -c1-12)
dir=$VM_CACHE/image-$VM_RELEASE-$arch-$key
if [ -e "$dir/.done" ]; then echo "$dir"; exit 0; fi
rm -rf "$dir"; mkdir -p "$dir"
vm_log "image $arch: assembling root.img ($abi)"

# The stub module, against this kernel's headers.
"$here/bh1750-stub/build.sh" "$kdir" "$arch" "$dir/bh1750_stub.ko"

stage=$(mktemp -d "${TMPDIR:-/tmp}/sensord-vm-root.XXXXXX")
trap 'rm -rf "$stage"' EXIT INT TERM
cp -a "$rootfs/." "$stage/"
rm -f "$stage/.done"
mkdir -p "$stage/lib/modules"
cp -a "$kdir/root/lib/modules/$abi" "$stage/lib/modules/"
depmod -b "$stage" "$abi"
echo sensord-vm >"$stage/etc/hostname"
echo "127.0.1.1 sensord-vm" >>"$stage/etc/hosts"
echo "LABEL=sensord-root / ext4 defaults 0 1" >"$stage/etc/fstab"
mkdir -p "$stage/mnt/vmtest" "$stage/var/log/journal"  # persistent: readable after a failed run
# The serial line carries the test's markers: no login prompt on it,
# and nothing that would wake up during a run.
for u in serial-getty@ttyAMA0.service apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer \
	fstrim.timer dpkg-db-backup.timer systemd-tmpfiles-clean.timer; do
	ln -sf /dev/null "$stage/etc/systemd/system/$u"
done
cat >"$stage/etc/systemd/system/sensord-vmcheck.service" <<'EOS'
# The VM test's checks (scripts/vm/guest.sh on the payload disk).
[Unit]
Description=sensord VM test checks
After=systemd-udev-settle.service local-fs.target

[Service]
Type=simple
ExecStartPre=/bin/mount -o ro LABEL=sensord-test /mnt/vmtest
ExecStart=/bin/sh /mnt/vmtest/guest.sh
StandardInput=tty
StandardOutput=tty
StandardError=tty
TTYPath=/dev/ttyAMA0

[Install]
WantedBy=multi-user.target
EOS
ln -sf /etc/systemd/system/sensord-vmcheck.service "$stage/etc/systemd/system/multi-user.target.wants/sensord-vmcheck.service"
truncate -s 2G "$dir/root.img"
mkfs.ext4 -q -F -L sensord-root -d "$stage" "$dir/root.img"

# The initramfs: /init, and the modules for virtio disks and ext4, in
# dependency order from modules.dep.
ird=$stage.initrd; rm -rf "$ird"; mkdir -p "$ird/lib"
goarch=$arch; [ "$arch" = armhf ] && goarch=arm
(cd "$top" && CGO_ENABLED=0 GOOS=linux GOARCH=$goarch GOARM=7 go build -trimpath -o "$ird/init" ./scripts/vm/initramfs)
dep=$stage/lib/modules/$abi/modules.dep
order=
add() { # add MODULE-PATH (relative to the modules dir), after its dependencies
	case " $order " in *" $1 "*) return ;; esac
	for d in $(grep "^$1:" "$dep" | cut -d: -f2); do add "$d"; done
	order="$order $1"
}
for m in virtio_mmio virtio_pci virtio_blk ext4 crc32c_generic; do
	p=$(grep -E "/$m\.ko:" "$dep" | cut -d: -f1 | head -1)
	[ -n "$p" ] && add "$p"
done
for p in $order; do cp "$stage/lib/modules/$abi/$p" "$ird/lib/"; echo "/lib/$(basename "$p")"; done >"$ird/modules"
(cd "$ird" && find . | cpio -o -H newc --quiet) | gzip -1 >"$dir/initrd"
rm -rf "$ird"
cp "$kdir"/root/boot/vmlinuz-"$abi" "$dir/vmlinuz"
echo "$abi" >"$dir/abi"
touch "$dir/.done"
vm_log "image $arch: done"
echo "$dir"
