package auth

import (
	"net/http"
	"testing"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/checktest"
)

func TestMixedAuth(t *testing.T) {
	const flags = "; Path=/; Secure; HttpOnly; SameSite=Lax"
	tests := []struct {
		name    string
		cookies []string
		authed  func(r *http.Request) bool
		want    check.Status
	}{
		{"one session cookie", []string{"sid=one-session-1" + flags, "lang=en-gb; Path=/"},
			func(r *http.Request) bool { return checktest.HasCookie(r, "sid", "one-session-1") }, check.Pass},
		{"two cookies each open the page", []string{"sid=one-session-1" + flags, "next-auth.session-token=other-session-2" + flags},
			func(r *http.Request) bool {
				return checktest.HasCookie(r, "sid", "one-session-1") || checktest.HasCookie(r, "next-auth.session-token", "other-session-2")
			}, check.Fail},
		{"cookies of two libraries", []string{"connect.sid=one-session-1" + flags, "sb-proj-auth-token=leftover-2" + flags},
			func(r *http.Request) bool { return checktest.HasCookie(r, "connect.sid", "one-session-1") }, check.Fail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &checktest.Portal{SetCookies: tt.cookies, Authed: tt.authed,
				Pages: map[string]pageFn{"/dashboard": checktest.RedirectOrPage("Dashboard")}}
			_, yaml := checktest.TLSServer(t, p)
			r := checktest.Run(t, MixedAuth{}, checktest.Env(t, yaml+checktest.Accounts))
			if r.Status != tt.want {
				t.Fatalf("AUTH-008 = %s (%s), want %s", r.Status, r.Summary, tt.want)
			}
			if r.Status == check.Fail && len(r.Evidence) == 0 {
				t.Error("FAIL without evidence")
			}
		})
	}
}
