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
