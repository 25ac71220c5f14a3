package config

import (
	"strings"
	"testing"
)

func TestHasKey(t *testing.T) {
	for path, want := range map[string]bool{
		"target.url":                true,
		"target.timeouts.scan":      true,
		"target.headers.X-Key":      true,
		"auth.login":                true,
		"auth.login.path":           true,
		"auth.supabase":             true,
		"auth.firebase":             true,
		"auth.recorded.a":           true,
		"accounts.a":                true,
		"accounts.admin.login.path": true,
		"objects":                   true,
		"objects[].create":          true,
		"objects[].create.path":     true,
		"source.ci_logs":            true,
		"":                          false,
		"auth.form":                 false,
		"session.cookie":            false,
		"objects.create":            false,
		"objects[]":                 true,
		"auth[].login":              false,
		"target.url.host":           false,
		"accounts.a.password.ref":   false,
		"auth.logout.none":          false,
		"accounts..a":               false,
	} {
		if got := HasKey(path); got != want {
			t.Errorf("HasKey(%q) = %v, want %v", path, got, want)
		}
	}
}

// TestNeedConfigKeysAreKeys: what `launchready checks` shows for every
// need is a key of the config (with the value it needs, for
// session.kind=cookie).
func TestNeedConfigKeysAreKeys(t *testing.T) {
	for _, need := range NeedKeys() {
		key, _, _ := strings.Cut(NeedConfigKeys(need), "=")
		if !HasKey(key) {
			t.Errorf("need %s is shown as %q, which is no config key", need, NeedConfigKeys(need))
		}
	}
}
