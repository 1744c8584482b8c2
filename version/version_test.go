package version

import "testing"

// TestString: a version set by the build is shown as it is; an unset
// one is "dev", with the commit when Go recorded one.
func TestString(t *testing.T) {
	defer func(v string) { Version = v }(Version)
	Version = "1.2.3+4.gabc"
	if got := String(); got != "1.2.3+4.gabc" {
		t.Errorf("String() = %q; want the version set by the build", got)
	}
	Version = "dev"
	if got := String(); got != "dev" && got[:4] != "dev+" {
		t.Errorf("String() = %q; want dev or dev+COMMIT", got)
	}
}
