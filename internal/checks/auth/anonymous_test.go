package auth

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/checktest"
)

type pageFn = func(http.ResponseWriter, *http.Request, bool)

func TestProtectedPages(t *testing.T) {
	member := func(w http.ResponseWriter, r *http.Request, authed bool) bool {
		if authed {
			checktest.MemberPage(w, "Billing")
		}
		return authed
	}
	tests := []struct {
		name    string
		billing pageFn
		want    check.Status
		detail  string
	}{
		{"redirect to login", checktest.RedirectOrPage("Billing"), check.Pass, ""},
		{"401", func(w http.ResponseWriter, r *http.Request, authed bool) {
			if !member(w, r, authed) {
				http.Error(w, "Unauthorized", http.StatusUnauthorized)
			}
		}, check.Pass, ""},
		{"login page served with 200", func(w http.ResponseWriter, r *http.Request, authed bool) {
			if !member(w, r, authed) {
				fmt.Fprint(w, checktest.LoginPage)
			}
		}, check.Pass, ""},
		{"catch-all home page with 200", func(w http.ResponseWriter, r *http.Request, authed bool) {
			if !member(w, r, authed) {
				fmt.Fprint(w, `<html><body><h1>Welcome to the community</h1><a href="/login">Sign in</a></body></html>`)
			}
		}, check.Pass, ""},
		{"teaser repeating the heading only", func(w http.ResponseWriter, r *http.Request, authed bool) {
			if !member(w, r, authed) {
				fmt.Fprint(w, `<html><body><h1>Billing</h1><p>Sign in to see your invoices.</p></body></html>`)
			}
		}, check.Pass, ""},
		{"member content for everyone", func(w http.ResponseWriter, r *http.Request, authed bool) {
			checktest.MemberPage(w, "Billing")
		}, check.Fail, "carries"},
		{"302 whose body still carries the page", func(w http.ResponseWriter, r *http.Request, authed bool) {
			if !authed {
				w.Header().Set("Location", "/login")
				w.WriteHeader(http.StatusFound)
			}
			checktest.MemberPage(w, "Billing")
		}, check.Fail, "redirect to"},
		{"member content with 403 status", func(w http.ResponseWriter, r *http.Request, authed bool) {
			if !authed {
				w.WriteHeader(http.StatusForbidden)
			}
			checktest.MemberPage(w, "Billing")
		}, check.Fail, "status 403"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			portal := &checktest.Portal{
				SetCookies: []string{"sid=member-session-1; Path=/; Secure; HttpOnly"},
				Authed:     func(r *http.Request) bool { return checktest.HasCookie(r, "sid", "member-session-1") },
				Pages: map[string]pageFn{
					"/dashboard": checktest.RedirectOrPage("Dashboard"),
					"/billing":   tt.billing,
				},
			}
			_, yaml := checktest.TLSServer(t, portal)
			env := checktest.Env(t, yaml+strings.Replace(checktest.Accounts, "[/dashboard]", "[/dashboard, /billing]", 1))
			r := checktest.Run(t, ProtectedPages{}, env)
			if r.Status != tt.want {
				t.Fatalf("status %s (%s), want %s", r.Status, r.Summary, tt.want)
			}
			if tt.want == check.Fail {
				ev := r.Evidence[0]
				if !strings.Contains(ev.Request, "/billing") || !strings.Contains(ev.Detail, tt.detail) || !strings.HasPrefix(ev.Repro, "curl ") {
					t.Errorf("evidence: %+v", ev)
				}
				if !strings.Contains(r.Summary, "/billing") || strings.Contains(r.Summary, "/dashboard") {
					t.Errorf("summary: %s", r.Summary)
				}
			}
		})
	}
}

func TestProtectedPagesCannotTellIsError(t *testing.T) {
	// The "protected" page shows members exactly what the public home shows:
	// access cannot be told from refusal, so the check must not pass.
	home := func(w http.ResponseWriter, r *http.Request, authed bool) {
		fmt.Fprint(w, `<html><body><h1>Welcome to the community</h1><a href="/login">Sign in</a></body></html>`)
	}
	portal := &checktest.Portal{
		SetCookies: []string{"sid=member-session-1; Path=/"},
		Authed:     func(r *http.Request) bool { return true },
		Pages:      map[string]pageFn{"/dashboard": home},
	}
	_, yaml := checktest.TLSServer(t, portal)
	env := checktest.Env(t, yaml+checktest.Accounts)
	if r := checktest.Run(t, ProtectedPages{}, env); r.Status != check.Error {
		t.Fatalf("status %s (%s), want ERROR", r.Status, r.Summary)
	}
}

func TestProtectedPagesSessionLost(t *testing.T) {
	// Login "works" (the success page renders) but the protected page sends
	// the member back to the login form: ERROR, never PASS.
	portal := &checktest.Portal{
		SetCookies: []string{"sid=member-session-1; Path=/"},
		Authed:     func(r *http.Request) bool { return checktest.HasCookie(r, "sid", "member-session-1") },
		Pages: map[string]pageFn{
			"/dashboard": checktest.RedirectOrPage("Dashboard"),
			"/billing":   func(w http.ResponseWriter, r *http.Request, _ bool) { http.Redirect(w, r, "/login", http.StatusFound) },
		},
	}
	_, yaml := checktest.TLSServer(t, portal)
	env := checktest.Env(t, yaml+strings.Replace(checktest.Accounts, "[/dashboard]", "[/dashboard, /billing]", 1))
	r := checktest.Run(t, ProtectedPages{}, env)
	if r.Status != check.Error || !strings.Contains(r.Reason, "/billing") {
		t.Fatalf("status %s (%s), want ERROR naming /billing", r.Status, r.Reason)
	}
}
