package client

import (
	"net/url"
	"strings"
	"testing"
)

func TestScopeAllows(t *testing.T) {
	scope, err := ParseScope([]string{
		"portal.test", "api.portal.test:8443", "https://firestore.example.com/v1/projects/p1/",
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		url  string
		want bool
	}{
		{"https://portal.test/", true},
		{"http://portal.test:8080/x", true},
		{"https://PORTAL.test./x", true},
		{"https://www.portal.test/", false},
		{"https://evilportal.test/", false},
		{"https://portal.test.evil.example/", false},
		{"https://api.portal.test:8443/v1", true},
		{"https://api.portal.test/v1", false},
		{"http://api.portal.test:8444/", false},
		{"https://firestore.example.com/v1/projects/p1/databases", true},
		{"https://firestore.example.com/v1/projects/p1", true},
		{"https://firestore.example.com/v1/projects/p2/databases", false},
		{"https://firestore.example.com/v1/projects/p1/../p2/x", false},
		{"https://firestore.example.com/v1/projects/p1/%2e%2e/p2", false},
		{"https://firestore.example.com/v1/projects/p1%2f..%2fp2", false},
		// Forms servers decode into a dot segment or a cut path.
		{"https://firestore.example.com/v1/projects/p1/..;/p2/x", false},
		{"https://firestore.example.com/v1/projects/p1/..%3b/p2/x", false},
		{"https://firestore.example.com/v1/projects/p1/%252e%252e/p2/x", false},
		{"https://firestore.example.com/v1/projects/p1/x%00/../../p2", false},
		{"https://firestore.example.com/v1/projects/p1/%c0%ae%c0%ae/p2/x", false},
		{"https://firestore.example.com/v1/projects/p1/%e0%80%ae%e0%80%ae/p2/x", false},
		{"https://firestore.example.com/v1/projects/p1/docs;jsessionid=1", false},
		{"https://firestore.example.com/v1/projects/p1/caf%C3%A9%20x", true},
		{"http://firestore.example.com/v1/projects/p1/x", false},
		{"https://firestore.example.com:444/v1/projects/p1/x", false},
		{"ftp://portal.test/", false},
		{"https://127.0.0.2/", false},
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.url)
		if err != nil {
			t.Fatalf("%s: %v", tt.url, err)
		}
		if got := scope.Allows(u); got != tt.want {
			t.Errorf("Allows(%s) = %v, want %v", tt.url, got, tt.want)
		}
	}
}

func TestParseScopeRejects(t *testing.T) {
	for _, bad := range []string{"", "*.portal.test", "portal.test/path", "ftp://x/", "https:///nohost"} {
		if _, err := ParseScope([]string{bad}); err == nil {
			t.Errorf("ParseScope(%q) accepted", bad)
		}
	}
}

func FuzzScopeAllows(f *testing.F) {
	f.Add("https://portal.test/a/../b")
	f.Add("https://firestore.example.com/v1/projects/p1/x")
	f.Add("http://[::1]:80/")
	scope, err := ParseScope([]string{"portal.test", "https://firestore.example.com/v1/projects/p1/"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := url.Parse(raw)
		if err != nil {
			return
		}
		if !scope.Allows(u) {
			return
		}
		h := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
		if h != "portal.test" && h != "firestore.example.com" {
			t.Fatalf("allowed %q (host %q)", raw, h)
		}
		if h == "firestore.example.com" && (u.Scheme != "https" || strings.Contains(u.EscapedPath(), "..") || !strings.HasPrefix(u.EscapedPath(), "/v1/projects/p1")) {
			t.Fatalf("allowed %q outside the prefix", raw)
		}
	})
}
