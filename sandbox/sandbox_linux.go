package sandbox

import (
	"fmt"

	seccomp "github.com/elastic/go-seccomp-bpf"
	"golang.org/x/sys/unix"
)

// DenyInternet makes socket(AF_INET or AF_INET6, ...) fail in this
// process from now on.
func DenyInternet() error {
	deny := seccomp.ActionErrno | seccomp.Action(unix.EAFNOSUPPORT)
	f := seccomp.Filter{
		NoNewPrivs: true,
		Flag:       seccomp.FilterFlagTSync,
		Policy: seccomp.Policy{
			DefaultAction: seccomp.ActionAllow,
			Syscalls: []seccomp.SyscallGroup{{
				Action: deny,
				NamesWithCondtions: []seccomp.NameWithConditions{
					{Name: "socket", Conditions: []seccomp.Condition{{Argument: 0, Operation: seccomp.Equal, Value: unix.AF_INET}}},
					{Name: "socket", Conditions: []seccomp.Condition{{Argument: 0, Operation: seccomp.Equal, Value: unix.AF_INET6}}},
				},
			}},
		},
	}
	if err := seccomp.LoadFilter(f); err != nil {
		return fmt.Errorf("sandbox: cannot install the no-network seccomp filter: %w; is the kernel built with CONFIG_SECCOMP_FILTER?", err)
	}
	return nil
}
