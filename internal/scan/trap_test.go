package scan

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/config"
)

// TestScopeTrap runs every check against a portal whose links, redirects,
// login flow and variants all point at a trap server on 127.0.0.2, outside
// the scope. The trap must receive zero requests.
func TestScopeTrap(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("127.0.0.2 not available: %v", err)
	}
	var hits atomic.Int64
	trap := &httptest.Server{Listener: ln, Config: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		fmt.Fprint(w, `<form><input type=password name=p></form>`)
	})}}
	trap.Start()
	defer trap.Close()

	portal := httptest.NewServer(hostilePortal(trap.URL))
	defer portal.Close()
	variant := httptest.NewServer(http.RedirectHandler(trap.URL+"/variant", http.StatusMovedPermanently))
	defer variant.Close()

	yaml := fmt.Sprintf(`target:
  url: %s
  variants: [%s]
  scope: [127.0.0.1]
auth:
  login: {path: /login, form: {email: "{{email}}", password: "{{password}}"}, success: /dashboard}
  protected: [/dashboard, /billing]
accounts:
  a: {email: a@portal.test, password: env:A}
  b: {email: b@portal.test, password: env:B}
`, portal.URL, variant.URL)
	cfg, err := config.Parse([]byte(yaml), "", config.Options{Getenv: func(string) (string, bool) { return "correct-horse", true }})
	if err != nil {
		t.Fatal(err)
	}
	run, err := Execute(context.Background(), cfg, Options{Version: "test", FailOn: check.Blocker})
	if err != nil {
		t.Fatal(err)
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("the trap outside the scope received %d requests", n)
	}
	if len(run.OutOfScope) == 0 {
		t.Error("refused out-of-scope redirects were not recorded")
	}
	for _, o := range run.Outcomes {
		t.Logf("%s %s %s", o.Meta.ID, o.Result.Status, o.Result.Summary)
	}
}

// hostilePortal logs members in, but sends everything else it can towards
// the trap: links, assets, the post-login redirect, anonymous redirects.
func hostilePortal(trap string) http.Handler {
	mux := http.NewServeMux()
	page := func(w http.ResponseWriter, body string) {
		fmt.Fprintf(w, `<html><body><a href="%s/home">home</a><img src="%s/pixel.gif"><script src="%s/app.js"></script>%s</body></html>`, trap, trap, trap, body)
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", "<"+trap+"/preload.css>; rel=preload")
		page(w, "<p>Welcome</p>")
	})
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		page(w, `<form method=post action="/login"><input name=email><input type=password name=password></form>`)
	})
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "s", Value: "member-session-value", Path: "/"})
		http.SetCookie(w, &http.Cookie{Name: "t", Value: "trap-domain", Domain: "127.0.0.2"})
		http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
	})
	member := func(w http.ResponseWriter, r *http.Request) {
		if c, err := r.Cookie("s"); err != nil || c.Value != "member-session-value" {
			http.Redirect(w, r, trap+"/login?next="+r.URL.Path, http.StatusFound)
			return
		}
		page(w, "<h1>Member area "+r.URL.Path+"</h1><p>Your invoices</p><p>Plan: Gold</p><a href=/logout>Log out</a>")
	}
	mux.HandleFunc("/dashboard", member)
	mux.HandleFunc("/billing", member)
	mux.HandleFunc("/go", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, strings.Replace(trap, "http://", "http://127.0.0.1@", 1), http.StatusFound)
	})
	return mux
}
