package authz

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/checktest"
)

// formProfilePortal keeps member a's profile behind an HTML form at
// /account carrying a CSRF token in a hidden field, as csurf or Django
// render it; a POST without the token is refused 403. /api/me reads the
// profile back as JSON. With roleFromBody the update also binds role.
type formProfilePortal struct {
	roleFromBody bool
	mu           sync.Mutex
	name, role   string
	refused      int
}

const formCSRF = "csrf-7f3a9d"

func (p *formProfilePortal) portal() *checktest.Portal {
	p.name, p.role = "Alice Anders", "member"
	return &checktest.Portal{
		SetCookies: []string{"sid=member-a; Path=/; Secure; HttpOnly; SameSite=Lax"},
		Authed:     func(r *http.Request) bool { return checktest.HasCookie(r, "sid", "member-a") },
		Pages: map[string]func(http.ResponseWriter, *http.Request, bool){
			"/dashboard": checktest.RedirectOrPage("Dashboard"),
			"/account": func(w http.ResponseWriter, r *http.Request, authed bool) {
				if !authed {
					http.Redirect(w, r, "/login", http.StatusFound)
					return
				}
				p.mu.Lock()
				defer p.mu.Unlock()
				if r.Method == http.MethodPost {
					if r.FormValue("_csrf") != formCSRF {
						p.refused++
						http.Error(w, "invalid csrf token", http.StatusForbidden)
						return
					}
					p.name = r.FormValue("name")
					if v := r.FormValue("role"); p.roleFromBody && v != "" {
						p.role = v
					}
					http.Redirect(w, r, "/account", http.StatusSeeOther)
					return
				}
				fmt.Fprintf(w, `<html><body><h1>Your account</h1><form method="post" action="/account"><input type="hidden" name="_csrf" value="%s">`+
					`<input name="name" value="%s"><button>Save</button></form></body></html>`, formCSRF, p.name)
			},
			"/api/me": func(w http.ResponseWriter, r *http.Request, authed bool) {
				if !authed {
					http.Error(w, "{}", http.StatusUnauthorized)
					return
				}
				p.mu.Lock()
				defer p.mu.Unlock()
				w.Header().Set("Content-Type", "application/json")
				json.NewEncoder(w).Encode(map[string]string{"name": p.name, "role": p.role})
			},
		},
	}
}

// TestFormProfileCarriesTheCSRFField: a profile update by form is sent
// with the form's hidden fields, as a browser sends it, so a portal that
// checks a CSRF token judges the role fields instead of refusing every
// request (on today's code: 403 for each, and no verdict on the role).
func TestFormProfileCarriesTheCSRFField(t *testing.T) {
	for _, tc := range []struct {
		roleFromBody bool
		want         check.Status
	}{{false, check.Pass}, {true, check.Fail}} {
		p := &formProfilePortal{roleFromBody: tc.roleFromBody}
		_, yaml := checktest.TLSServer(t, p.portal())
		env := checktest.Env(t, yaml+checktest.Accounts+"profile: {path: /account, method: POST, form: {name: \"{{canary}}\"}, read: /api/me}\n")
		checktest.Intrusive(env)
		r := checktest.Run(t, MassAssignment{}, env)
		if r.Status != tc.want || p.refused > 0 {
			t.Errorf("roleFromBody=%v: AUTHZ-006 = %s (%s), want %s; %d updates refused for their CSRF token", tc.roleFromBody, r.Status, r.Summary, tc.want, p.refused)
		}
		if tc.want == check.Fail && !strings.Contains(evidenceText(r), `role = "admin"`) {
			t.Errorf("no read-back proof:\n%s", evidenceText(r))
		}
	}
}
