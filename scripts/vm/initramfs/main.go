// Command initramfs is the /init of the VM test's initramfs
// (scripts/vm-test.sh): it loads the modules listed in /modules (in
// order, dependencies first) from the guest kernel's package, finds the
// root file system by its ext4 label (root=LABEL on the command line),
// mounts it and hands over to its /sbin/init. Debian's kernel builds
// virtio-blk and ext4 as modules, and a whole initramfs-tools run under
// qemu-user would cost the image build minutes; this does the same in
// one static binary.
package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
	"unsafe"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "initramfs: %v\n", err)
	}
	// PID 1 must not exit: park so the console keeps the error.
	for {
		time.Sleep(time.Hour)
	}
}

func run() error {
	os.MkdirAll("/dev", 0o755)
	os.MkdirAll("/proc", 0o755)
	os.MkdirAll("/root", 0o755)
	if err := syscall.Mount("devtmpfs", "/dev", "devtmpfs", 0, ""); err != nil {
		return fmt.Errorf("mount /dev: %w", err)
	}
	if err := syscall.Mount("proc", "/proc", "proc", 0, ""); err != nil {
		return fmt.Errorf("mount /proc: %w", err)
	}
	list, _ := os.ReadFile("/modules")
	for _, m := range strings.Fields(string(list)) {
		if err := loadModule(m); err != nil {
			return err
		}
	}
	cmdline, _ := os.ReadFile("/proc/cmdline")
	label := "sensord-root"
	for _, f := range strings.Fields(string(cmdline)) {
		if v, ok := strings.CutPrefix(f, "root=LABEL="); ok {
			label = v
		}
	}
	dev, err := findLabel(label, 30*time.Second)
	if err != nil {
		return err
	}
	if err := syscall.Mount(dev, "/root", "ext4", 0, ""); err != nil {
		return fmt.Errorf("mount %s: %w", dev, err)
	}
	syscall.Unmount("/proc", syscall.MNT_DETACH)
	syscall.Unmount("/dev", syscall.MNT_DETACH)
	// switch_root: the initramfs is rootfs and cannot be pivoted away.
	if err := os.Chdir("/root"); err != nil {
		return err
	}
	if err := syscall.Mount(".", "/", "", syscall.MS_MOVE, ""); err != nil {
		return fmt.Errorf("move root: %w", err)
	}
	if err := syscall.Chroot("."); err != nil {
		return fmt.Errorf("chroot: %w", err)
	}
	os.Chdir("/")
	return syscall.Exec("/sbin/init", []string{"/sbin/init"}, os.Environ())
}

func loadModule(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("module %s: %w", path, err)
	}
	params := []byte{0}
	_, _, e := syscall.Syscall(syscall.SYS_INIT_MODULE, uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)), uintptr(unsafe.Pointer(&params[0])))
	if e != 0 && e != syscall.EEXIST {
		return fmt.Errorf("module %s: %w", filepath.Base(path), e)
	}
	return nil
}

// findLabel waits for a virtio disk whose ext4 superblock has the label.
func findLabel(label string, wait time.Duration) (string, error) {
	deadline := time.Now().Add(wait)
	for {
		disks, _ := filepath.Glob("/dev/vd*")
		for _, d := range disks {
			if ext4Label(d) == label {
				return d, nil
			}
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("no disk labelled %q among %v", label, disks)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func ext4Label(dev string) string {
	f, err := os.Open(dev)
	if err != nil {
		return ""
	}
	defer f.Close()
	sb := make([]byte, 1024)
	if _, err := f.ReadAt(sb, 1024); err != nil {
		return ""
	}
	if sb[0x38] != 0x53 || sb[0x39] != 0xEF {
		return ""
	}
	return string(bytes.TrimRight(sb[0x78:0x88], "\x00"))
}
