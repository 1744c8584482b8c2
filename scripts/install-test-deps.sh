#!/bin/sh
# install-test-deps.sh: the tools the test suite and CI use beyond Go:
# qemu-user-static (ARM builds run under qemu: scripts/qemu-test.sh),
# tmux (terminal tests), dpkg-deb and systemd-analyze (packaging tests),
# gcc (go test -race needs cgo), mosquitto and openssl (uplink tests);
# for the VM test (scripts/vm-test.sh): qemu-system-arm (both ARM
# guests), debootstrap, e2fsprogs, cpio, kmod (depmod),
# device-tree-compiler and the cross gcc for the stub module.
# Idempotent: installs only what is missing. Needs root (or sudo).
set -eu

missing=
need() { # need COMMAND PACKAGE
	command -v "$1" >/dev/null 2>&1 || missing="$missing $2"
}
need qemu-aarch64-static qemu-user-static
need qemu-arm-static qemu-user-static
need tmux tmux
need dpkg-deb dpkg
need systemd-analyze systemd
need make make
need gcc gcc
need qemu-system-aarch64 qemu-system-arm
need qemu-system-arm qemu-system-arm
need debootstrap debootstrap
need mkfs.ext4 e2fsprogs
need cpio cpio
need depmod kmod
need dtc device-tree-compiler
need aarch64-linux-gnu-gcc gcc-aarch64-linux-gnu
need arm-linux-gnueabihf-gcc gcc-arm-linux-gnueabihf
need gzip gzip
# The uplink's tests start their own mosquitto on 127.0.0.1 on a free
# port with their own config, and stop it by pid. Debian's package may
# also start a system mosquitto service on install: the tests never use
# it and cannot collide with it (they never use port 1883).
need mosquitto mosquitto
need mosquitto_passwd mosquitto
need openssl openssl

# Each package once.
pkgs=$(printf '%s\n' $missing | sort -u | tr '\n' ' ')
if [ -z "$missing" ]; then
	echo "install-test-deps: all present"
	exit 0
fi

sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
command -v apt-get >/dev/null || { echo "install-test-deps: no apt-get; install by hand:$pkgs" >&2; exit 1; }
echo "install-test-deps: installing $pkgs"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $pkgs
