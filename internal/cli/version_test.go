package cli

import (
	"runtime/debug"
	"testing"
)

// TestModuleVersion: a binary `go install …@v1.2.3` built reports 1.2.3;
// one built in a clone (devel) or without build info keeps the fallback.
func TestModuleVersion(t *testing.T) {
	info := func(v string, ok bool) func() (*debug.BuildInfo, bool) {
		return func() (*debug.BuildInfo, bool) {
			bi := &debug.BuildInfo{}
			bi.Main.Version = v
			return bi, ok
		}
	}
	for _, tt := range []struct {
		v    string
		ok   bool
		want string
	}{
		{"v1.2.3", true, "1.2.3"},
		{"v0.0.0-20261207000000-abcdefabcdef", true, "0.0.0-20261207000000-abcdefabcdef"},
		{"(devel)", true, devVersion},
		{"", true, devVersion},
		{"v1.2.3", false, devVersion},
	} {
		if got := moduleVersion(devVersion, info(tt.v, tt.ok)); got != tt.want {
			t.Errorf("moduleVersion(%q, %v) = %q, want %q", tt.v, tt.ok, got, tt.want)
		}
	}
}
