#!/bin/sh
# fetch-kernel.sh ARCH: Debian's own kernel for the guest (linux-image-ABI-
# FLAVOUR, not installed on the host: unpacked), its headers (for the
# BH1750 stub module) and the host's linux-kbuild of the same version,
# fetched through a private apt for the foreign architecture and cached in
# $VM_CACHE/kernel-RELEASE-ARCH-ABI. Prints that directory.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
arch=$1
vm_arch_vars "$arch"
lists=$VM_CACHE/apt-$VM_RELEASE-$arch/lists
# The package lists are refreshed once a day at most: a warm run asks nothing.
if [ -z "$(find "$lists" -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null | head -1)" ]; then
	vm_log "kernel $arch: apt update (private lists for $arch)"
	vm_apt "$arch" apt-get update >/dev/null 2>&1 || [ -n "$(ls "$lists" 2>/dev/null | grep Packages)" ] || vm_die "apt update for $arch"
fi
pkg=$(vm_apt "$arch" apt-cache depends "linux-image-$VM_FLAVOUR" 2>/dev/null | awk '/Depends: linux-image-/ { print $2; exit }')
[ -n "$pkg" ] || vm_die "kernel $arch: no linux-image-$VM_FLAVOUR"
abi=${pkg#linux-image-}
dir=$VM_CACHE/kernel-$VM_RELEASE-$arch-$abi
if [ -e "$dir/.done" ]; then echo "$dir"; exit 0; fi
vm_log "kernel $arch: fetching $pkg and its headers"
rm -rf "$dir"; mkdir -p "$dir/debs" "$dir/root"
ver=$(vm_apt "$arch" apt-cache show "$pkg" 2>/dev/null | awk '/^Version:/ { print $2; exit }')
common=linux-headers-${abi%-$VM_FLAVOUR}-common
(cd "$dir/debs" && vm_apt "$arch" apt-get download "$pkg" "linux-headers-$abi" "$common" >/dev/null) ||
	vm_die "kernel $arch: download $pkg"
# kbuild's programs (fixdep, modpost) run on the host: the host's architecture.
(cd "$dir/debs" && apt-get download -q -o APT::Sandbox::User=root "linux-kbuild-${ver%%.*}.${ver#*.}" >/dev/null 2>&1 ||
	apt-get download -q -o APT::Sandbox::User=root "linux-kbuild-$(echo "$ver" | cut -d. -f1,2)=$ver" >/dev/null) ||
	vm_die "kernel $arch: download linux-kbuild $ver for the host"
for d in "$dir"/debs/*.deb; do dpkg-deb -x "$d" "$dir/root"; done
img=$(ls "$dir"/root/boot/vmlinuz-* | head -1)
[ -f "$img" ] || vm_die "kernel $arch: no vmlinuz in $pkg"
echo "$abi" >"$dir/abi"
touch "$dir/.done"
vm_log "kernel $arch: $abi ($ver)"
echo "$dir"
