package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/launchready/launchready/internal/fakesecret"
)

// TestHTTPClientStaysInScope: the standard client HTTPClient returns sends
// every hop through the scoped client: redirects inside the scope are
// followed, one outside is refused before it is dialed and recorded, each
// hop is counted, bodies are capped, and the caller's request is left as
// it was given.
func TestHTTPClientStaysInScope(t *testing.T) {
	tr := newTrap(t)
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/in":
			http.Redirect(w, r, "/final", http.StatusFound)
		case "/out":
			http.Redirect(w, r, tr.srv.URL+"/stolen?token="+fakesecret.URLToken, http.StatusFound)
		case "/big":
			fmt.Fprint(w, strings.Repeat("A", 2048))
		default:
			fmt.Fprint(w, "final")
		}
	}))
	defer site.Close()
	cases := []struct {
		name, url    string
		wantBody     string
		wantErr      any // a pointer to the error type errors.As must find
		wantRequests int
		wantRefused  bool
	}{
		{name: "redirect inside the scope", url: site.URL + "/in", wantBody: "final", wantRequests: 2},
		{name: "redirect outside the scope", url: site.URL + "/out", wantErr: new(*OutOfScopeError), wantRequests: 1, wantRefused: true},
		{name: "request outside the scope", url: tr.srv.URL + "/direct", wantErr: new(*OutOfScopeError), wantRefused: true},
		{name: "body over the cap", url: site.URL + "/big", wantErr: new(*TooLargeError), wantRequests: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newClient(t, Options{MaxBodyBytes: 1024, ScopeName: "the test scope"})
			req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, tc.url, nil)
			if err != nil {
				t.Fatal(err)
			}
			var body []byte
			resp, err := c.HTTPClient().Do(req)
			if err == nil {
				body, err = io.ReadAll(resp.Body)
				resp.Body.Close()
			}
			switch {
			case tc.wantErr == nil && err != nil:
				t.Fatalf("err = %v", err)
			case tc.wantErr != nil && !errors.As(err, tc.wantErr):
				t.Fatalf("err = %v, want %T", err, tc.wantErr)
			case tc.wantErr == nil && string(body) != tc.wantBody:
				t.Errorf("body = %q, want %q", body, tc.wantBody)
			}
			if tc.wantRefused && !strings.Contains(err.Error(), "outside the test scope") {
				t.Errorf("refusal does not name the scope: %v", err)
			}
			if n := c.Requests(); n != tc.wantRequests {
				t.Errorf("Requests() = %d, want %d", n, tc.wantRequests)
			}
			oos := c.OutOfScope()
			if got := len(oos) == 1 && strings.HasPrefix(oos[0], tr.srv.URL); got != tc.wantRefused {
				t.Errorf("OutOfScope() = %v, want the trap recorded: %v", oos, tc.wantRefused)
			}
			if strings.Contains(strings.Join(oos, " "), fakesecret.URLToken) {
				t.Errorf("the refusal record leaks the token: %v", oos)
			}
			if req.Header.Get("User-Agent") != "" {
				t.Errorf("the caller's request was changed: %v", req.Header)
			}
		})
	}
	if n := tr.hits.Load(); n != 0 {
		t.Fatalf("the trap outside the scope received %d requests", n)
	}
}
