package config

// Diff says whether the child role (RoleMotion, RoleLight, RoleLogger,
// RoleGUI) must be restarted to apply new in place of old: whether any
// key that goes into its argv, its executable or its privileges
// changed. On SIGHUP the daemon restarts only the children for which
// Diff is true. Keys no child depends on (supervisor.poll, grace,
// group, sigchld, slice) the daemon applies itself; supervisor.runtime_dir
// also moves the control socket, and restarts the GUI, which is given
// its path.
func Diff(old, new Config, role string) bool {
	for _, k := range keys {
		if affects(k, role) && k.get(&old) != k.get(&new) {
			return true
		}
	}
	return false
}

// Changed lists the keys whose values differ, in file order, for the
// daemon's reload log line.
func Changed(old, new Config) []string {
	var names []string
	for _, k := range keys {
		if k.get(&old) != k.get(&new) {
			names = append(names, k.name)
		}
	}
	return names
}

func affects(k key, role string) bool {
	for _, r := range k.roles {
		if r == role {
			return true
		}
	}
	return false
}
