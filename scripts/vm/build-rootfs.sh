#!/bin/sh
# build-rootfs.sh ARCH: a debootstrapped Debian root for the VM test, cached
# as a directory $VM_CACHE/rootfs-RELEASE-ARCH-KEY (KEY: the package list
# and this script). The foreign second stage runs under qemu-user through
# binfmt_misc registered in a private user+mount namespace (Linux >= 6.7
# gives each user namespace its own binfmt_misc), never on the host.
# Prints the directory.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
arch=$1
vm_arch_vars "$arch"
# Keyed by what goes in: the release, the architecture, the package list
# (and the layout version below, bumped when this script changes the result).
key=$(echo "v1 $VM_RELEASE $arch $VM_PACKAGES" | sha256sum | cut -c1-12)
dir=$VM_CACHE/rootfs-$VM_RELEASE-$arch-$key
if [ -e "$dir/.done" ]; then echo "$dir"; exit 0; fi
rm -rf "$dir" "$dir.tmp"
mkdir -p "$VM_CACHE"
vm_log "rootfs $arch: debootstrap first stage (cold cache: about 10 min in all)"
debootstrap --foreign --arch="$arch" --variant=minbase --include="$VM_PACKAGES" \
	"$VM_RELEASE" "$dir.tmp" "$VM_MIRROR" >"$VM_CACHE/debootstrap-$arch.log" 2>&1 ||
	{ tail -20 "$VM_CACHE/debootstrap-$arch.log" >&2; vm_die "debootstrap first stage"; }
vm_log "rootfs $arch: second stage under $VM_QEMU_USER (log: $VM_CACHE/debootstrap-$arch.log)"
# Progress while it runs: the second stage takes minutes under qemu-user.
( while sleep 30; do vm_log "rootfs $arch: second stage still running (log: $VM_CACHE/debootstrap-$arch.log)"; done ) &
ticker=$!
rc=0
# The parent (real root) writes the child namespace's id maps: the whole
# 0-65535 range, so the packages' chown to system users works inside.
unshare --user --mount --pid --net --fork sh -c '
	set -e
	while [ "$(awk "{print \$3}" /proc/self/uid_map)" != 65536 ]; do sleep 0.1; done
	mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
	printf "%s" "$1" >/proc/sys/fs/binfmt_misc/register
	# container=lxc: no mknod in a user namespace; the first stage (real
	# root) made the device nodes already.
	container=lxc chroot "$2" /debootstrap/debootstrap --second-stage
' sh "$VM_BINFMT" "$dir.tmp" >>"$VM_CACHE/debootstrap-$arch.log" 2>&1 &
ns=$!
# unshare has made its user namespace once its user ns link differs from ours.
while [ "$(readlink /proc/$ns/ns/user)" = "$(readlink /proc/self/ns/user)" ]; do sleep 0.05; done
echo "0 0 65536" >/proc/$ns/uid_map && echo "0 0 65536" >/proc/$ns/gid_map || true
wait $ns || rc=$?
kill "$ticker" 2>/dev/null || true
if [ $rc -ne 0 ]; then
	tail -30 "$VM_CACHE/debootstrap-$arch.log" >&2
	tail -30 "$dir.tmp/debootstrap/debootstrap.log" >&2 2>/dev/null || true
	vm_die "debootstrap second stage ($arch)"
fi
rm -f "$dir.tmp"/var/cache/apt/archives/*.deb
touch "$dir.tmp/.done"
mv "$dir.tmp" "$dir"
vm_log "rootfs $arch: done"
echo "$dir"
