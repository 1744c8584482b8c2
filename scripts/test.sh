#!/bin/sh
# test.sh: the whole test suite, as CI runs it (.ci/run calls this).
# Installs what the tests need (qemu-user-static, tmux, dpkg, systemd,
# gcc), runs every Go test, the same again under the race detector for
# the in-process packages, the ARM builds under qemu-user, and the ARM
# package tests under qemu, and the .deb on a booted Debian under
# qemu-system (scripts/vm-test.sh; SENSORD_VM=0 skips it). Opt-in long runs: SENSORD_SOAK=10m (chaos
# soak), SENSORD_BENCH=1; see README.md.
set -eu
cd "$(dirname "$0")/.."
scripts/install-test-deps.sh
go vet ./...
SENSORD_QEMU=1 go test -count=1 -timeout 30m ./...
# The race detector over the packages whose goroutines share memory in
# one process (the daemon's end-to-end tests run the binary, not them).
go test -race -count=1 ./ipc/... ./sensor/... ./board/... ./motion/... ./light/... ./logger/... ./gui/... ./config/... ./control/... ./sdnotify/... ./version/... ./metrics/... ./sandbox/... ./wake/...
# The uplink's in-process tests (its end-to-end ones run the binary).
go test -race -count=1 -run 'TestDelivery|TestBroker|TestWrong|TestPassword|TestTLS|TestHome' ./uplink/
# The sensor and wire-format packages on arm64 and armv6, under qemu-user.
GOARCH=arm64 go test -count=1 -exec qemu-aarch64-static ./ipc/... ./sensor/... ./board/... ./motion/... ./light/...
GOARCH=arm GOARM=6 go test -count=1 -exec qemu-arm-static ./ipc/... ./sensor/... ./board/... ./motion/... ./light/...
# The shipped package on an emulated ARM machine: real kernel, systemd,
# tty1, GPIO and I2C (SENSORD_VM_ARCHES="arm64 armhf" adds the 32-bit guest).
scripts/vm-test.sh
