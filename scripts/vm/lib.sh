# lib.sh: shared by the scripts/vm pieces (sourced, not run).
# The cache lives outside the checkout; each piece keys its own entry.
VM_CACHE=${SENSORD_VM_CACHE:-/var/cache/sensord-vm}
VM_RELEASE=${SENSORD_VM_RELEASE:-bookworm}
VM_MIRROR=${SENSORD_VM_MIRROR:-http://deb.debian.org/debian}
VM_SECURITY=${SENSORD_VM_SECURITY:-http://deb.debian.org/debian-security}
# Packages of the guest root beyond minbase. Part of the cache key.
VM_PACKAGES=systemd,systemd-sysv,udev,kmod,procps
VM_T0=${VM_T0:-$(date +%s)}
export VM_T0

vm_log() { # vm_log STEP MESSAGE...: one progress line with elapsed seconds
	printf 'vm-test: [%4ss] %s\n' "$(($(date +%s) - VM_T0))" "$*" >&2
}
vm_die() { vm_log "FAIL: $*"; exit 1; }

# Debian's name for the architecture, the kernel flavour, the qemu-user binary.
vm_arch_vars() { # vm_arch_vars ARCH
	case $1 in
	arm64) VM_FLAVOUR=arm64 VM_QEMU_USER=qemu-aarch64-static VM_CROSS=aarch64-linux-gnu- VM_KARCH=arm64
		VM_BINFMT=':qemu-aarch64:M::\x7f\x45\x4c\x46\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00:\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff:/usr/bin/qemu-aarch64-static:F' ;;
	armhf) VM_FLAVOUR=armmp VM_QEMU_USER=qemu-arm-static VM_CROSS=arm-linux-gnueabihf- VM_KARCH=arm
		VM_BINFMT=':qemu-arm:M::\x7f\x45\x4c\x46\x01\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x28\x00:\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff:/usr/bin/qemu-arm-static:F' ;;
	*) vm_die "unknown arch $1 (arm64 or armhf)" ;;
	esac
}

# A private apt for a foreign architecture: its own lists and archives
# under the cache, the host's keyring, nothing of the host's state.
vm_apt() { # vm_apt ARCH apt-get|apt-cache ARGS...
	a=$1 tool=$2; shift 2
	d=$VM_CACHE/apt-$VM_RELEASE-$a
	mkdir -p "$d/lists/partial" "$d/archives/partial" "$d/etc"
	[ -e "$d/status" ] || : >"$d/status"
	cat >"$d/etc/sources.list" <<EOS
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $VM_MIRROR $VM_RELEASE main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $VM_MIRROR $VM_RELEASE-updates main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $VM_SECURITY $VM_RELEASE-security main
EOS
	"$tool" -q -o APT::Architecture="$a" -o APT::Architectures::="$a" \
		-o Dir::State::Lists="$d/lists" -o Dir::State::status="$d/status" \
		-o Dir::Cache="$d/cache" -o Dir::Cache::Archives="$d/archives" \
		-o Dir::Etc::SourceList="$d/etc/sources.list" -o Dir::Etc::SourceParts=/nonexistent \
		-o Debug::NoLocking=1 -o APT::Sandbox::User=root "$@"
}
