package session

import (
	"net/http"
	"strings"
	"testing"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/checktest"
)

const strong = "; Path=/; Secure; HttpOnly; SameSite=Lax"

func TestCookieFlagChecks(t *testing.T) {
	tests := []struct {
		name    string
		cookies []string
		authed  func(r *http.Request) bool
		// want maps check ID to status; a non-empty name must appear in a FAIL summary.
		want     map[string]check.Status
		failName string
	}{
		{
			name:    "strong session cookie, weak decoys are not flagged",
			cookies: []string{"zq=s3ss10n-value" + strong, "ui_theme=light; Path=/", "lang=en-gb; Path=/"},
			authed:  func(r *http.Request) bool { return checktest.HasCookie(r, "zq", "s3ss10n-value") },
			want:    map[string]check.Status{"SESS-001": check.Pass, "SESS-002": check.Pass, "SESS-003": check.Pass},
		},
		{
			name:     "session cookie without HttpOnly, named like nothing",
			cookies:  []string{"p=abcdef123456; Path=/; Secure; SameSite=Strict", "sessionid=decoy-not-used" + strong},
			authed:   func(r *http.Request) bool { return checktest.HasCookie(r, "p", "abcdef123456") },
			want:     map[string]check.Status{"SESS-001": check.Pass, "SESS-002": check.Fail, "SESS-003": check.Pass},
			failName: "p",
		},
		{
			name:     "SameSite=None and missing Secure",
			cookies:  []string{"k=abcdef123456; Path=/; HttpOnly; SameSite=None"},
			authed:   func(r *http.Request) bool { return checktest.HasCookie(r, "k", "abcdef123456") },
			want:     map[string]check.Status{"SESS-001": check.Fail, "SESS-002": check.Pass, "SESS-003": check.Fail},
			failName: "k",
		},
		{
			name:    "session split over two cookies, both needed",
			cookies: []string{"s1=first-half-xyz" + strong, "s2=second-half-xyz; Path=/; HttpOnly; SameSite=Lax"},
			authed: func(r *http.Request) bool {
				return checktest.HasCookie(r, "s1", "first-half-xyz") && checktest.HasCookie(r, "s2", "second-half-xyz")
			},
			want:     map[string]check.Status{"SESS-001": check.Fail, "SESS-002": check.Pass, "SESS-003": check.Pass},
			failName: "s2",
		},
		{
			name:    "either of two cookies suffices (migration), the legacy one is weak",
			cookies: []string{"new=new-session-1" + strong, "legacy=old-session-1; Path=/"},
			authed: func(r *http.Request) bool {
				return checktest.HasCookie(r, "new", "new-session-1") || checktest.HasCookie(r, "legacy", "old-session-1")
			},
			want:     map[string]check.Status{"SESS-001": check.Fail, "SESS-002": check.Fail, "SESS-003": check.Fail},
			failName: "legacy",
		},
		{
			name:    "access needs more than cookies: cannot identify",
			cookies: []string{"c=cookie-value-1" + strong},
			authed:  func(r *http.Request) bool { return r.Header.Get("X-Device") == "1" },
			want:    map[string]check.Status{"SESS-001": check.Error, "SESS-002": check.Error, "SESS-003": check.Error},
		},
		{
			name:    "login sets no cookie",
			cookies: nil,
			authed:  func(r *http.Request) bool { return true },
			want:    map[string]check.Status{"SESS-001": check.Error},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			portal := &checktest.Portal{
				SetCookies: tt.cookies,
				Authed:     tt.authed,
				Pages:      map[string]func(http.ResponseWriter, *http.Request, bool){"/dashboard": checktest.RedirectOrPage("Dashboard")},
			}
			_, yaml := checktest.TLSServer(t, portal)
			env := checktest.Env(t, yaml+checktest.Accounts)
			for _, c := range []check.Check{Secure(), HTTPOnly(), SameSite()} {
				want, ok := tt.want[c.Meta().ID]
				if !ok {
					continue
				}
				r := checktest.Run(t, c, env)
				if r.Status != want {
					t.Errorf("%s = %s (%s), want %s", c.Meta().ID, r.Status, r.Summary, want)
				}
				if r.Status == check.Fail {
					if !strings.Contains(r.Summary, tt.failName) || len(r.Evidence) == 0 || !strings.HasPrefix(r.Evidence[0].Repro, "curl ") {
						t.Errorf("%s FAIL summary/evidence: %q %+v", c.Meta().ID, r.Summary, r.Evidence)
					}
					for _, ev := range r.Evidence {
						if strings.Contains(ev.Detail+ev.Repro, checktest.Password) {
							t.Errorf("password leaked in evidence: %+v", ev)
						}
						for _, c := range tt.cookies {
							v := strings.SplitN(strings.SplitN(c, ";", 2)[0], "=", 2)[1]
							if strings.Contains(ev.Detail+ev.Repro, v) {
								t.Errorf("cookie value %q leaked in evidence: %+v", v, ev)
							}
						}
					}
				}
			}
		})
	}
}

func TestLoginFailureIsErrorNotPass(t *testing.T) {
	portal := &checktest.Portal{
		SetCookies: []string{"zq=s3ss10n-value" + strong},
		Authed:     func(r *http.Request) bool { return checktest.HasCookie(r, "zq", "s3ss10n-value") },
		Pages:      map[string]func(http.ResponseWriter, *http.Request, bool){"/dashboard": checktest.RedirectOrPage("Dashboard")},
	}
	_, yaml := checktest.TLSServer(t, portal)
	portal.RejectLogin = true
	env := checktest.Env(t, yaml+checktest.Accounts)
	r := checktest.Run(t, Secure(), env)
	if r.Status != check.Error || !strings.Contains(r.Reason, "login as a") {
		t.Fatalf("got %s (%s), want ERROR naming the failed login", r.Status, r.Reason)
	}
}

// TestPlatformSessionCookies: Supabase's and Clerk's script-readable
// session cookies are their platforms' design, a WARN naming the
// compensating control (and whether the portal has it), not a FAIL; a
// look-alike name is still a FAIL.
func TestPlatformSessionCookies(t *testing.T) {
	const weak = "; Path=/; Secure; SameSite=Lax"
	for _, tt := range []struct {
		name, cookie, csp string
		want              check.Status
		wantIn            string
	}{
		{"supabase ssr chunk, no CSP", "sb-abcdefghijklmnopqrst-auth-token.0=base64-eyJhY2Nlc3NfdG9rZW4iOiJ4In0", "", check.Warn,
			"no Content-Security-Policy that stops injected scripts"},
		{"clerk __session, strict CSP", "__session=eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyXzEifQ.c2ln", "default-src 'self'; object-src 'none'", check.Warn,
			"sends a Content-Security-Policy that stops injected scripts"},
		{"clerk __session, CSP with unsafe-inline", "__session_Xy12=eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyXzIifQ.c2ln", "script-src 'self' 'unsafe-inline'", check.Warn,
			"does not stop injected scripts"},
		{"look-alike name is the portal's own cookie", "sb_session=abcdef123456", "", check.Fail, "sb_session"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			name, value, _ := strings.Cut(tt.cookie, "=")
			portal := &checktest.Portal{
				SetCookies: []string{tt.cookie + weak},
				Authed:     func(r *http.Request) bool { return checktest.HasCookie(r, name, value) },
				Pages: map[string]func(http.ResponseWriter, *http.Request, bool){"/dashboard": func(w http.ResponseWriter, r *http.Request, authed bool) {
					if tt.csp != "" {
						w.Header().Set("Content-Security-Policy", tt.csp)
					}
					checktest.RedirectOrPage("Dashboard")(w, r, authed)
				}},
			}
			_, yaml := checktest.TLSServer(t, portal)
			env := checktest.Env(t, yaml+checktest.Accounts)
			r := checktest.Run(t, HTTPOnly(), env)
			if r.Status != tt.want || !strings.Contains(r.Summary, tt.wantIn) {
				t.Fatalf("SESS-002 = %s (%s), want %s containing %q", r.Status, r.Summary, tt.want, tt.wantIn)
			}
			if tt.want == check.Warn {
				if len(r.Evidence) == 0 || !strings.Contains(r.Evidence[0].Detail, "compensating control") {
					t.Errorf("WARN evidence does not name the compensating control: %+v", r.Evidence)
				}
				for _, ev := range r.Evidence {
					if strings.Contains(ev.Detail+ev.Repro, value) {
						t.Errorf("cookie value leaked in evidence: %+v", ev)
					}
				}
			}
			// The other flags are judged as for any cookie.
			if s := checktest.Run(t, Secure(), env); s.Status != check.Pass {
				t.Errorf("SESS-001 = %s (%s)", s.Status, s.Summary)
			}
		})
	}
}
