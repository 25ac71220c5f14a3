package scan

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/checks/auth"
	"github.com/launchready/launchready/internal/config"
)

// policyPortal is a member portal with a signup whose password policy the
// test chooses. After a signup it accepts, it redirects to its login page
// (a page with a password field: what AUTH-009 once read as a refusal);
// one it refuses shows the signup form again with 422.
type policyPortal struct {
	refuseWeak bool

	mu       sync.Mutex
	accounts map[string]string // email -> password
	sessions map[string]string // sid -> email
}

// commonShape is the shape of the breached passwords AUTH-009 tries
// (letters then digits): this portal's breached-password check.
var commonShape = regexp.MustCompile(`^[a-z]*[0-9]+$`)

const (
	signupForm = `<html><body><form method="post" action="/signup"><input name="email"><input type="password" name="password">` +
		`<button>Sign up</button></form></body></html>`
	loginForm = `<html><body><p>Log in to continue.</p><form method="post" action="/login"><input name="email">` +
		`<input type="password" name="password"><button>Log in</button></form></body></html>`
)

func (p *policyPortal) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	sid := ""
	if c, err := r.Cookie("sid"); err == nil {
		sid = c.Value
	}
	email, authed := p.sessions[sid]
	switch r.Method + " " + r.URL.Path {
	case "GET /signup":
		fmt.Fprint(w, signupForm)
	case "POST /signup":
		pw := r.PostFormValue("password")
		if p.refuseWeak && (len(pw) < 12 || commonShape.MatchString(pw)) {
			w.WriteHeader(http.StatusUnprocessableEntity)
			fmt.Fprint(w, "<p>Choose a stronger password.</p>"+signupForm)
			return
		}
		p.accounts[r.PostFormValue("email")] = pw
		http.Redirect(w, r, "/login", http.StatusFound)
	case "GET /login":
		fmt.Fprint(w, loginForm)
	case "POST /login":
		e := r.PostFormValue("email")
		if pw, ok := p.accounts[e]; !ok || pw != r.PostFormValue("password") {
			fmt.Fprint(w, "<p>Invalid email or password.</p>"+loginForm)
			return
		}
		b := make([]byte, 16)
		rand.Read(b)
		sid := hex.EncodeToString(b)
		p.sessions[sid] = e
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: sid, Path: "/", HttpOnly: true})
		http.Redirect(w, r, "/dashboard", http.StatusFound)
	case "GET /dashboard":
		if !authed {
			http.Redirect(w, r, "/login", http.StatusFound)
			return
		}
		fmt.Fprintf(w, "<html><body><h1>Dashboard</h1><form method=\"post\" action=\"/account/delete\"><button>Delete my account</button></form></body></html>")
	case "POST /account/delete":
		if !authed {
			http.Redirect(w, r, "/login", http.StatusFound)
			return
		}
		delete(p.accounts, email)
		delete(p.sessions, sid)
		http.Redirect(w, r, "/", http.StatusFound)
	default:
		fmt.Fprint(w, "<html><body>Home</body></html>")
	}
}

func (p *policyPortal) emails() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for e := range p.accounts {
		out = append(out, e)
	}
	slices.Sort(out)
	return out
}

// TestPasswordPolicyJudgedByLogin runs AUTH-009 against portals that accept
// or refuse weak passwords, with and without a way to delete accounts. A
// portal that accepts them but answers the signup with its login page is
// a FAIL, proven by logging in (the old check read the login form as a
// refusal and passed, leaving two accounts unlisted). Nothing is left
// behind: the accounts are deleted, or listed when the config gives no
// way to delete them; a refused signup leaves nothing to list.
func TestPasswordPolicyJudgedByLogin(t *testing.T) {
	for _, tc := range []struct {
		name       string
		refuseWeak bool
		delete     string
		want       check.Status
		// left is how many accounts stay on the portal and are listed.
		left int
	}{
		{"accepts weak, login page after signup", false, "{path: /account/delete}", check.Fail, 0},
		{"accepts weak, no account deletion", false, "none", check.Fail, 2},
		{"refuses weak", true, "{path: /account/delete}", check.Pass, 0},
		{"refuses weak, no account deletion", true, "none", check.Pass, 1}, // the control journey's new member
	} {
		t.Run(tc.name, func(t *testing.T) {
			portal := &policyPortal{refuseWeak: tc.refuseWeak, accounts: map[string]string{}, sessions: map[string]string{}}
			srv := httptest.NewServer(portal)
			defer srv.Close()
			yaml := fmt.Sprintf(`target:
  url: %s
auth:
  login: {path: /login, form: {email: "{{email}}", password: "{{password}}"}, success: /dashboard}
  logout: none
  protected: [/dashboard]
  signup: {path: /signup, form: {email: "{{email}}", password: "{{password}}"}, delete: %s}
  inbox: {kind: mailpit, url: "http://127.0.0.1:9", address: "qa+{{tag}}@portal.test"}
`, srv.URL, tc.delete)
			cfg, err := config.Parse([]byte(yaml), "", config.Options{})
			if err != nil {
				t.Fatal(err)
			}
			journals := t.TempDir()
			var notices []string
			run, err := Execute(context.Background(), cfg, Options{Version: "test", FailOn: check.Blocker, Intrusive: true,
				Checks: []check.Check{auth.PasswordPolicy{}}, JournalDir: journals, Notice: func(s string) { notices = append(notices, s) }})
			if err != nil {
				t.Fatal(err)
			}
			r := outcome(run.Outcomes, "AUTH-009")
			if r.Status != tc.want {
				t.Errorf("AUTH-009 = %s (%s), want %s", r.Status, r.Summary, tc.want)
			}
			if tc.want == check.Fail && (len(r.Evidence) != 2 || !strings.Contains(r.Evidence[0].Detail, "a login with that password then succeeded")) {
				t.Errorf("evidence does not prove acceptance by a login: %+v", r.Evidence)
			}
			left := portal.emails()
			if len(left) != tc.left || len(run.Leftovers) != tc.left {
				t.Errorf("portal keeps %v; the scan listed %v; want %d of each", left, run.Leftovers, tc.left)
			}
			for _, e := range left {
				if !slices.ContainsFunc(run.Leftovers, func(l string) bool {
					return strings.Contains(l, e) && strings.Contains(l, "no auth.signup.delete configured")
				}) {
					t.Errorf("%s is left behind and not listed: %v", e, run.Leftovers)
				}
			}
			if kept, _ := os.ReadDir(journals); (len(kept) > 0) != (tc.left > 0) {
				t.Errorf("journals kept: %v, want one only when something is left", kept)
			}
		})
	}
}
