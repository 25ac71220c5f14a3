// Package checktest helps check tests: it builds a check.Env from a config
// written in the test, against servers the test starts on loopback.
package checktest

import (
	"cmp"
	"context"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/config"
)

// Password is what every env: reference resolves to in tests.
const Password = "correct-horse-battery"

// Env parses the YAML (every env:NAME reference resolves to Password) and
// builds the scoped client and sessions a scan would use.
func Env(t testing.TB, yaml string) *check.Env {
	t.Helper()
	cfg, err := config.Parse([]byte(yaml), "", config.Options{
		Getenv: func(string) (string, bool) { return Password, true },
	})
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	cl, sessions, err := client.FromConfig(cfg, "test")
	if err != nil {
		t.Fatalf("target: %v", err)
	}
	return &check.Env{Config: cfg, Client: cl, Sessions: sessions}
}

// Run runs one check with a background context, marked intrusive for an
// intrusive check as the runner marks it. Without a wrong-password owner,
// env gets one sized by the check's budget, as a scan of that check alone
// would.
func Run(t testing.TB, c check.Check, env *check.Env) check.Result {
	t.Helper()
	if env.WrongPasswords == nil {
		env.WrongPasswords = check.NewWrongPasswords(env.Config, env.Sessions, c.Meta().Budget.WrongPasswords, c.Meta().ID)
	}
	ctx := context.Background()
	if c.Meta().Intrusive {
		ctx = client.WithIntrusive(ctx)
	}
	return c.Run(ctx, env)
}

// Intrusive gives env the consent a scan with --intrusive gives a loopback
// portal: intrusive checks may run, and writes reach loopback hosts.
func Intrusive(env *check.Env) {
	env.Intrusive = true
	env.Client.EnableConsent(nil)
}

// Portal is a small configurable member portal for check tests: GET/POST
// /login (form with a password field), a home page and a 404, and protected
// pages rendered by the test.
type Portal struct {
	// SetCookies are the raw Set-Cookie values a correct login sends.
	SetCookies []string
	// Authed says whether a request is logged in.
	Authed func(r *http.Request) bool
	// Pages renders each protected path; authed is Authed(r).
	Pages map[string]func(w http.ResponseWriter, r *http.Request, authed bool)
	// RejectLogin makes every login fail (the form is shown again).
	RejectLogin bool
	// PreLogin are raw Set-Cookie values the login page sends.
	PreLogin []string
	// OnLogin, when set, runs on a correct login instead of sending
	// SetCookies.
	OnLogin func(w http.ResponseWriter, r *http.Request)
	// OnLogout handles /logout (default: 404).
	OnLogout func(w http.ResponseWriter, r *http.Request)
	// Next picks the post-login redirect from the form (default
	// /dashboard): the test decides how careless it is.
	Next func(r *http.Request) string
	// LoginForm, when set, is the login page's HTML instead of LoginPage.
	LoginForm string
}

// LoginPage is the HTML of the portal's login form.
const LoginPage = `<html><body><h1>Sign in</h1><form method="post" action="/login"><input name="email"><input type="password" name="password"><button>Sign in</button></form></body></html>`

// MemberPage renders a page only a member sees.
func MemberPage(w http.ResponseWriter, title string) {
	fmt.Fprintf(w, `<html><body><nav>Dashboard · Billing · Log out</nav><h1>%s</h1><p>Plan: Community Pro</p><p>Card ending 4242</p><p>Invoice INV-2026-001</p></body></html>`, title)
}

// ServeHTTP implements http.Handler.
func (p *Portal) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/login" && r.Method == http.MethodPost:
		if err := r.ParseForm(); err != nil || r.PostForm.Get("password") != Password || p.RejectLogin {
			fmt.Fprint(w, LoginPage)
			return
		}
		if p.OnLogin != nil {
			p.OnLogin(w, r)
		} else {
			for _, c := range p.SetCookies {
				w.Header().Add("Set-Cookie", c)
			}
		}
		next := "/dashboard"
		if p.Next != nil {
			next = p.Next(r)
		}
		http.Redirect(w, r, next, http.StatusSeeOther)
	case r.URL.Path == "/login":
		for _, c := range p.PreLogin {
			w.Header().Add("Set-Cookie", c)
		}
		fmt.Fprint(w, cmp.Or(p.LoginForm, LoginPage))
	case r.URL.Path == "/logout" && p.OnLogout != nil:
		p.OnLogout(w, r)
	case r.URL.Path == "/":
		fmt.Fprint(w, `<html><body><h1>Welcome to the community</h1><a href="/login">Sign in</a></body></html>`)
	case p.Pages[r.URL.Path] != nil:
		p.Pages[r.URL.Path](w, r, p.Authed(r))
	default:
		http.NotFound(w, r)
	}
}

// RedirectOrPage is the ordinary protected page: members see it, others
// are sent to the login page.
func RedirectOrPage(title string) func(http.ResponseWriter, *http.Request, bool) {
	return func(w http.ResponseWriter, r *http.Request, authed bool) {
		if !authed {
			http.Redirect(w, r, "/login?next="+r.URL.Path, http.StatusFound)
			return
		}
		MemberPage(w, title)
	}
}

// HasCookie reports whether the request carries the cookie with the value.
func HasCookie(r *http.Request, name, value string) bool {
	c, err := r.Cookie(name)
	return err == nil && c.Value == value
}

// TLSServer starts an HTTPS test server for h and returns it with the YAML
// lines for target.url, scope and ca_file (the server's certificate is
// written to a file in dir).
func TLSServer(t testing.TB, h http.Handler) (*httptest.Server, string) {
	t.Helper()
	srv := httptest.NewTLSServer(h)
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	pemPath := filepath.Join(dir, "ca.pem")
	block := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(pemPath, block, 0o644); err != nil {
		t.Fatal(err)
	}
	return srv, fmt.Sprintf("target:\n  url: %s\n  scope: [127.0.0.1]\n  ca_file: %s\n", srv.URL, pemPath)
}

// Accounts is the auth and accounts YAML for a Portal.
const Accounts = `auth:
  login: {path: /login, form: {email: "{{email}}", password: "{{password}}"}, success: /dashboard}
  protected: [/dashboard]
accounts:
  a: {email: a@portal.test, password: env:A}
  b: {email: b@portal.test, password: env:B}
`
