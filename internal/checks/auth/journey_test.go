package auth

import (
	"net/url"
	"testing"
)

func TestLinkProblem(t *testing.T) {
	canon, _ := url.Parse("https://portal.test:8443")
	tests := []struct {
		link   string
		action bool
		bad    bool
	}{
		{"https://portal.test:8443/verify?token=x", true, false},
		{"http://localhost:3000/verify?token=x", true, true},
		{"https://localhost/verify", false, true},
		{"https://app.localhost/verify", false, true},
		{"https://127.0.0.1:8443/verify", false, true},
		{"https://10.0.0.5/verify", false, true},
		{"http://portal.test:8443/verify", true, true},
		{"https://www.portal.test:8443/verify", true, true},
		{"https://portal.test/verify", true, true},
		{"https://twitter.example/portal", false, false},
		{"http://newsletter.example/unsubscribe", false, true},
	}
	for _, tt := range tests {
		if got := linkProblem(tt.link, canon, tt.action); (got != "") != tt.bad {
			t.Errorf("linkProblem(%s, action=%v) = %q, want bad=%v", tt.link, tt.action, got, tt.bad)
		}
	}
}
