#!/bin/sh
# build-deb.sh ARCH BINARY VERSION OUTDIR
# Assembles packaging/deb (the files), packaging/debian (control and
# maintainer scripts) and BINARY into OUTDIR/sensord_VERSION_ARCH.deb
# with dpkg-deb --root-owner-group (every file root:root; no fakeroot).
set -eu
[ $# -eq 4 ] || { echo "usage: $0 ARCH BINARY VERSION OUTDIR" >&2; exit 2; }
arch=$1 bin=$2 version=$3 out=$4
top=$(cd "$(dirname "$0")/.." && pwd)
pkg=$top/packaging

command -v dpkg-deb >/dev/null || { echo "build-deb: dpkg-deb not found; apt-get install dpkg" >&2; exit 1; }
[ -x "$bin" ] || { echo "build-deb: $bin: no such executable; run make cross" >&2; exit 1; }

root=$(mktemp -d "${TMPDIR:-/tmp}/sensord-deb.XXXXXX")
trap 'rm -rf "$root"' EXIT INT TERM
umask 022

cp -R "$pkg/deb/." "$root/"
install -D -m 0755 "$bin" "$root/usr/bin/sensord"
install -d -m 0755 "$root/DEBIAN"
for f in postinst prerm postrm; do
	install -m 0755 "$pkg/debian/$f" "$root/DEBIAN/$f"
done
install -m 0644 "$pkg/debian/conffiles" "$root/DEBIAN/conffiles"
# Modes do not survive every checkout: set them here.
find "$root" -path "$root/DEBIAN" -prune -o -type d -exec chmod 0755 {} + -o -type f -exec chmod 0644 {} +
chmod 0755 "$root/usr/bin/sensord" "$root/etc/init.d/sensord" "$root/lib/systemd/system-generators/sensord-generator"
# The unit allows the binary's own ABI, by systemd's name for it: not
# native, which is systemd's ABI (README.md, "The systemd unit").
case $arch in
armhf) abi=arm ;;
arm64) abi=arm64 ;;
amd64) abi=x86-64 ;;
*) abi=native ;;
esac
sed -i "s/^SystemCallArchitectures=native\$/SystemCallArchitectures=$abi/" "$root/lib/systemd/system/sensord.service"
grep -qx "SystemCallArchitectures=$abi" "$root/lib/systemd/system/sensord.service" ||
	{ echo "build-deb: the unit has no SystemCallArchitectures=native line to set" >&2; exit 1; }

size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" \
	"$pkg/debian/control.in" >"$root/DEBIAN/control"
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -print | sed 's#^\./##' | LC_ALL=C sort |
	xargs md5sum) >"$root/DEBIAN/md5sums"

mkdir -p "$out"
deb=$out/sensord_${version}_${arch}.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"
