package journey

import (
	"strings"
	"testing"
)

func TestParseSetCookie(t *testing.T) {
	tests := []struct {
		raw     string
		ok      bool
		name    string
		value   string
		flags   []string
		deletes bool
	}{
		{"pm=abc; Path=/; Secure; HttpOnly; SameSite=Lax", true, "pm", "abc", []string{"secure", "httponly", "samesite", "path"}, false},
		{`q="quoted"; secure`, true, "q", "quoted", []string{"secure"}, false},
		{"gone=; Max-Age=0", true, "gone", "", nil, true},
		{"old=x; Max-Age=-1", true, "old", "x", nil, true},
		{"=novalue", false, "", "", nil, false},
		{"noequals", false, "", "", nil, false},
		{"a=b;;; ; HTTPONLY", true, "a", "b", []string{"httponly"}, false},
	}
	for _, tt := range tests {
		c, ok := ParseSetCookie(tt.raw)
		if ok != tt.ok {
			t.Errorf("%q: ok = %v", tt.raw, ok)
			continue
		}
		if !ok {
			continue
		}
		if c.Name != tt.name || c.Value != tt.value || c.deletes() != tt.deletes {
			t.Errorf("%q: got %q=%q deletes=%v", tt.raw, c.Name, c.Value, c.deletes())
		}
		for _, f := range tt.flags {
			if !c.Has(f) {
				t.Errorf("%q: missing %s", tt.raw, f)
			}
		}
	}
}

func FuzzParseSetCookie(f *testing.F) {
	f.Add("pm=abc; Path=/; Secure; HttpOnly; SameSite=Lax")
	f.Add(";;=;")
	f.Fuzz(func(t *testing.T, raw string) {
		c, ok := ParseSetCookie(raw)
		if ok && (c.Name == "" || strings.Contains(c.Name, ";")) {
			t.Fatalf("bad name %q from %q", c.Name, raw)
		}
	})
}
