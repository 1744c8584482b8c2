#!/bin/sh
# qemu-test.sh: run the arm64 and armv6 builds of sensord under
# qemu-user on this machine: the whole appliance on the simulated board
# (sensord run --sim --tty none), children started through
# SENSORD_EXEC_WRAPPER=qemu-*-static, checked with `sensord status
# --json` and the data directory, stopped with SIGTERM (exit 0).
# The test itself is TestQEMU in packaging/qemu_test.go.
# Needs qemu-user-static: scripts/install-test-deps.sh.
set -eu
cd "$(dirname "$0")/.."
for q in qemu-aarch64-static qemu-arm-static; do
	command -v "$q" >/dev/null || { echo "qemu-test: $q missing; run scripts/install-test-deps.sh" >&2; exit 1; }
done
SENSORD_QEMU=1 exec go test -count=1 -run 'TestQEMU' -v -timeout 10m ./packaging
