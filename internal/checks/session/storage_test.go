package session

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/launchready/launchready/internal/browser"
	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/checktest"
	"github.com/launchready/launchready/internal/fakesecret"
)

// needBrowser skips without Chromium on a workstation and fails in CI,
// which installs it. (The browser trusts what the scan's proxy trusts: no
// certutil needed.)
func needBrowser(t *testing.T) {
	t.Helper()
	if _, err := browser.Find(); err != nil {
		if os.Getenv("CI") == "" {
			t.Skip(err)
		}
		t.Fatal(err)
	}
}

// testJWT is an unsigned-looking but well-formed JWT (the check never
// verifies signatures, only recognises the shape).
func testJWT(t *testing.T) string {
	t.Helper()
	enc := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	return enc(map[string]any{"alg": "HS256", "typ": "JWT"}) + "." +
		enc(map[string]any{"sub": "member-a", "exp": time.Now().Add(time.Hour).Unix()}) + "." +
		base64.RawURLEncoding.EncodeToString([]byte("signature-bytes-0123456789abcdef"))
}

const (
	sessionValue = "s3ss10n-Value-8f2k"
	// dashboard is member content that loads the case's script.
	dashboard = `<html><body><nav>Dashboard · Billing · Log out</nav><h1>Dashboard</h1><p>Plan: Community Pro</p>` +
		`<p>Card ending 4242</p><script src="/app.js"></script></body></html>`
)

// storagePortal is a checktest portal whose dashboard runs script; cookie
// is the session cookie's Set-Cookie line and authed decides access.
func storagePortal(cookie, script string, authed func(*http.Request) bool) *checktest.Portal {
	return &checktest.Portal{
		SetCookies: []string{cookie, "theme=dark; Path=/"},
		Authed:     authed,
		Pages: map[string]func(http.ResponseWriter, *http.Request, bool){
			"/dashboard": func(w http.ResponseWriter, r *http.Request, authed bool) {
				if !authed {
					http.Redirect(w, r, "/login?next=/dashboard", http.StatusFound)
					return
				}
				fmt.Fprint(w, dashboard)
			},
			"/app.js": func(w http.ResponseWriter, r *http.Request, _ bool) {
				w.Header().Set("Content-Type", "text/javascript")
				fmt.Fprint(w, script)
			},
		},
	}
}

func hasSession(r *http.Request) bool { return checktest.HasCookie(r, "sid", sessionValue) }

func TestStorage(t *testing.T) {
	needBrowser(t)
	jwt := testJWT(t)
	const readable = "sid=" + sessionValue + "; Path=/; Secure; SameSite=Lax"
	const httpOnly = readable + "; HttpOnly"
	tests := []struct {
		name, cookie, script string
		authed               func(*http.Request) bool
		want                 check.Status
		// in must appear in the summary.
		in string
	}{
		{
			name: "readable session cookie copied to localStorage", cookie: readable, authed: hasSession,
			script: `localStorage.setItem('backup', document.cookie.replace(/^(.*; )?sid=([^;]*).*$/, '$2'));`,
			want:   check.Fail, in: `localStorage key "backup" holds the value of session cookie sid`,
		},
		{
			name: "JWT inside a JSON value in sessionStorage", cookie: httpOnly, authed: hasSession,
			script: fmt.Sprintf(`sessionStorage.setItem('profile_cache', JSON.stringify({user: 'a', t: %q}));`, jwt),
			want:   check.Fail, in: `sessionStorage key "profile_cache" holds a JWT`,
		},
		{
			name: "opaque token under accessToken in IndexedDB", cookie: httpOnly, authed: hasSession,
			script: `const r = indexedDB.open('app', 1);
r.onupgradeneeded = () => r.result.createObjectStore('kv');
r.onsuccess = () => r.result.transaction('kv', 'readwrite').objectStore('kv').put({accessToken: '` + fakesecret.AccessToken + `'}, 'creds');`,
			want: check.Fail, in: `IndexedDB "app" store "kv" key "creds" holds a 27-character random value under the token-like name "accessToken"`,
		},
		{
			name: "UI preferences only", cookie: readable, authed: hasSession,
			script: `localStorage.setItem('theme', 'dark'); localStorage.setItem('sidebar', 'collapsed');
localStorage.setItem('sessionStart', '1732790000000'); sessionStorage.setItem('auth_redirect', '/dashboard/settings/billing');`,
			want: check.Pass, in: "no token in localStorage, sessionStorage or IndexedDB",
		},
		{
			name: "Supabase SDK session", cookie: httpOnly, authed: hasSession,
			script: fmt.Sprintf(`localStorage.setItem('sb-abcdefghijklmnop-auth-token', JSON.stringify({access_token: %q, refresh_token: '%s'}));`, jwt, fakesecret.RefreshToken),
			want:   check.Warn, in: "Supabase keeps the session in web storage by design",
		},
		{
			name: "the browser is refused (the portal wants the scanner's user agent)", cookie: httpOnly,
			authed: func(r *http.Request) bool {
				return hasSession(r) && strings.HasPrefix(r.UserAgent(), "launchready/")
			},
			script: `localStorage.setItem('theme', 'dark');`,
			want:   check.Error, in: "the browser session was not logged in",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, yaml := checktest.TLSServer(t, storagePortal(tt.cookie, tt.script, tt.authed))
			env := checktest.Env(t, yaml+checktest.Accounts)
			start := time.Now()
			r := checktest.Run(t, Storage{}, env)
			t.Logf("%s in %s: %s", r.Status, time.Since(start).Round(time.Millisecond), r.Summary)
			if r.Status != tt.want || !strings.Contains(r.Summary, tt.in) {
				t.Fatalf("got %s %q (%s), want %s containing %q", r.Status, r.Summary, r.Reason, tt.want, tt.in)
			}
			checkStorageEvidence(t, r, jwt)
		})
	}
}

// checkStorageEvidence: a finding points at the page and the DevTools pane,
// shows four characters and a length, and never the token itself.
func checkStorageEvidence(t *testing.T, r check.Result, jwt string) {
	t.Helper()
	if (r.Status == check.Fail || r.Status == check.Warn) != (len(r.Evidence) > 0) {
		t.Errorf("%s with %d evidence items", r.Status, len(r.Evidence))
	}
	for _, ev := range r.Evidence {
		all := ev.Request + ev.Detail + ev.Repro
		if strings.Contains(all, sessionValue) || strings.Contains(all, jwt[:40]) || strings.Contains(all, "Qm9x7LpZr2") {
			t.Errorf("a token appears in evidence: %+v", ev)
		}
		if !strings.HasPrefix(ev.Request, "GET https://127.0.0.1:") || ev.Status != http.StatusOK || ev.Repro != "" ||
			!strings.Contains(ev.Detail, "logged in, DevTools → Application → ") || !strings.Contains(ev.Detail, "characters)") {
			t.Errorf("evidence: %+v", ev)
		}
	}
}

func TestStorageWithoutBrowser(t *testing.T) {
	noBrowser := Storage{find: func() (string, error) { return "", browser.ErrNoChromium }}
	env := checktest.Env(t, "target:\n  url: https://127.0.0.1:1\n"+checktest.Accounts)
	r := checktest.Run(t, noBrowser, env)
	if r.Status != check.Skip || r.Reason != "no Chromium browser on this machine: browser-mode checks need it" ||
		r.Enable != "install Debian's chromium (apt-get install -y chromium)" {
		t.Errorf("got %+v", r)
	}
}

func TestStorageBearerTokenWithoutCookies(t *testing.T) {
	found := Storage{find: func() (string, error) { return "/usr/bin/chromium", nil }}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/api/login" && r.Method == http.MethodPost:
			fmt.Fprintf(w, `{"token": %q}`, fakesecret.BearerToken)
		case r.URL.Path == "/api/me" && r.Header.Get("Authorization") == "Bearer "+fakesecret.BearerToken:
			fmt.Fprint(w, `{"email": "a@portal.test", "plan": "Community Pro", "card": "ending 4242"}`)
		case r.URL.Path == "/api/me":
			http.Error(w, `{"error": "unauthorized"}`, http.StatusUnauthorized)
		default:
			fmt.Fprint(w, `<html><body><h1>Welcome</h1></body></html>`)
		}
	})
	_, yaml := checktest.TLSServer(t, h)
	env := checktest.Env(t, yaml+`auth:
  kind: json
  login: {path: /api/login, form: {email: "{{email}}", password: "{{password}}"}}
  protected: [/api/me]
session: {kind: token, from: token, header: Authorization, prefix: "Bearer "}
accounts:
  a: {email: a@portal.test, password: env:A}
  b: {email: b@portal.test, password: env:B}
`)
	r := checktest.Run(t, found, env)
	if r.Status != check.Skip || !strings.Contains(r.Reason, "a browser cannot be handed a bearer token") {
		t.Errorf("got %+v", r)
	}
}

func TestClassify(t *testing.T) {
	secrets := []secret{{"the value of session cookie sid", "abcdef123456"}}
	tests := []struct {
		key, value string
		want       string // "" = no finding
		platform   string
	}{
		{"copy", "abcdef123456", "the value of session cookie sid", ""},
		{"wrapped", `{"s":"abcdef123456"}`, "the value of session cookie sid", ""},
		{"refresh_token", fakesecret.OpaqueToken, `a 21-character random value under the token-like name "refresh_token"`, ""},
		{"state", `{"auth": {"idToken": "` + fakesecret.OpaqueToken + `"}}`, `a 21-character random value under the token-like name "idToken"`, ""},
		{"firebase:authUser:AIzaKey:[DEFAULT]", `{"uid":"u1"}`, "", "Firebase"},
		{"author_id", fakesecret.OpaqueToken, "", ""},
		{"session_id", "00000000000000000000000", "", ""},
		{"access_mode", "high-contrast-for-everyone", "", ""},
		{"sessionUpdated", "2026-11-28T10:00:00.000Z", "", ""},
		{"oauth_state", fakesecret.OpaqueToken, "", ""},
	}
	for _, tt := range tests {
		f, ok := classify(finding{key: tt.key, value: tt.value}, secrets)
		if ok != (tt.want != "") || f.what != tt.want || f.platform != tt.platform {
			t.Errorf("classify(%q, %q) = %v %q platform %q; want %q platform %q", tt.key, tt.value, ok, f.what, f.platform, tt.want, tt.platform)
		}
	}
}
