#!/bin/sh
# build.sh KERNELDIR ARCH OUT: builds bh1750_stub.ko against the unpacked
# headers of the guest kernel (scripts/vm/fetch-kernel.sh) with Debian's
# cross gcc; the host's linux-kbuild (same version) supplies the programs.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
kdir=$1 arch=$2 out=$3
. "$here/../lib.sh"
vm_arch_vars "$arch"
abi=$(cat "$kdir/abi")
hdr=$kdir/root/usr/src/linux-headers-$abi
[ -d "$hdr" ] || vm_die "bh1750-stub: no headers in $hdr"
b=$(mktemp -d); trap 'rm -rf "$b"' EXIT
cp "$here/bh1750_stub.c" "$here/Kbuild" "$b/"
# The headers' Makefile includes the common headers by absolute path;
# point it at the unpacked tree (idempotent). Their scripts/ and tools/
# links are relative, to the host's linux-kbuild unpacked beside them.
sed -i "s#^include /usr/src/#include $kdir/root/usr/src/#" "$hdr/Makefile"
# gcc-12 is what Debian built the kernel with; the cross gcc of this host is 12 too.
make -s -C "$hdr" M="$b" ARCH="$VM_KARCH" CROSS_COMPILE="$VM_CROSS" CC="${VM_CROSS}gcc" modules >"$b/build.log" 2>&1 ||
	{ cat "$b/build.log" >&2; vm_die "bh1750-stub: build failed for $arch ($abi)"; }
cp "$b/bh1750_stub.ko" "$out"
