package detect

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/launchready/launchready/internal/config"
	"github.com/launchready/launchready/internal/target"
)

// portal is a small loopback portal; extra adds pages.
func portal(t *testing.T, extra map[string]string) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var posts atomic.Int32
	pages := map[string]string{
		"/": `<html><body><a href="/pricing">Pricing</a> <a href="/dashboard">Dashboard</a> <a href="/logout">Log out</a>
			<a href="/account/delete">Delete account</a><script src="/assets/app.js"></script></body></html>`,
		"/pricing":         `<html><body><h1>Pricing</h1></body></html>`,
		"/login":           `<html><body><form method="post" action="/session"><input type="email" name="user_email"><input type="password" name="pass"></form></body></html>`,
		"/register":        `<html><body><form method="post"><input name="email"><input type="password" name="pw"><input type="password" name="pw2"></form></body></html>`,
		"/forgot-password": `<html><body><form method="post"><input type="email" name="email"></form></body></html>`,
	}
	for k, v := range extra {
		pages[k] = v
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			posts.Add(1)
		}
		switch r.URL.Path {
		case "/dashboard", "/billing":
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.Path), http.StatusFound)
			return
		case "/api/me":
			w.WriteHeader(http.StatusUnauthorized)
			return
		case "/logout", "/account/delete":
			t.Errorf("an action link was followed: %s", r.URL.Path)
		}
		if strings.HasSuffix(r.URL.Path, ".js") {
			w.Header().Set("Content-Type", "text/javascript")
			fmt.Fprint(w, pages[r.URL.Path])
			return
		}
		body, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv, &posts
}

func detectAt(t *testing.T, srv *httptest.Server) *Report {
	t.Helper()
	c, err := target.New(target.Options{Scope: []string{"127.0.0.1"}})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(srv.URL)
	r, err := Run(context.Background(), c, u)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestDetectFormPortal: the login form, its field names and action, the
// signup and reset forms, and the pages that send a visitor to the login
// page are found with GETs only, and the config written parses.
func TestDetectFormPortal(t *testing.T) {
	srv, posts := portal(t, map[string]string{"/assets/app.js": `console.log("hi")`})
	r := detectAt(t, srv)
	if r.Login == nil || *r.Login != (Form{Path: "/login", Action: "/session", Email: "user_email", Password: "pass"}) {
		t.Errorf("login = %+v", r.Login)
	}
	if r.Signup == nil || r.Signup.Path != "/register" || r.Reset == nil || r.Reset.Path != "/forgot-password" {
		t.Errorf("signup %+v reset %+v", r.Signup, r.Reset)
	}
	if got := strings.Join(r.Protected, ","); got != "/dashboard,/billing,/api/me" {
		t.Errorf("protected = %q", got)
	}
	if posts.Load() != 0 {
		t.Errorf("%d non-GET requests", posts.Load())
	}
	if k, _ := r.Kind(); k != "form" {
		t.Errorf("kind %s", k)
	}
	cfg := parse(t, r.Config())
	if cfg.Auth.Login.Path != "/login" || cfg.Auth.Login.Action != "/session" || cfg.Auth.Login.Form["user_email"] != "{{email}}" ||
		cfg.Auth.Login.Form["pass"] != "{{password}}" || cfg.Auth.Protected[0] != "/dashboard" {
		t.Errorf("config: %+v\n%s", cfg.Auth.Login, r.Config())
	}
}

// TestDetectClerk: a Clerk publishable key in the bundle suggests
// auth.kind clerk, naming where it was seen; a Stripe key does not.
func TestDetectClerk(t *testing.T) {
	pk := "pk_test_" + base64.RawStdEncoding.EncodeToString([]byte("happy-otter-12.clerk.accounts.dev$"))
	srv, _ := portal(t, map[string]string{"/assets/app.js": `Stripe("pk_test_51HxYzAbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefghijklmnop");window.Clerk.load({publishableKey:"` + pk + `"})`})
	r := detectAt(t, srv)
	kind, why := r.Kind()
	if kind != "clerk" || !strings.Contains(why, "happy-otter-12.clerk.accounts.dev") || !strings.Contains(why, "/assets/app.js") {
		t.Errorf("kind %s (%s)", kind, why)
	}
	if !strings.Contains(r.Config(), "kind: clerk") || !strings.Contains(r.Config(), "secret_key: env:CLERK_SECRET_KEY") {
		t.Errorf("config:\n%s", r.Config())
	}
}

// TestDetectHostileNames: field names and paths with quotes, newlines and
// terminal escapes stay single YAML values and printable summary lines.
func TestDetectHostileNames(t *testing.T) {
	srv, _ := portal(t, map[string]string{
		"/login": "<html><body><form method=post><input type=email name=\"e&quot;: x\ny: \x1b[2J\"><input type=password name=\"p}\"></form></body></html>",
	})
	r := detectAt(t, srv)
	cfg := parse(t, r.Config())
	if len(cfg.Auth.Login.Form) != 2 {
		t.Errorf("form = %q", cfg.Auth.Login.Form)
	}
	for _, line := range r.Summary() {
		if strings.ContainsAny(line, "\x1b\n\r") {
			t.Errorf("control character in %q", line)
		}
	}
}

// TestDetectUnreachable: a portal that cannot be reached is an error
// naming it, not an empty config.
func TestDetectUnreachable(t *testing.T) {
	srv, _ := portal(t, nil)
	srv.Close()
	c, _ := target.New(target.Options{Scope: []string{"127.0.0.1"}})
	u, _ := url.Parse(srv.URL)
	if _, err := Run(context.Background(), c, u); err == nil || !strings.Contains(err.Error(), "home page") {
		t.Errorf("err = %v", err)
	}
}

func parse(t *testing.T, yaml string) *config.Config {
	t.Helper()
	cfg, err := config.Parse([]byte(yaml), "", config.Options{Getenv: func(k string) (string, bool) {
		if strings.HasSuffix(k, "EMAIL") {
			return strings.ToLower(k) + "@portal.test", true
		}
		return "from-env-123", true
	}})
	if err != nil {
		t.Fatalf("%v\n%s", err, yaml)
	}
	return cfg
}
