package edge

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/checktest"
)

func TestHeaders(t *testing.T) {
	strict := map[string]string{
		"Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; frame-ancestors 'none'; base-uri 'none'",
		"X-Content-Type-Options":  "nosniff",
		"X-Frame-Options":         "DENY",
		"Referrer-Policy":         "strict-origin-when-cross-origin",
	}
	tests := []struct {
		name       string
		home, lgn  map[string]string
		homeStatus int
		want       check.Status
		mention    string
	}{
		{"strict everywhere", strict, strict, 200, check.Pass, ""},
		{"nothing set", nil, nil, 200, check.Fail, "csp-not-implemented"},
		{"unsafe-inline CSP on the login page only", strict, map[string]string{
			"Content-Security-Policy": "default-src 'self'; script-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
			"X-Content-Type-Options":  "nosniff",
		}, 200, check.Warn, "unsafe-inline"},
		{"home page errors", strict, strict, 500, check.Error, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hdr, status := tt.home, tt.homeStatus
				if r.URL.Path == "/login" {
					hdr, status = tt.lgn, 200
				}
				for k, v := range hdr {
					w.Header().Set(k, v)
				}
				w.WriteHeader(status)
				fmt.Fprint(w, "<html><body>page</body></html>")
			})
			_, yaml := checktest.TLSServer(t, h)
			env := checktest.Env(t, yaml+checktest.Accounts)
			r := checktest.Run(t, Headers{}, env)
			if r.Status != tt.want {
				t.Fatalf("status %s (%s), want %s", r.Status, r.Summary, tt.want)
			}
			if tt.mention != "" {
				all := ""
				for _, ev := range r.Evidence {
					all += ev.Detail + ev.Repro
				}
				if !strings.Contains(all, tt.mention) || !strings.Contains(all, "curl ") {
					t.Errorf("evidence lacks %q: %s", tt.mention, all)
				}
			}
		})
	}
}

// TestHeadersPages: EDGE-004 reads the pages target.pages names; without
// it, a default page that is an API path (a JSON login answering 404 to a
// GET, JSON at /) is left out, and a target with no HTML page at all is
// SKIP naming target.pages (issue 13, defects 8 and 11: it was ERROR, or
// scored a JSON answer's headers as a page's).
func TestHeadersPages(t *testing.T) {
	strict := "default-src 'none'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'"
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/", "/api/login":
			w.Header().Set("Content-Type", "application/json")
			if r.URL.Path == "/api/login" && r.Method == http.MethodGet {
				w.WriteHeader(http.StatusNotFound)
			}
			fmt.Fprint(w, `{"status":"ok"}`)
		case "/app/", "/app/login":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Content-Security-Policy", strict)
			w.Header().Set("X-Content-Type-Options", "nosniff")
			w.Header().Set("Referrer-Policy", "no-referrer")
			fmt.Fprint(w, "<html><body>app</body></html>")
		default:
			http.NotFound(w, r)
		}
	})
	_, target := checktest.TLSServer(t, h)
	login := "auth:\n  kind: json\n  login: {path: /api/login, json: {email: \"{{email}}\", password: \"{{password}}\"}}\n"
	for _, tc := range []struct {
		name, pages string
		want        check.Status
		say         string
	}{
		{"API only, no pages", "", check.Skip, "no HTML page to score: / (answered application/json), /api/login (answered 404)"},
		{"target.pages", "  pages: [/app/, /app/login]\n", check.Pass, "/app/ 120, /app/login 120"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			yaml := strings.Replace(target, "target:\n", "target:\n"+tc.pages, 1) + login
			r := checktest.Run(t, Headers{}, checktest.Env(t, yaml))
			if r.Status != tc.want || !strings.Contains(r.Summary, tc.say) {
				t.Errorf("EDGE-004 = %s (%s), want %s with %q", r.Status, r.Summary, tc.want, tc.say)
			}
			if tc.want == check.Skip && !strings.Contains(r.Enable, "target.pages") {
				t.Errorf("the skip does not name target.pages: %q", r.Enable)
			}
		})
	}
}
