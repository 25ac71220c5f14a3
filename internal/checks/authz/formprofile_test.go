package authz

import (
	"context"
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

// htmlProfilePortal has an HTML-only profile (a form at /account, read back
// as the same page: no JSON shows the role) and an admin area /admin that
// lists the members to admins and sends everyone else to their dashboard.
// With roleFromBody the profile form also binds role, which /admin then
// honours.
type htmlProfilePortal struct {
	roleFromBody bool
	mu           sync.Mutex
	roles, names map[string]string
}

func (p *htmlProfilePortal) portal() *checktest.Portal {
	p.roles = map[string]string{"a": "member", "b": "member", "admin": "admin"}
	p.names = map[string]string{"a": "Alice Anders", "b": "Bob Brandt", "admin": "Ada Admin"}
	me := func(r *http.Request) string {
		c, err := r.Cookie("sid")
		if err != nil || p.roles[strings.TrimPrefix(c.Value, "s-")] == "" {
			return ""
		}
		return strings.TrimPrefix(c.Value, "s-")
	}
	return &checktest.Portal{
		OnLogin: func(w http.ResponseWriter, r *http.Request) {
			who, _, _ := strings.Cut(r.PostForm.Get("email"), "@")
			http.SetCookie(w, &http.Cookie{Name: "sid", Value: "s-" + who, Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
		},
		Authed: func(r *http.Request) bool { return me(r) != "" },
		Pages: map[string]func(http.ResponseWriter, *http.Request, bool){
			"/dashboard": func(w http.ResponseWriter, r *http.Request, authed bool) {
				if !authed {
					http.Redirect(w, r, "/login", http.StatusFound)
					return
				}
				p.mu.Lock()
				defer p.mu.Unlock()
				fmt.Fprintf(w, `<html><body><h1>Dashboard</h1><p>Welcome, <b>%s</b></p><p>Plan: Community Pro</p></body></html>`, p.names[me(r)])
			},
			"/admin": func(w http.ResponseWriter, r *http.Request, authed bool) {
				p.mu.Lock()
				defer p.mu.Unlock()
				switch who := me(r); {
				case who == "":
					http.Redirect(w, r, "/login", http.StatusFound)
				case p.roles[who] != "admin":
					http.Redirect(w, r, "/dashboard", http.StatusFound)
				default:
					fmt.Fprint(w, `<html><body><h1>Members</h1><table><tr><td>Alice Anders</td><td>a@portal.test</td></tr>`+
						`<tr><td>Bob Brandt</td><td>b@portal.test</td></tr><tr><td>Ada Admin</td><td>admin@portal.test</td></tr></table></body></html>`)
				}
			},
			"/account": func(w http.ResponseWriter, r *http.Request, authed bool) {
				if !authed {
					http.Redirect(w, r, "/login", http.StatusFound)
					return
				}
				p.mu.Lock()
				defer p.mu.Unlock()
				who := me(r)
				if r.Method == http.MethodPost {
					if r.FormValue("_csrf") != formCSRF {
						http.Error(w, "invalid csrf token", http.StatusForbidden)
						return
					}
					p.names[who] = r.FormValue("name")
					if v := r.FormValue("role"); p.roleFromBody && v != "" {
						p.roles[who] = v
					}
					http.Redirect(w, r, "/account", http.StatusSeeOther)
					return
				}
				fmt.Fprintf(w, `<html><body><h1>Your account</h1><p>Signed in as %s</p><form method="post" action="/account">`+
					`<input type="hidden" name="_csrf" value="%s"><input name="name" value="%s"><button>Save</button></form></body></html>`,
					who+"@portal.test", formCSRF, p.names[who])
			},
		},
	}
}

// TestHTMLProfileJudgedByEffect: a profile that reads back only as HTML
// is judged by what a role would open: member a stays refused at /admin
// after every escalating update (PASS), or opens it (FAIL); member a's
// name is put back either way. On today's code: ERROR, nothing judged.
func TestHTMLProfileJudgedByEffect(t *testing.T) {
	for _, tc := range []struct {
		roleFromBody bool
		want         check.Status
		in           string
	}{
		{false, check.Pass, "member a was still refused the admin's content at /admin after each"},
		{true, check.Fail, "it then opened /admin with the admin's content"},
	} {
		p := &htmlProfilePortal{roleFromBody: tc.roleFromBody}
		_, yaml := checktest.TLSServer(t, p.portal())
		env := checktest.Env(t, yaml+checktest.Accounts+"  admin: {email: admin@portal.test, password: env:A}\nadmin: [/admin]\n"+
			"profile: {path: /account, method: POST, form: {name: \"{{canary}}\"}, read: /account}\n")
		checktest.Intrusive(env)
		r := checktest.Run(t, MassAssignment{}, env)
		if r.Status != tc.want || !strings.Contains(r.Summary, tc.in) {
			t.Errorf("roleFromBody=%v: AUTHZ-006 = %s (%s), want %s saying %q", tc.roleFromBody, r.Status, r.Summary, tc.want, tc.in)
		}
		if left := env.RunDeferred(context.Background()); len(left) != 0 {
			t.Errorf("left behind: %v", left)
		}
		p.mu.Lock()
		if p.names["a"] != "Alice Anders" {
			t.Errorf("member a's name left as %q", p.names["a"])
		}
		p.mu.Unlock()
	}
}
