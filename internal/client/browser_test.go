package client

import (
	"context"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestBrowserHeaders: the headers a browser computes for a hop, per the
// Fetch, Referrer Policy and Fetch Metadata specifications. A want of ""
// means the header is not sent.
func TestBrowserHeaders(t *testing.T) {
	const form = "application/x-www-form-urlencoded"
	tests := []struct {
		name   string
		from   string // "" = no page
		policy string
		fetch  bool
		method string
		ct     string
		chain  []string // the hops so far, the request's own URL first
		body   bool
		want   map[string]string
	}{
		{name: "same-origin form POST", from: "https://portal.test/login?next=/billing#top", method: "POST", ct: form,
			chain: []string{"https://portal.test/login"}, body: true,
			want: map[string]string{"Origin": "https://portal.test", "Referer": "https://portal.test/login?next=/billing",
				"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document", "Sec-Fetch-User": "?1",
				"Accept": acceptDocument, "Content-Type": form}},
		{name: "cross-origin action: the origin only", from: "https://portal.test/login", method: "POST", ct: form,
			chain: []string{"https://auth.example.com/session"}, body: true,
			want: map[string]string{"Origin": "https://portal.test", "Referer": "https://portal.test/", "Sec-Fetch-Site": "cross-site",
				"Sec-Fetch-Mode": "navigate"}},
		{name: "same site, other origin", from: "https://app.portal.co.uk/login", method: "POST", ct: "multipart/form-data; boundary=x",
			chain: []string{"https://auth.portal.co.uk/session"}, body: true,
			want: map[string]string{"Origin": "https://app.portal.co.uk", "Referer": "https://app.portal.co.uk/", "Sec-Fetch-Site": "same-site"}},
		{name: "HTTPS page to an HTTP action: no Referer, Origin null", from: "https://portal.test/login", method: "POST", ct: form,
			chain: []string{"http://portal.test/session"}, body: true,
			want: map[string]string{"Origin": "null", "Referer": "", "Sec-Fetch-Site": "cross-site"}},
		{name: "HTTPS to HTTP on loopback is no downgrade for Referer", from: "https://127.0.0.1:8443/login", method: "POST", ct: form,
			chain: []string{"http://127.0.0.1:8080/session"}, body: true,
			want: map[string]string{"Origin": "null", "Referer": "https://127.0.0.1:8443/"}},
		{name: "default port left out of Origin", from: "https://Portal.test:443/login", method: "POST", ct: form,
			chain: []string{"https://portal.test/login"}, body: true,
			want: map[string]string{"Origin": "https://portal.test", "Sec-Fetch-Site": "same-origin"}},
		{name: "policy no-referrer", from: "https://portal.test/login", policy: "no-referrer", method: "POST", ct: form,
			chain: []string{"https://portal.test/login"}, body: true,
			want: map[string]string{"Origin": "null", "Referer": ""}},
		{name: "policy same-origin, cross-origin action", from: "https://portal.test/login", policy: "same-origin", method: "POST", ct: form,
			chain: []string{"https://auth.example.com/session"}, body: true,
			want: map[string]string{"Origin": "null", "Referer": ""}},
		{name: "the last policy a browser knows wins; credentials never sent", from: "https://u:p@portal.test/login?x=1#f", policy: "no-referrer, unsafe-url, made-up",
			method: "POST", ct: form, chain: []string{"https://auth.example.com/session"}, body: true,
			want: map[string]string{"Origin": "https://portal.test", "Referer": "https://portal.test/login?x=1"}},
		{name: "a page script's JSON login", from: "https://portal.test/", method: "POST", ct: "application/json",
			chain: []string{"https://portal.test/api/login"}, body: true,
			want: map[string]string{"Origin": "https://portal.test", "Referer": "https://portal.test/", "Sec-Fetch-Site": "same-origin",
				"Sec-Fetch-Mode": "cors", "Sec-Fetch-Dest": "empty", "Sec-Fetch-User": "", "Accept": "*/*", "Upgrade-Insecure-Requests": ""}},
		{name: "a fetch's GET: Origin only cross-origin", from: "https://portal.test/", fetch: true, method: "GET",
			chain: []string{"https://api.portal.test/me"},
			want:  map[string]string{"Origin": "https://portal.test", "Sec-Fetch-Site": "same-site", "Sec-Fetch-Mode": "cors"}},
		{name: "a fetch's same-origin GET", from: "https://portal.test/", fetch: true, method: "GET",
			chain: []string{"https://portal.test/api/me"},
			want:  map[string]string{"Origin": ""}},
		{name: "a link opened from a mail", method: "GET", chain: []string{"https://portal.test/verify?key=k"},
			want: map[string]string{"Origin": "", "Referer": "", "Sec-Fetch-Site": "none", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-User": "?1",
				"Upgrade-Insecure-Requests": "1", "Accept-Language": acceptLanguage}},
		{name: "a POST redirected to GET through another site", from: "https://portal.test/login", method: "GET", ct: form,
			chain: []string{"https://portal.test/login", "https://sso.example.com/cb", "https://portal.test/dashboard"},
			want:  map[string]string{"Origin": "", "Content-Type": "", "Sec-Fetch-Site": "cross-site", "Referer": "https://portal.test/login"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := &Browser{Policy: tt.policy, Fetch: tt.fetch}
			if tt.from != "" {
				b.From = mustURL(t, tt.from)
			}
			var chain []*url.URL
			for _, c := range tt.chain {
				chain = append(chain, mustURL(t, c))
			}
			req := &Request{Method: tt.method, URL: tt.chain[0], Header: http.Header{}}
			if tt.ct != "" {
				req.Header.Set("Content-Type", tt.ct)
			}
			if len(chain) > 1 {
				req.Method = http.MethodPost // a navigation redirected to GET
			}
			h := req.Header.Clone()
			b.apply(h, req, tt.method, chain, tt.body)
			for k, want := range tt.want {
				if got := h.Get(k); got != want {
					t.Errorf("%s: %q, want %q", k, got, want)
				}
			}
		})
	}
}

// TestBrowserKeepsExplicitHeaders: a header the request sets itself wins.
func TestBrowserKeepsExplicitHeaders(t *testing.T) {
	b := FromURL("https://portal.test/")
	req := &Request{Method: "POST", URL: "https://portal.test/api/login", Header: http.Header{"Accept": {"application/json"}, "Content-Type": {"application/json"}}}
	h := req.Header.Clone()
	b.apply(h, req, "POST", []*url.URL{mustURL(t, req.URL)}, true)
	if h.Get("Accept") != "application/json" || h.Get("Origin") != "https://portal.test" {
		t.Errorf("headers %v", h)
	}
}

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// originPortal is a loopback HTTPS portal that checks every POST as
// Django's CsrfViewMiddleware does over HTTPS: a foreign Origin, or no
// Origin and no same-origin Referer, is refused 403. It records the
// Sec-Fetch-Mode of each POST by path.
type originPortal struct {
	mu    sync.Mutex
	modes map[string]string
}

func (p *originPortal) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	self := "https://" + r.Host
	if r.Method == http.MethodPost {
		o, ref := r.Header.Get("Origin"), r.Header.Get("Referer")
		if (o != "" && o != self) || (o == "" && !strings.HasPrefix(ref, self+"/")) {
			http.Error(w, "CSRF verification failed: Origin "+o+", Referer "+ref, http.StatusForbidden)
			return
		}
		p.mu.Lock()
		p.modes[r.URL.Path] = r.Header.Get("Sec-Fetch-Mode") + " " + r.Header.Get("Sec-Fetch-User")
		p.mu.Unlock()
	}
	switch {
	case r.URL.Path == "/login" && r.Method == http.MethodGet:
		fmt.Fprint(w, `<form method="post"><input type="hidden" name="next" value="/home"><input name="email"><input type="password" name="password"><button name="go" value="1">Sign in</button></form>`)
	case r.URL.Path == "/login" && (r.PostFormValue("next") != "/home" || r.PostFormValue("go") != "1"):
		http.Error(w, "the form came back without its hidden field or its button", http.StatusBadRequest)
	case r.Method == http.MethodPost:
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: "s1", Path: "/", Secure: true})
		fmt.Fprint(w, `{"ok":true}`)
	default:
		fmt.Fprint(w, "member page")
	}
}

// TestLoginsCarryOrigin: over HTTPS, a form login and a script's JSON
// login reach a portal that refuses a POST without a same-origin Origin
// or Referer; the form comes back with its hidden field and button.
func TestLoginsCarryOrigin(t *testing.T) {
	p := &originPortal{modes: map[string]string{}}
	srv := httptest.NewTLSServer(p)
	t.Cleanup(srv.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	for kind, path := range map[string]string{"form": "/login", "json": "/api/login"} {
		c := newClient(t, Options{CAFile: ca, Home: []string{srv.URL}})
		lc := LoginConfig{Origin: mustURL(t, srv.URL), Kind: kind, Path: path, Success: "/home",
			Form: map[string]string{"email": "{{email}}", "password": "{{password}}"}}
		ss := NewSessions(c, lc, map[string]Credentials{"a": {Email: "a@portal.test", Password: "pw-a-123456"}})
		if _, err := ss.Login(context.Background(), "a"); err != nil {
			t.Errorf("%s login: %v", kind, err)
		}
	}
	want := map[string]string{"/login": "navigate ?1", "/api/login": "cors "}
	for path, mode := range want {
		if got := p.modes[path]; got != mode {
			t.Errorf("POST %s: Sec-Fetch-Mode and -User %q, want %q", path, got, mode)
		}
	}
}
