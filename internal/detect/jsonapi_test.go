package detect

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestFindBackend: the JSON logins of common backends are recognized by
// the paths their SDKs and docs use; a portal's own /auth/login is not
// taken for one (its body and token field are unknown).
func TestFindBackend(t *testing.T) {
	for _, tc := range []struct {
		text, name, login, token string
	}{
		{`await pb.collection('members').authWithPassword(email, pw)`, "PocketBase", "/api/collections/members/auth-with-password", "token"},
		{`fetch("/api/collections/users/auth-with-password", {method: "POST"})`, "PocketBase", "/api/collections/users/auth-with-password", "token"},
		{`fetch(base + "/auth/v1/token?grant_type=password", opts)`, "GoTrue (Supabase Auth)", "/auth/v1/token?grant_type=password", "access_token"},
		{`axios.post("/dj-rest-auth/login/", creds)`, "Django REST framework (dj-rest-auth)", "/dj-rest-auth/login/", "key"},
		{`axios.post("/api/auth/login/", creds)`, "Django REST framework (dj-rest-auth)", "/api/auth/login/", "key"},
		{`http.post("/api/token/", {username, password})`, "Django REST framework (Simple JWT)", "/api/token/", "access"},
		{`fetch("/api/auth/local", {method: "POST"})`, "Strapi", "/api/auth/local", "jwt"},
		{`fetch("/auth/login", {method: "POST"})`, "", "", ""},
		{`fetch("/api/token/refresh/")`, "", "", ""},
	} {
		b, ok := findBackend("/app.js", tc.text)
		if b.Name != tc.name || b.Login != tc.login || b.Token != tc.token || ok != (tc.name != "") {
			t.Errorf("findBackend(%q) = %q %q %q, %v; want %q %q %q", tc.text, b.Name, b.Login, b.Token, ok, tc.name, tc.login, tc.token)
		}
	}
}

// TestDetectPocketBase: a single-page portal whose script logs in with
// PocketBase's JSON API gets auth.kind json with the login, the token
// session, accounts.me, the signup with its verification request and
// confirmation, the reset and a client-only logout, its HTML pages as
// target.pages; the config loads. On the old code init wrote a form
// login for the page's scripted form (auth.kind form, which cannot log
// in: the page posts nothing itself).
func TestDetectPocketBase(t *testing.T) {
	srv, _ := portal(t, map[string]string{
		"/":           `<html><body><a href="/login.html">Sign in</a><script src="/app.js"></script></body></html>`,
		"/login.html": `<html><body><form id="login"><input type="email" name="email"><input type="password" name="password"><button>Sign in</button></form><script src="/app.js"></script></body></html>`,
		"/app.js":     `const r = await fetch("/api/collections/users/auth-with-password", {method: "POST", body: JSON.stringify({identity, password})});`,
	})
	r := detectAt(t, srv)
	if k, why := r.Kind(); k != "json" || !strings.Contains(why, "PocketBase") || !strings.Contains(why, "/app.js") {
		t.Errorf("kind %s (%s)", k, why)
	}
	conf := r.Config()
	cfg := parse(t, conf)
	if l := cfg.Auth.Login; l.Path != "/api/collections/users/auth-with-password" || l.JSON["identity"] != "{{email}}" {
		t.Errorf("login = %+v\n%s", l, conf)
	}
	if s := cfg.Session; s.Kind != "token" || s.From != "token" || s.Header != "Authorization" || s.Prefix != "" {
		t.Errorf("session = %+v", s)
	}
	if cfg.Me == nil || cfg.Me.IDField != "record.id" || cfg.Auth.Signup.Request == nil || cfg.Auth.Signup.Confirm == nil ||
		cfg.Auth.Reset.Confirm == nil || cfg.Auth.Logout.Kind != "client" || cfg.Auth.Signup.Delete.Path != "/api/collections/users/records/{{self.id}}" {
		t.Errorf("account keys missing:\n%s", conf)
	}
	if got := strings.Join(cfg.Target.Pages, ","); !strings.HasPrefix(got, "/,/login.html,") {
		t.Errorf("target.pages = %q, want the home and login pages first", got)
	}
}

// TestDetectDjangoForms: a portal in Django's shape (allauth's pages,
// every path ending in a slash that a 301 adds) is written as it serves
// itself: the protected page with its slash, the signup form's real
// fields (the password confirmation, a user name, the terms box), the
// sign-out form and the reset, with an inbox to fill in. On the old code
// the protected page lost its slash (/dashboard, a 301 the checks then
// followed as the page), the signup was commented out without its
// password2 and username, and no logout was written.
func TestDetectDjangoForms(t *testing.T) {
	pages := map[string]string{
		"/": `<html><body><form method="post" action="/accounts/logout/"><button>Sign out</button></form></body></html>`,
		"/accounts/login/": `<html><body><form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="x">` +
			`<input type="email" name="login"><input type="password" name="password"></form></body></html>`,
		"/accounts/signup/": `<html><body><form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="x"><input type="email" name="email">` +
			`<input type="text" name="username"><input type="password" name="password1"><input type="password" name="password2">` +
			`<input type="checkbox" name="accept_terms" value="yes"></form></body></html>`,
		"/accounts/password/reset/": `<html><body><form method="post"><input type="email" name="email"></form></body></html>`,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			t.Errorf("%s %s", r.Method, r.URL.Path)
		}
		switch p := r.URL.Path; {
		case p == "/dashboard/":
			http.Redirect(w, r, "/accounts/login/?next=/dashboard/", http.StatusFound)
		case p != "/" && !strings.HasSuffix(p, "/"):
			http.Redirect(w, r, p+"/", http.StatusMovedPermanently)
		case pages[p] != "":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, pages[p])
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	r := detectAt(t, srv)
	conf := r.Config()
	cfg := parse(t, conf)
	if got := cfg.Auth.Protected; len(got) == 0 || got[0] != "/dashboard/" {
		t.Errorf("protected = %q\n%s", got, conf)
	}
	s := cfg.Auth.Signup
	if s == nil || s.Path != "/accounts/signup/" || s.Form["password1"] != "{{password}}" || s.Form["password2"] != "{{password}}" ||
		s.Form["username"] != "{{tag}}" || s.Form["accept_terms"] != "yes" || s.Form["email"] != "{{email}}" {
		t.Errorf("signup = %+v\n%s", s, conf)
	}
	if l := cfg.Auth.Logout; l == nil || l.Path != "/accounts/logout/" || l.Method != "POST" {
		t.Errorf("logout = %+v", l)
	}
	if rs := cfg.Auth.Reset; rs == nil || rs.Path != "/accounts/password/reset/" {
		t.Errorf("reset = %+v", rs)
	}
	if !strings.Contains(conf, "# inbox: {kind: mailpit") {
		t.Errorf("no inbox to fill in:\n%s", conf)
	}
}
