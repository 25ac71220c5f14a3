package detect

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/config"
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
	c, err := client.New(client.Options{Scope: []string{"127.0.0.1"}})
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
	if r.Login == nil || !reflect.DeepEqual(*r.Login, Form{Path: "/login", Action: "/session", Email: "user_email", Password: "pass"}) {
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
	if cfg := parse(t, r.Config()); cfg.Auth.Clerk == nil {
		t.Errorf("no auth.clerk in\n%s", r.Config())
	}
}

// fakeJWT is a Supabase-style key with the given role claim.
func fakeJWT(role string) string {
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	return enc(`{"alg":"HS256","typ":"JWT"}`) + "." + enc(`{"iss":"supabase","ref":"abcdefghijklmnopqrst","role":"`+role+`"}`) + ".c2lnbmF0dXJlLXNpZ25hdHVyZQ"
}

// TestDetectPlatforms: a Supabase client or a firebaseConfig in the
// bundle suggests its auth.kind and writes its section (publishable
// values only), which loads; a service_role key is warned about and never
// written.
func TestDetectPlatforms(t *testing.T) {
	anon, service := fakeJWT("anon"), fakeJWT("service_role")
	const fbKey = "AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q"
	for _, tt := range []struct {
		name, js, kind string
		want           []string
	}{
		{"supabase", `const sb=createClient("https://abcdefghijklmnopqrst.supabase.co","` + anon + `");sb.from("orders").select();const admin="` + service + `"`,
			"supabase", []string{`supabase: {url: "https://abcdefghijklmnopqrst.supabase.co", anon_key: "` + anon + `"}`}},
		{"firebase", `const firebaseConfig={apiKey:"` + fbKey + `",authDomain:"demo-app.firebaseapp.com",projectId:"demo-app",storageBucket:"demo-app.appspot.com",databaseURL:"https://demo-app-default-rtdb.firebaseio.com"};collection(db,"notes")`,
			"firebase", []string{`api_key: "` + fbKey + `"`, `project_id: "demo-app"`, `storage_bucket: "demo-app.appspot.com"`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := portal(t, map[string]string{"/assets/app.js": tt.js})
			r := detectAt(t, srv)
			if k, why := r.Kind(); k != tt.kind {
				t.Errorf("kind %s (%s)", k, why)
			}
			conf := r.Config()
			for _, w := range tt.want {
				if !strings.Contains(conf, w) {
					t.Errorf("config lacks %q:\n%s", w, conf)
				}
			}
			if strings.Contains(conf, service) {
				t.Errorf("the service_role key was written:\n%s", conf)
			}
			cfg := parse(t, conf)
			if cfg.Auth.Kind != tt.kind {
				t.Errorf("loaded kind %s", cfg.Auth.Kind)
			}
			summary := strings.Join(r.Summary(), "\n")
			if tt.kind == "supabase" && (!strings.Contains(summary, "WARNING: a Supabase service_role key is in /assets/app.js") || !strings.Contains(summary, "tables orders")) {
				t.Errorf("summary:\n%s", summary)
			}
		})
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
	c, _ := client.New(client.Options{Scope: []string{"127.0.0.1"}})
	u, _ := url.Parse(srv.URL)
	if _, err := Run(context.Background(), c, u); err == nil || !strings.Contains(err.Error(), "home page") {
		t.Errorf("err = %v", err)
	}
}

func parse(t *testing.T, yaml string) *config.Config {
	t.Helper()
	cfg, err := config.Parse([]byte(yaml), "", config.Options{Getenv: func(k string) (string, bool) {
		switch {
		case strings.HasSuffix(k, "EMAIL"):
			return strings.ToLower(k) + "@portal.test", true
		case k == "CLERK_SECRET_KEY":
			return "sk_test_" + strings.Repeat("x", 40), true
		}
		return "from-env-123", true
	}})
	if err != nil {
		t.Fatalf("%v\n%s", err, yaml)
	}
	return cfg
}
