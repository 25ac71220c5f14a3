package journey

import (
	"regexp"
	"strings"
	"testing"
)

func TestLinkToken(t *testing.T) {
	for _, tc := range []struct {
		link, pattern, want, err string
	}{
		// PocketBase: the dashboard's hash route.
		{"https://pb.example.com/_/#/auth/confirm-verification/eyJhbGc.eyJpZCI.sig", "", "eyJhbGc.eyJpZCI.sig", ""},
		{"https://app.example.com/verify?token=abc123&next=/", "", "abc123", ""},
		{"https://app.example.com/#/reset?token=frag-q", "", "frag-q", ""},
		// Django allauth and the like: the key is the path's last segment.
		{"https://app.example.com/accounts/confirm-email/MQ:1tW:xyz/", "", "MQ:1tW:xyz", ""},
		{"https://app.example.com/auth/reset/?code=9&key=k", `[?&]key=([^&]+)`, "k", ""},
		{"https://app.example.com/", "", "", "holds no token"},
		{"https://app.example.com/x", `code=(\d+)`, "", "does not match the token pattern"},
	} {
		var re *regexp.Regexp
		if tc.pattern != "" {
			re = regexp.MustCompile(tc.pattern)
		}
		got, err := LinkToken(tc.link, re)
		if got != tc.want || (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("LinkToken(%q, %q) = %q, %v; want %q, %q", tc.link, tc.pattern, got, err, tc.want, tc.err)
		}
	}
}

func TestTagOf(t *testing.T) {
	for in, want := range map[string]string{"qa+lr1a2b@example.com": "lr1a2b", "a@example.com": "", "a+b+c@x.y": "c"} {
		if got := TagOf(in); got != want {
			t.Errorf("TagOf(%q) = %q, want %q", in, got, want)
		}
	}
}
