package sandbox

import (
	"testing"

	"github.com/elastic/go-seccomp-bpf/arch"
)

// TestNamesKnown catches a misspelt name: one that no architecture the
// packages are built for (scripts/build-deb.sh) has would be dropped
// from every filter without a word.
func TestNamesKnown(t *testing.T) {
	arches := []*arch.Info{arch.X86_64, arch.AARCH64, arch.ARM}
	lists := map[string][]string{"goRuntime": goRuntime}
	for r, l := range roleCalls {
		lists[r] = l
	}
	for list, names := range lists {
		for _, n := range names {
			if !knownOnAny(arches, n) {
				t.Errorf("%s: %q is a system call on none of amd64, arm64, armhf", list, n)
			}
		}
	}
}

func knownOnAny(arches []*arch.Info, name string) bool {
	for _, a := range arches {
		if _, ok := a.SyscallNames[name]; ok {
			return true
		}
	}
	return false
}

// TestArchSpellings: each architecture keeps the spelling of a call it
// has, and the Go runtime's calls for it are there (armhf's 64-bit time
// and file offsets, arm64's *at-only calls).
func TestArchSpellings(t *testing.T) {
	cases := []struct {
		a    *arch.Info
		want []string
	}{
		{arch.ARM, []string{"mmap2", "_llseek", "fstat64", "fstatat64", "clock_gettime64", "futex_time64", "ugetrlimit", "fcntl64", "sigreturn", "timer_settime64"}},
		{arch.AARCH64, []string{"mmap", "fstatat", "epoll_pwait", "ppoll", "clone3", "rseq", "faccessat"}},
		{arch.X86_64, []string{"arch_prctl", "newfstatat", "epoll_pwait", "clone3", "rseq"}},
	}
	for _, c := range cases {
		got := map[string]bool{}
		for _, n := range known(c.a, goRuntime) {
			got[n] = true
		}
		for _, n := range c.want {
			if !got[n] {
				t.Errorf("%s: %s missing", c.a.Name, n)
			}
		}
	}
}
