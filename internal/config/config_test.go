package config

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/launchready/launchready/internal/fakesecret"
)

// fakeEnv is the environment the tests see instead of the real one.
func fakeEnv() func(string) (string, bool) {
	env := map[string]string{
		"LR_A_EMAIL":        "a@example.com",
		"LR_A_PASSWORD":     "pa-secret",
		"LR_B_PASSWORD":     "pb-secret",
		"LR_INBOX_PASSWORD": "inbox-secret",
		"CLERK_PK":          "pk_test_Y2xlcmsuZXhhbXBsZS5jb20k",
		"CLERK_SK":          fakesecret.ClerkDevKey,
		"LR_EMPTY":          " ",
	}
	return func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}
}

// fakeFiles serves files from a map, failing like os.ReadFile otherwise.
func fakeFiles(files map[string]string) func(string) ([]byte, error) {
	return func(p string) ([]byte, error) {
		if v, ok := files[p]; ok {
			return []byte(v), nil
		}
		return nil, &fs.PathError{Op: "open", Path: p, Err: fs.ErrNotExist}
	}
}

// testOptions resolves references against /cfg with fake env and files.
func testOptions(t *testing.T) Options {
	t.Helper()
	return Options{
		BaseDir: "/cfg",
		Getenv:  fakeEnv(),
		ReadFile: fakeFiles(map[string]string{
			"/cfg/ca.pem":             string(testCAPEM(t)),
			"/cfg/notcert.pem":        "hello\n",
			"/cfg/b.password":         "pb-file-secret\n",
			"/cfg/empty.password":     " \n",
			"/cfg/admin.email":        "admin@example.com\n",
			"/secrets/admin.password": "admin-secret",
			"/cfg/session-a.json":     testRecording("https://app.example.com", "a"),
			"/cfg/bad-session.json":   `{"schema": "launchready/session/v1", "origin": `,
			"/cfg/other-origin.json":  testRecording("https://staging.example.com", "b"),
		}),
	}
}

// testCAPEM mints a self-signed CA certificate in PEM form.
func testCAPEM(t testing.TB) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "launchready test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestParseValidFull(t *testing.T) {
	got, err := Parse(readFixture(t, "valid-full.yaml"), "launchready.yaml", testOptions(t))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	want := &Config{
		Path: "launchready.yaml",
		Target: Target{
			URL:      "https://app.example.com",
			Variants: []string{"http://example.com", "https://www.example.com", "http://app.example.com:8080"},
			Scope: []string{"app.example.com", "example.com", "www.example.com:443", "app.example.com:8080",
				"https://storage.example.net/bucket/"},
			Resolver:        "127.0.0.1:5353",
			CAFile:          "/cfg/ca.pem",
			Rate:            12.5,
			Timeouts:        Timeouts{Connect: 2 * time.Second, TLS: 3 * time.Second, Header: 10 * time.Second, Request: time.Minute, Check: 5 * time.Minute, Cleanup: 90 * time.Second, Scan: 45 * time.Minute},
			MaxBodyBytes:    4 << 20,
			BodyBudgetBytes: 64 << 20,
			MaxHeaderBytes:  65536,
			MaxRedirects:    5,
			RetryAfterMax:   30 * time.Second,
			Pages:           []string{"/", "/login", "/pricing"},
			Headers: map[string]Value{
				"X-Gateway-Key": {Ref: "env:LR_A_PASSWORD", Value: "pa-secret", Line: 29},
				"X-Env":         {Value: "staging", Line: 30},
			},
		},
		Auth: Auth{
			Kind:    "json",
			Recheck: 45 * time.Second,
			Login: &Login{
				Path:    "/login",
				Action:  "/api/login",
				JSON:    map[string]string{"email": "{{email}}", "password": "{{password}}", "remember": "yes"},
				Success: "/dashboard",
			},
			Logout:    &Flow{Kind: "server", Path: "/logout", Method: "GET"},
			Protected: []string{"/dashboard", "/billing", "/api/me", "/api/users/{{self.id}}"},
			Callbacks: []string{"/auth/callback"},
			Signup: &Signup{
				Path:    "/signup",
				Form:    map[string]string{"email": "{{email}}", "password": "{{password}}", "password2": "{{password}}", "name": "Test {{tag}}"},
				Verify:  true,
				Request: &Call{Path: "/api/verify/request", Method: "POST", Form: map[string]string{"email": "{{email}}"}},
				Confirm: &Confirm{Path: "/api/verify/{{token}}", Method: "PUT"},
				Delete:  &Delete{Path: "/api/users/{{self.id}}", Method: "DELETE", JSON: map[string]string{"email": "{{email}}"}},
			},
			Reset: &Reset{Path: "/api/password/forgot", Method: "PUT", JSON: map[string]string{"email": "{{email}}"},
				Confirm: &Confirm{Path: "/api/password/reset", Method: "POST", Token: "reset/([A-Za-z0-9_-]+)",
					JSON: map[string]string{"token": "{{token}}", "password": "{{new_password}}", "confirm_password": "{{new_password}}"}}},
			Inbox: &Inbox{Kind: "mailpit", URL: "https://mail.example.com:8025/mailpit", Address: "qa+{{tag}}@example.com", Wait: 30 * time.Second,
				Username: Value{Value: "qa", Line: 62}, Password: Secret{Ref: "env:LR_INBOX_PASSWORD", Value: "inbox-secret", Line: 62},
				CAFile: "/cfg/ca.pem"},
		},
		Session: Session{Kind: "token", From: "token", Header: "Authorization", Prefix: "Bearer "},
		Accounts: map[string]Account{
			"a": {
				Email:    Value{Ref: "env:LR_A_EMAIL", Value: "a@example.com", Line: 71},
				Password: Secret{Ref: "env:LR_A_PASSWORD", Value: "pa-secret", Line: 72},
			},
			"b": {
				Email:    Value{Value: "b@example.com", Line: 74},
				Password: Secret{Ref: "file:b.password", Value: "pb-file-secret", Line: 75},
			},
			"admin": {
				Email:    Value{Ref: "file:admin.email", Value: "admin@example.com", Line: 77},
				Password: Secret{Ref: "file:/secrets/admin.password", Value: "admin-secret", Line: 78},
				Login:    &AccountLogin{Path: "/api/admins/login", JSON: map[string]string{"username": "{{email}}", "password": "{{password}}"}},
			},
		},
		Me: &Me{Path: "/api/session", Method: "POST", IDField: "user.id"},
		Objects: []Object{
			{Name: "invoices", List: "/api/invoices", Item: "/api/invoices/{id}", IDField: "id"},
			{
				Name: "notes", Item: "/api/notes/{id}", IDField: "uuid",
				Create: &Write{Path: "/api/notes", Method: "POST", JSON: map[string]string{"body": "note {{canary}}", "owner": "{{self.id}}"}},
				Update: &Write{Path: "/api/notes/{id}", Method: "PUT", JSON: map[string]string{"body": "{{canary}}"}},
				Delete: &Write{Path: "/api/notes/{id}", Method: "DELETE"},
			},
		},
		Admin:   []string{"/admin", "DELETE /api/admin/users/1", "/api/admin/users/{{self.id}}"},
		Profile: &Profile{Path: "/api/users/{{self.id}}", Method: "PATCH", JSON: map[string]string{"display_name": "{{canary}}"}, Read: "/api/users/{{self.id}}"},
		Crawl:   Crawl{Pages: 60, Depth: 2},
		Source: &Source{Repo: ".", Build: []string{"dist", "public"}, CILogs: []string{"ci/build.log"},
			Waivers: "launchready-waivers.yaml"},
	}
	if p, named := got.WaiversPath(); p != "/cfg/launchready-waivers.yaml" || !named || got.SourcePath("dist") != "/cfg/dist" {
		t.Errorf("WaiversPath = %q, %v; SourcePath(dist) = %q", p, named, got.SourcePath("dist"))
	}
	got.src = nil
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", "  ")
		w, _ := json.MarshalIndent(want, "", "  ")
		t.Errorf("Parse(valid-full.yaml) =\n%s\nwant\n%s", g, w)
	}
}

func TestParseDefaults(t *testing.T) {
	data := []byte("target:\n  url: https://App.Example.com/\n  variants: [http://app.example.com, https://www.example.com:8443]\n" +
		"auth:\n  logout: {path: /logout}\n")
	c, err := Parse(data, "", testOptions(t))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	want := Target{
		URL:             "https://App.Example.com/",
		Variants:        []string{"http://app.example.com", "https://www.example.com:8443"},
		Scope:           []string{"app.example.com", "www.example.com"},
		Rate:            50,
		Timeouts:        Timeouts{Connect: 5 * time.Second, TLS: 5 * time.Second, Header: 15 * time.Second, Request: 30 * time.Second, Check: 120 * time.Second, Cleanup: 60 * time.Second, Scan: 15 * time.Minute},
		MaxBodyBytes:    10 << 20,
		BodyBudgetBytes: 128 << 20,
		MaxHeaderBytes:  128 << 10,
		MaxRedirects:    10,
		RetryAfterMax:   10 * time.Second,
	}
	if !reflect.DeepEqual(c.Target, want) {
		t.Errorf("defaults: got %+v\nwant %+v", c.Target, want)
	}
	if c.Auth.Kind != "form" || c.Session.Kind != "cookie" || c.Auth.Logout.Method != "POST" {
		t.Errorf("defaults: auth.kind %q, session.kind %q, logout.method %q", c.Auth.Kind, c.Session.Kind, c.Auth.Logout.Method)
	}
	if o := c.Origin(); o == nil || o.String() != "https://App.Example.com" {
		t.Errorf("Origin() = %v", o)
	}
}

// invalidCases pairs each testdata/invalid-*.yaml with its exact error.
var invalidCases = map[string]string{
	"email-domain-scheme":   `launchready.yaml:4: email.domains[0]: want a domain name without a scheme, got "https://example.com"`,
	"email-domain-port":     `launchready.yaml:4: email.domains[1]: want a bare domain name (no port, path, address or spaces), got "mail.example.com:25"`,
	"email-domain-label":    `launchready.yaml:4: email.domains[0]: "-bad.example.com" is not a valid domain name (idna: invalid label "-bad")`,
	"email-domain-twice":    `launchready.yaml:4: email.domains[1]: EXAMPLE.com is listed twice (first at email.domains[0])`,
	"email-selector":        `launchready.yaml:5: email.selectors[1]: "s 2" is not a DKIM selector (a DNS label): label "s 2" holds ' '; want letters, digits and hyphens`,
	"email-from":            `launchready.yaml:6: email.sender.from: want a mail address like no-reply@example.com, got "no-reply"`,
	"email-return-path":     `launchready.yaml:7: email.sender.return_path: the address's domain: want a fully qualified domain name like example.com, got "localhost"`,
	"email-provider":        `launchready.yaml:4: email.provider_include: write the domain alone, without "include:" (got "include:_spf.example.net")`,
	"email-unknown-key":     `launchready.yaml:4: email.domain: unknown key (known keys: domains, selectors, sender, provider_include)`,
	"email-type-list":       `launchready.yaml:4: email.domains: want a list, got "example.com"`,
	"unknown-key":           `launchready.yaml:7: target.urll: unknown key (known keys: url, variants, scope, resolver, ca_file, rate, timeouts, max_body_bytes, body_budget, max_header_bytes, max_redirects, retry_after_max, pages, headers)`,
	"unknown-key-nested":    `launchready.yaml:7: auth.login.sucess: unknown key (known keys: path, action, form, json, success)`,
	"unknown-key-top":       `launchready.yaml:3: sessions: unknown key (known keys: target, auth, session, accounts, objects, admin, profile, crawl, source, email)`,
	"type-number":           `launchready.yaml:7: target.rate: want a number, got "fast"`,
	"type-tagged-string":    `launchready.yaml:3: target.rate: want a number, got "5"`,
	"type-whole-number":     `launchready.yaml:3: target.max_redirects: want a whole number, got "2.5"`,
	"type-list":             `launchready.yaml:3: target.variants: want a list, got "http://app.example.com"`,
	"type-mapping":          `launchready.yaml:3: auth: want a mapping, got a list`,
	"type-duration":         `launchready.yaml:4: target.timeouts.connect: want a duration like 5s, got "soon"`,
	"type-size":             `launchready.yaml:3: target.max_body_bytes: want a size like 10MiB, 128KiB or a number of bytes, got "10MB"`,
	"missing-target":        `launchready.yaml:2: missing required key "target"`,
	"missing-url":           `launchready.yaml:1: target: missing required key "url"`,
	"missing-password":      `launchready.yaml:7: accounts.a: missing required key "password"`,
	"account-null":          `launchready.yaml:4: accounts.a: missing required key "email"`,
	"literal-password":      `launchready.yaml:6: accounts.a.password: a literal secret is not allowed in the config; reference it instead as env:NAME (an environment variable) or file:PATH (a file holding only the secret)`,
	"form-literal-password": `launchready.yaml:8: auth.login.form.Passwd: a literal password is not allowed in the config; write "{{password}}" here and reference the password in accounts as env:NAME or file:PATH`,
	"env-unset":             `launchready.yaml:6: accounts.a.password: environment variable LR_MISSING is not set`,
	"env-unset-several": `launchready.yaml:4: environment variables the config references are unset or empty: ` +
		`LR_GATEWAY_KEY is not set (target.headers.X-Gateway-Key, line 4); LR_A_PASSWORD_TYPO is not set (accounts.a.password, line 8); ` +
		`LR_EMPTY is empty (accounts.b.email, line 10)`,
	"file-missing":          `launchready.yaml:4: accounts.a.password: cannot read file:a.password: open /cfg/a.password: file does not exist`,
	"secret-empty":          `launchready.yaml:4: accounts.a.password: file:empty.password is empty`,
	"reserved-top":          `launchready.yaml:3: perf: not supported by this version of launchready yet (the API performance checks are not implemented yet)`,
	"signup-literal":        `launchready.yaml:6: auth.signup.form.password: a literal password is not allowed in the config; write "{{password}}" here and reference the password in accounts as env:NAME or file:PATH`,
	"inbox-kind":            `launchready.yaml:5: auth.inbox.kind: want builtin, mailpit or imap, got "gmail"`,
	"imap-user":             `launchready.yaml:4: auth.inbox: missing required key "username" for an imap inbox`,
	"inbox-url-userinfo":    `launchready.yaml:6: auth.inbox.url: must not hold a user name or password; for a Mailpit behind basic auth give auth.inbox.username and auth.inbox.password (the password as env:NAME or file:PATH)`,
	"mailpit-no-password":   `launchready.yaml:4: auth.inbox: missing required key "password" for a mailpit inbox with a username (as env:NAME or file:PATH)`,
	"inbox-literal-secret":  `launchready.yaml:8: auth.inbox.password: a literal secret is not allowed in the config; reference it instead as env:NAME (an environment variable) or file:PATH (a file holding only the secret)`,
	"signup-scalar":         `launchready.yaml:4: auth.signup: want a mapping like {path: /signup} or none (the portal has no such flow), got "yes"`,
	"inbox-tag":             `launchready.yaml:4: auth.inbox.address: must contain {{tag}} so each account the scanner creates gets its own address, e.g. qa+{{tag}}@example.com`,
	"url-path":              `launchready.yaml:2: target.url: must be an origin without a path, got path "/login"; put pages under auth (e.g. auth.login.path)`,
	"url-relative":          `launchready.yaml:2: target.url: want the portal's origin as an absolute http(s) URL like https://app.example.com, got "app.example.com"`,
	"url-userinfo":          `launchready.yaml:2: target.url: must not hold a user name or password; put test members under accounts`,
	"variant-scope":         `launchready.yaml:6: target.variants[2]: host evil.example is not in target.scope`,
	"scope-entry":           `launchready.yaml:5: target.scope[1]: "*.example.com" is not a scope entry: want a host (app.example.com, any port), host:port (app.example.com:8443) or a URL prefix (https://storage.example.com/bucket/); hosts are lower-case, with no wildcards`,
	"resolver":              `launchready.yaml:3: target.resolver: want host:port of a DNS server like 127.0.0.1:53, got "127.0.0.1:dns"`,
	"ca-file":               `launchready.yaml:3: target.ca_file: notcert.pem holds no PEM CERTIFICATE block; want the CA certificate(s) in PEM form (-----BEGIN CERTIFICATE-----)`,
	"rate-zero":             `launchready.yaml:3: target.rate: must be a number of requests per second above 0, got 0`,
	"max-redirects":         `launchready.yaml:3: target.max_redirects: must be between 1 and 50, got 0`,
	"timeout-scan":          `launchready.yaml:5: target.timeouts.scan: must be a duration above 0, got 0s`,
	"recheck":               `launchready.yaml:4: auth.recheck: AUTH-006 waits it twice within target.timeouts.check (2m0s): make it less than half of that, got 1m30s`,
	"logout-kind":           `launchready.yaml:4: auth.logout.kind: want server (a request ends the session) or client (sign-out only forgets the token in the browser), got "browser"`,
	"logout-client-path":    `launchready.yaml:4: auth.logout: kind client sends no request: remove path and method (or use kind server for a logout request)`,
	"session-lifetime":      `launchready.yaml:4: session.lifetime: must be positive, like 336h (14 days)`,
	"type-scan-deadline":    `launchready.yaml:4: target.timeouts.scan: want a duration like 5s, got "15"`,
	"body-budget":           `launchready.yaml:4: target.body_budget: must be at least target.max_body_bytes (10485760), the largest body one response may hold, got 1048576`,
	"unknown-timeout":       `launchready.yaml:5: target.timeouts.deadline: unknown key (known keys: connect, tls, header, request, check, cleanup, scan)`,
	"token-header":          `launchready.yaml:3: session: kind token needs key "header" (the request header that carries the token, e.g. Authorization)`,
	"cookie-header":         `launchready.yaml:4: session.header: only used when session.kind is token`,
	"auth-kind":             `launchready.yaml:4: auth.kind: want form, json, supabase, firebase, clerk, magic_link, email_otp or recorded, got "saml" (other kinds are not supported by this version of launchready yet)`,
	"clerk-no-section":      `launchready.yaml:4: auth.kind: clerk needs an auth.clerk section: {secret_key: env:CLERK_SECRET_KEY}`,
	"clerk-literal-key":     `launchready.yaml:6: auth.clerk.secret_key: a literal secret is not allowed in the config; reference it instead as env:NAME (an environment variable) or file:PATH (a file holding only the secret)`,
	"clerk-publishable-key": `launchready.yaml:7: auth.clerk.secret_key: env:CLERK_PK holds a publishable key (pk_…); give the instance's secret key (sk_test_… or sk_live_…, Clerk Dashboard → API keys)`,
	"magic-link-no-inbox":   `launchready.yaml:4: auth.kind: magic_link needs auth.inbox: the mailbox the accounts' sign-in mail arrives in`,
	"magic-link-no-section": `launchready.yaml:4: auth.kind: magic_link needs an auth.magic_link section: {path: /login, form: {email: "{{email}}"}}`,
	"magic-link-regexp":     "launchready.yaml:9: auth.magic_link.link: want a path prefix starting with / or a regular expression: error parsing regexp: missing closing ): `auth/(magic`",
	"otp-no-inbox":          `launchready.yaml:4: auth.kind: email_otp needs auth.inbox: the mailbox the accounts' sign-in mail arrives in`,
	"otp-no-verify":         `launchready.yaml:6: auth.email_otp: missing required key "verify"`,
	"otp-code-regexp":       `launchready.yaml:10: auth.email_otp.code: want exactly one capturing group (…) around the code, got 0 in "code: \\d{6}"`,
	"otp-verify-no-code":    `launchready.yaml:9: auth.email_otp.verify.form: needs a field holding "{{code}}", where the code from the mail goes`,
	"recorded-missing":      "launchready.yaml:6: auth.recorded.a: cannot read the session file: open /cfg/launchready-session-a.json: file does not exist; record it with `launchready login --record --account a --out launchready-session-a.json`",
	"recorded-malformed":    "launchready.yaml:5: auth.recorded.a: bad-session.json is not a launchready session recording (invalid JSON: unexpected EOF); record it again with `launchready login --record --account a --out bad-session.json`",
	"recorded-origin":       "launchready.yaml:7: auth.recorded.b: other-origin.json was recorded on https://staging.example.com, not on target.url https://app.example.com; record it again on this portal with `launchready login --record --account b --out other-origin.json`",
	"recorded-no-section":   "launchready.yaml:4: auth.kind: recorded needs an auth.recorded section naming each member's session file, like {a: launchready-session-a.json}; write it with `launchready login --record --account a --out launchready-session-a.json`",
	"recorded-token-from":   `launchready.yaml:6: session.from: for a recorded session, "token": want localStorage:KEY, sessionStorage:KEY or cookie:NAME, optionally followed by #field for a field of a JSON value (localStorage:sb-ref-auth-token#access_token)`,
	"recorded-same-file":    `launchready.yaml:7: auth.recorded.b: ./session-a.json is also auth.recorded.a's; each member needs a session of its own, signed in by hand as that member`,
	"recorded-account":      `launchready.yaml:6: auth.recorded.c: unknown key (known keys: a, b, admin)`,
	"supabase-no-section":   `launchready.yaml:4: auth.kind: supabase needs an auth.supabase section: {url: https://<ref>.supabase.co, anon_key: …}`,
	"supabase-secret-key":   `launchready.yaml:7: auth.supabase.anon_key: is a secret key (service_role or sb_secret_): give the publishable anon key; a scan must act as the browser does, and a secret key bypasses every row-level security policy`,
	"supabase-url":          `launchready.yaml:5: auth.supabase.url: want an absolute https:// URL with no query or credentials, got "ftp://db.example.com"`,
	"firebase-project":      `launchready.yaml:7: auth.firebase.project_id: want a Firebase project ID (6 to 30 lower-case letters, digits and -), got "My Project"`,
	"login-path":            `launchready.yaml:4: auth.login.path: want a path on the target starting with /, like /dashboard, got "login"`,
	"protected-path":        `launchready.yaml:6: auth.protected[1]: want a path on the target starting with /, like /dashboard, got "billing"`,
	"callback-other-host":   `launchready.yaml:5: auth.callbacks[0]: want a path on the target starting with /, like /dashboard, got "https://evil.example/cb"`,
	"admin-method":          `launchready.yaml:3: admin[1]: want /path or METHOD /path (GET, HEAD, POST, PUT, PATCH, DELETE), got "FETCH /api/admin"`,
	"crawl-pages":           `launchready.yaml:3: crawl.pages: must be between 1 and 500, got 100000`,
	"object-brace":          `launchready.yaml:4: invalid YAML: did not find expected ',' or '}' (inside a {…} mapping, quote a path holding {id}: item: "/api/invoices/{id}")`,
	"object-duplicate":      `launchready.yaml:5: objects[1].name: "notes" is already the name of objects[0]`,
	"object-empty":          `launchready.yaml:4: objects[0]: needs "list" (where member a's notes are listed) or "item" (how one is read, with {id}), or both`,
	"object-name":           `launchready.yaml:4: objects[0].name: want a short name of lower-case letters, digits, - or _ (like invoices), got "Invoices!"`,
	"object-no-id":          `launchready.yaml:4: objects[0].item: must hold {id} once, where the object's ID goes (like /api/invoices/{id}), got "/api/invoices"`,
	"object-placeholder":    `launchready.yaml:6: objects[0].create.json.body: unknown placeholder {{token}} (only {{self.id}}, {{email}}, {{tag}} and {{canary}} are replaced here)`,
	"object-update-canary":  `launchready.yaml:6: objects[0].update: needs a field holding "{{canary}}" (a unique marker the scanner writes and then looks for)`,
	"profile-method":        `launchready.yaml:3: profile.method: want POST, PUT or PATCH (the request that saves the profile), got "GET"`,
	"protected-other-host":  `launchready.yaml:4: auth.protected[1]: want a path on the target starting with /, like /dashboard, got "//evil.example/x"`,
	"logout-scalar":         `launchready.yaml:4: auth.logout: want a mapping like {path: /logout} or none (the portal has no such flow), got "off"`,
	"logout-no-path":        `launchready.yaml:4: auth.logout: missing required key "path" (or write logout: none when the portal has no logout)`,
	"placeholder":           `launchready.yaml:6: auth.login.form.csrf: unknown placeholder {{token}} (only {{email}} and {{password}} are replaced here)`,
	"account-name":          `launchready.yaml:5: accounts.c: unknown account (want a, b or admin; me is how a member reads its own record)`,
	"duplicate-emails":      `launchready.yaml:8: accounts.b.email: same email as accounts.a.email; members a and b must be two different accounts`,
	"duplicate-key":         `launchready.yaml:4: target.url: duplicate key (first written on line 2)`,
	"merge-key":             `launchready.yaml:5: session: merge keys (<<) are not supported; write the keys out`,
	"empty":                 `launchready.yaml:1: the config is empty; it needs at least target.url (launchready init URL writes one to fill in)`,
	"not-mapping":           `launchready.yaml:1: want a mapping of top-level keys (target, auth, session, accounts), got a list`,
	"multi-doc":             `launchready.yaml:3: more than one YAML document (---); put the whole config in one`,
	"syntax":                `launchready.yaml:2: invalid YAML: found character that cannot start any token`,
	"syntax-first-line":     `launchready.yaml:1: invalid YAML: mapping values are not allowed in this context`,
	"source-no-repo":        `launchready.yaml:3: source: missing required key "repo"`,
	"source-empty-build":    `launchready.yaml:5: source.build[1]: needs a path (relative to the config file, e.g. . or dist)`,
	"source-duplicate-log":  `launchready.yaml:7: source.ci_logs[1]: ci/./build.log is listed twice (first at source.ci_logs[0])`,
	"source-unknown-key":    `launchready.yaml:5: source.logs: unknown key (known keys: repo, build, ci_logs, waivers)`,
	// JSON-API portals (issue 13, defect 8).
	"account-login-member":   `launchready.yaml:7: accounts.a.login: only accounts.admin may log in elsewhere; members log in at auth.login`,
	"admin-login-body":       `launchready.yaml:7: accounts.admin.login: needs json (sent straight to path) or form (the login form's fields), like json: {email: "{{email}}", password: "{{password}}"}`,
	"confirm-token-regexp":   `launchready.yaml:10: auth.signup.confirm.token: want exactly one capturing group (…) around the token, got 0 in "key=[A-Za-z0-9]+"`,
	"flow-method-form":       `launchready.yaml:6: auth.reset.method: only a json flow takes a method; a form is submitted the way its page says`,
	"header-reserved":        `launchready.yaml:5: target.headers.host: the scanner sets Host itself; it cannot be a target header`,
	"login-json-and-form":    `launchready.yaml:5: auth.login: give json or form, not both`,
	"login-json-kind-form":   `launchready.yaml:6: auth.login.json: is the body of a JSON login: set auth.kind json, or give the login form's fields under form`,
	"me-empty":               `launchready.yaml:4: accounts.me: needs a value: how a member reads its own record, like {path: /api/me, id_field: id}`,
	"me-method":              `launchready.yaml:5: accounts.me.method: want GET or POST, got "DELETE"`,
	"pages-path":             `launchready.yaml:5: target.pages[1]: want a path on the target starting with /, like /dashboard, got "login.html"`,
	"password-in-path":       `launchready.yaml:9: auth.signup.delete.path: {{password}} cannot go in a path (paths end up in logs and browser histories): send it in the body`,
	"request-placeholder":    `launchready.yaml:7: auth.signup.request.json.token: unknown placeholder {{token}} (only {{email}} and {{tag}} are replaced here)`,
	"reset-confirm-password": `launchready.yaml:9: auth.reset.confirm.json.password: write "{{new_password}}" here: the scanner picks the new password the reset sets (a literal password is never allowed in the config)`,
	"self-id-no-me":          `launchready.yaml:8: objects[0].create.json.owner: {{self.id}} needs accounts.me, how a member reads its own record (like {path: /api/me, id_field: id})`,
	"signup-confirm-token":   `launchready.yaml:8: auth.signup.confirm: needs {{token}} in its path or a field`,
	"signup-self-id":         `launchready.yaml:8: auth.signup.json.referrer: {{self.id}} cannot be filled here: no member is logged in when this is sent (only {{email}}, {{password}} and {{tag}} are replaced here)`,
}

func TestParseInvalid(t *testing.T) {
	files, err := filepath.Glob("testdata/invalid-*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(invalidCases) {
		t.Errorf("%d invalid fixtures but %d cases: pair every fixture with its message", len(files), len(invalidCases))
	}
	for _, f := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "invalid-"), ".yaml")
		t.Run(name, func(t *testing.T) {
			want, ok := invalidCases[name]
			if !ok {
				t.Fatalf("no expected message for %s", f)
			}
			c, err := Parse(readFixture(t, filepath.Base(f)), "launchready.yaml", testOptions(t))
			if err == nil {
				t.Fatalf("Parse succeeded (%+v), want error:\n%s", c, want)
			}
			if err.Error() != want {
				t.Errorf("error:\n got  %s\n want %s", err, want)
			}
			var cfgErr *Error
			if !errors.As(err, &cfgErr) {
				t.Errorf("error is %T, want *config.Error", err)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error echoes a literal secret: %s", err)
			}
		})
	}
}

func TestParseFileName(t *testing.T) {
	for path, want := range map[string]string{
		"":                       "launchready.yaml:1: the config is empty",
		"/etc/portal/stage.yaml": "stage.yaml:1: the config is empty",
	} {
		_, err := Parse(nil, path, Options{})
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("Parse(nil, %q) = %v, want prefix %q", path, err, want)
		}
	}
}

func TestLoadResolvesRelativeFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("a.password", "pa\n")
	write("b.password", "pb\r\n")
	write("ca.pem", string(testCAPEM(t)))
	write("launchready.yaml", "target:\n  url: https://app.example.com\n  ca_file: ca.pem\n"+
		"accounts:\n  a: {email: a@example.com, password: file:a.password}\n  b: {email: b@example.com, password: file:b.password}\n")
	c, err := Load(filepath.Join(dir, "launchready.yaml"))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got := c.Accounts["a"].Password.Value + "," + c.Accounts["b"].Password.Value; got != "pa,pb" {
		t.Errorf("passwords = %q, want trailing newlines trimmed", got)
	}
	if want := filepath.Join(dir, "ca.pem"); c.Target.CAFile != want {
		t.Errorf("ca_file = %q, want %q", c.Target.CAFile, want)
	}
	if _, err := Load(filepath.Join(dir, "absent.yaml")); err == nil || !strings.HasPrefix(err.Error(), "absent.yaml: cannot read the config: ") {
		t.Errorf("Load(absent) = %v", err)
	}
}

func TestSecretNeverPrinted(t *testing.T) {
	c, err := Parse(readFixture(t, "valid-full.yaml"), "", testOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		if s := fmt.Sprintf(format, c.Accounts["a"]); strings.Contains(s, "pa-secret") {
			t.Errorf("%s prints the secret: %s", format, s)
		}
	}
}

func TestNeed(t *testing.T) {
	c, err := Parse(readFixture(t, "valid-full.yaml"), "", testOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range NeedKeys() {
		state, _ := c.Need(key)
		want := NeedPresent
		if key == "session.cookie" {
			want = NeedAbsent
		}
		if state != want {
			t.Errorf("full config: Need(%q) = %v, want %v", key, state, want)
		}
	}

	bare, err := Parse([]byte("target:\n  url: https://app.example.com\n  variants: [https://app.example.com/]\nauth:\n  logout: none\n"),
		"stage.yaml", testOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]struct {
		state  NeedState
		reason string
	}{
		"auth.login":      {NeedMissing, "stage.yaml has no auth.login: add auth.login with the login form's path and fields"},
		"auth.protected":  {NeedMissing, "stage.yaml has no auth.protected: add auth.protected with the pages that need a login, e.g. [/dashboard]"},
		"auth.logout":     {NeedAbsent, "stage.yaml declares auth.logout: none (the portal has no logout)"},
		"accounts.a":      {NeedMissing, "stage.yaml has no accounts.a: add accounts.a with a test member's email and password (password as env:NAME or file:PATH)"},
		"accounts.b":      {NeedMissing, "stage.yaml has no accounts.b: add accounts.b with a test member's email and password (password as env:NAME or file:PATH)"},
		"session.cookie":  {NeedPresent, ""},
		"target.variants": {NeedMissing, "stage.yaml has no target.variants: list the other addresses of the portal (http://, www.) to check each lands on target.url"},
		"auth.signupp":    {NeedMissing, `config key "auth.signupp" is unknown to launchready's config package (a launchready bug); known keys: auth.login, auth.form, auth.protected, auth.logout, auth.signup, auth.reset, auth.inbox, accounts.a, accounts.b, accounts.admin, session.cookie, target.variants, objects, objects.create, admin, profile, source.repo, source.ci_logs`},
		"source.repo":     {NeedAbsent, "stage.yaml has no source: section, so this scan covers the live portal only; add source: {repo: .} (and build: [dist]) to check the repository too, or run `launchready secrets`"},
	} {
		state, reason := bare.Need(key)
		if state != want.state || reason != want.reason {
			t.Errorf("Need(%q) = %v, %q\nwant %v, %q", key, state, reason, want.state, want.reason)
		}
	}
	if c.Email("a") != "a@example.com" || c.Email("nobody") != "" {
		t.Errorf("Email: a=%q nobody=%q", c.Email("a"), c.Email("nobody"))
	}
}

func TestDecodeScalars(t *testing.T) {
	type sample struct {
		On         bool          `yaml:"on"`
		N          int           `yaml:"n"`
		LimitBytes int64         `yaml:"limit"`
		Wait       time.Duration `yaml:"wait"`
	}
	for _, tc := range []struct{ in, want string }{
		{"on: true\nn: 0x10\nlimit: 128KiB\nwait: 1m30s\n", ""},
		{"on: maybe\n", `launchready.yaml:1: on: want true or false, got "maybe"`},
		{"n: [1]\n", `launchready.yaml:1: n: want a whole number, got a list`},
		{"n: 99999999999999999999\n", `launchready.yaml:1: n: want a whole number, got "99999999999999999999"`},
		{"limit: 9999999999999GiB\n", `launchready.yaml:1: limit: want a size like 10MiB, 128KiB or a number of bytes, got "9999999999999GiB"`},
		{"limit: -1\n", `launchready.yaml:1: limit: want a size like 10MiB, 128KiB or a number of bytes, got "-1"`},
		{"wait: {}\n", `launchready.yaml:1: wait: want a duration like 5s, got a mapping`},
	} {
		root, err := parseDocument([]byte(tc.in), DefaultFileName)
		if err != nil {
			t.Fatal(err)
		}
		var s sample
		d := &decoder{src: newSource("", Options{})}
		err = d.decodeStruct(root, reflect.ValueOf(&s).Elem(), "")
		if got := errString(err); got != tc.want {
			t.Errorf("decode %q:\n got  %s\n want %s", tc.in, got, tc.want)
		}
		if tc.want == "" && (s != sample{On: true, N: 16, LimitBytes: 128 << 10, Wait: 90 * time.Second}) {
			t.Errorf("decode %q = %+v", tc.in, s)
		}
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "512": 512, "512B": 512, "10 MiB": 10 << 20, "128KiB": 128 << 10, "2GiB": 2 << 30} {
		if got, ok := parseSize(in); !ok || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "MiB", "10MB", "1.5MiB", "-1", "10 kib"} {
		if got, ok := parseSize(in); ok {
			t.Errorf("parseSize(%q) = %d, want refused", in, got)
		}
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// FuzzParse checks that no input makes Parse panic and that every error
// stays on one line.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob("testdata/*.yaml")
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range files {
		f.Add(readFixture(f, filepath.Base(file)))
	}
	ca := string(testCAPEM(f))
	opts := Options{
		BaseDir: "/cfg",
		Getenv:  fakeEnv(),
		ReadFile: func(p string) ([]byte, error) {
			if strings.HasSuffix(p, ".pem") {
				return []byte(ca), nil
			}
			return fakeFiles(map[string]string{"/cfg/b.password": "pb\n"})(p)
		},
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data, "launchready.yaml", opts)
		if err != nil {
			if strings.ContainsAny(err.Error(), "\r\n") {
				t.Errorf("error spans lines: %q", err)
			}
			return
		}
		if c.Origin() == nil {
			t.Errorf("valid config without an origin: %q", c.Target.URL)
		}
		for _, key := range NeedKeys() {
			c.Need(key)
		}
	})
}

func TestParseJourney(t *testing.T) {
	yaml := `target:
  url: https://app.example.com
auth:
  signup: {path: /signup, form: {email: "{{email}}", password: "{{password}}", name: Test}, verify: true, delete: {path: /account/delete}}
  reset: none
  inbox: {kind: imap, host: imap.example.com:993, username: qa@example.com, password: env:LR_B_PASSWORD, address: "qa+{{tag}}@example.com"}
`
	c, err := Parse([]byte(yaml), "", testOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	s, r, ib := c.Auth.Signup, c.Auth.Reset, c.Auth.Inbox
	if s.Path != "/signup" || !s.Verify || s.Delete.Method != "POST" || s.Form["name"] != "Test" {
		t.Errorf("signup = %+v", s)
	}
	if r == nil || !r.None {
		t.Errorf("reset: none not read: %+v", r)
	}
	if ib.Kind != "imap" || ib.Mailbox != "INBOX" || ib.Wait != DefaultInboxWait || ib.Password.Value == "" || ib.Username.Value != "qa@example.com" {
		t.Errorf("inbox = %+v", ib)
	}
}

// TestNeedLoginByKind: every login kind gives sessions (auth.login); only
// the portal's own form, json or passwordless login is one the login
// checks can drive (auth.form): a platform's sign-in is the provider's
// (N/A), a recorded one cannot be driven (SKIP).
func TestNeedLoginByKind(t *testing.T) {
	for _, tc := range []struct {
		name, auth   string
		login, form  NeedState
		formContains string
	}{
		{"form", "  login: {path: /login}\n", NeedPresent, NeedPresent, ""},
		{"json", "  kind: json\n  login: {path: /api/login, json: {email: \"{{email}}\", password: \"{{password}}\"}}\n", NeedPresent, NeedPresent, ""},
		{"supabase", "  kind: supabase\n  supabase: {url: https://abcdefghijklmnopqrst.supabase.co, anon_key: sb_publishable_abc123}\n",
			NeedPresent, NeedAbsent, "through Supabase Auth"},
		{"firebase", "  kind: firebase\n  firebase: {api_key: AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q, project_id: demo-portal}\n",
			NeedPresent, NeedAbsent, "through Firebase Authentication"},
		{"clerk", "  kind: clerk\n  clerk: {secret_key: env:CLERK_SK}\n", NeedPresent, NeedAbsent, "through Clerk"},
		{"no login", "", NeedMissing, NeedMissing, "no auth.login"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse([]byte("target: {url: https://app.example.com}\nauth:\n"+tc.auth+"accounts:\n  a: {email: env:LR_A_EMAIL, password: env:LR_A_PASSWORD}\n"),
				"", testOptions(t))
			if err != nil {
				t.Fatal(err)
			}
			if got, why := c.Need("auth.login"); got != tc.login {
				t.Errorf("auth.login = %v (%s), want %v", got, why, tc.login)
			}
			got, why := c.Need("auth.form")
			if got != tc.form || !strings.Contains(why, tc.formContains) {
				t.Errorf("auth.form = %v (%s), want %v containing %q", got, why, tc.form, tc.formContains)
			}
		})
	}
}
