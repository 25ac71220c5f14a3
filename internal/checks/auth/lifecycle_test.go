package auth

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/checks/journey"
	"github.com/launchready/launchready/internal/checktest"
)

// stateful is a portal with server-side sessions and switchable flaws.
type stateful struct {
	mu          *sync.Mutex
	live        map[string]bool // session id -> logged in
	keepOnOut   bool            // logout only clears the cookie
	noRotation  bool            // login keeps the pre-login id (or a planted one)
	openNext    bool            // honour any next/redirect_to/returnTo
	backslashes bool            // honour only /\host spellings (a partial fix)
}

func (s *stateful) portal() *checktest.Portal {
	s.mu = &sync.Mutex{}
	s.live = map[string]bool{}
	return &checktest.Portal{
		PreLogin: []string{"sid=pre-" + journey.RandomToken() + "; Path=/; Secure; HttpOnly; SameSite=Lax"},
		OnLogin: func(w http.ResponseWriter, r *http.Request) {
			s.mu.Lock()
			defer s.mu.Unlock()
			if c, err := r.Cookie("sid"); err == nil && s.noRotation {
				s.live[c.Value] = true
				return
			}
			id := "s-" + journey.RandomToken()
			s.live[id] = true
			http.SetCookie(w, &http.Cookie{Name: "sid", Value: id, Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
		},
		OnLogout: func(w http.ResponseWriter, r *http.Request) {
			s.mu.Lock()
			defer s.mu.Unlock()
			if c, err := r.Cookie("sid"); err == nil && !s.keepOnOut {
				delete(s.live, c.Value)
			}
			http.SetCookie(w, &http.Cookie{Name: "sid", Value: "", Path: "/", MaxAge: -1})
			http.Redirect(w, r, "/", http.StatusSeeOther)
		},
		Authed: func(r *http.Request) bool {
			s.mu.Lock()
			defer s.mu.Unlock()
			c, err := r.Cookie("sid")
			return err == nil && s.live[c.Value]
		},
		Next: func(r *http.Request) string {
			for _, p := range []string{"next", "redirect_to", "returnTo"} {
				v := r.FormValue(p)
				switch {
				case v == "":
				case s.openNext:
					return v
				case s.backslashes && strings.HasPrefix(v, `/\`):
					return v
				case strings.HasPrefix(v, "/") && !strings.HasPrefix(v, "//") && !strings.HasPrefix(v, `/\`):
					return v
				}
			}
			return "/dashboard"
		},
		Pages: map[string]pageFn{"/dashboard": checktest.RedirectOrPage("Dashboard")},
	}
}

const withLogout = "  logout: {path: /logout}\n"

func TestLifecycleChecks(t *testing.T) {
	tests := []struct {
		name  string
		flaws stateful
		check check.Check
		want  check.Status
		in    string
	}{
		{"logout kills the session", stateful{}, Logout{}, check.Pass, ""},
		{"logout only clears the cookie", stateful{keepOnOut: true}, Logout{}, check.Fail, "still open /dashboard"},
		{"login rotates the id", stateful{}, Rotation{}, check.Pass, ""},
		{"login keeps the pre-login id", stateful{noRotation: true}, Rotation{}, check.Fail, "kept the same value"},
		{"only local next accepted", stateful{}, OpenRedirect{}, check.Pass, ""},
		{"any next accepted", stateful{openNext: true}, OpenRedirect{}, check.Fail, "Location: https://" + evilHost},
		{"backslash spelling slips through", stateful{backslashes: true}, OpenRedirect{}, check.Fail, `Location: /\` + evilHost},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, yaml := checktest.TLSServer(t, tt.flaws.portal())
			acc := strings.Replace(checktest.Accounts, "  protected:", withLogout+"  protected:", 1)
			env := checktest.Env(t, yaml+acc)
			r := checktest.Run(t, tt.check, env)
			if r.Status != tt.want {
				t.Fatalf("%s = %s (%s), want %s", tt.check.Meta().ID, r.Status, r.Summary, tt.want)
			}
			if tt.want == check.Fail {
				all := ""
				for _, ev := range r.Evidence {
					all += ev.Detail + "\n"
					if !strings.HasPrefix(ev.Repro, "curl ") {
						t.Errorf("evidence without repro: %+v", ev)
					}
					if strings.Contains(ev.Repro+ev.Detail, checktest.Password) {
						t.Error("password in evidence")
					}
				}
				if !strings.Contains(all, tt.in) {
					t.Errorf("evidence lacks %q:\n%s", tt.in, all)
				}
			}
		})
	}
}
