package client_test

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/config"
	"github.com/launchready/launchready/internal/fakes/clerk"
	"github.com/launchready/launchready/internal/fakesecret"
)

// clerkPortal is a portal behind Clerk: it verifies the session token (the
// __session cookie, or a bearer token) against the instance's JWKS, as
// Clerk's "Manual JWT verification" guide describes.
type clerkPortal struct {
	api, secret string

	mu  sync.Mutex
	key *rsa.PublicKey
}

func (p *clerkPortal) jwk() (*rsa.PublicKey, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.key != nil {
		return p.key, nil
	}
	req, _ := http.NewRequest(http.MethodGet, p.api+"/v1/jwks", nil)
	req.Header.Set("Authorization", "Bearer "+p.secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	p.key, err = clerk.KeyFromJWKS(raw, "")
	return p.key, err
}

func (p *clerkPortal) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/sign-in" {
		fmt.Fprint(w, "<form method=post><input name=identifier></form>")
		return
	}
	tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if c, err := r.Cookie("__session"); err == nil {
		tok = c.Value
	}
	key, err := p.jwk()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	claims, err := clerk.Verify(tok, key, time.Now())
	if err != nil {
		if r.Header.Get("Authorization") != "" {
			http.Error(w, "signed out: "+err.Error(), http.StatusUnauthorized)
			return
		}
		http.Redirect(w, r, "/sign-in", http.StatusFound)
		return
	}
	fmt.Fprintf(w, "<h1>Dashboard of %s</h1>", claims.Sub)
}

func parseWithEnv(t *testing.T, yaml string, env map[string]string) *config.Config {
	t.Helper()
	cfg, err := config.Parse([]byte(yaml), "", config.Options{Getenv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestClerkLogin: auth.kind clerk mints a session through the fake Backend
// API and presents its 2 s token to the portal as the __session cookie or
// a bearer token; a request after the first token's expiry is renewed,
// not refused.
func TestClerkLogin(t *testing.T) {
	fake, err := clerk.New(clerk.Options{TokenTTL: 2 * time.Second,
		Users: []clerk.User{{ID: "user_aaa", Email: "a@portal.test"}, {ID: "user_bbb", Email: "b@portal.test"}}})
	if err != nil {
		t.Fatal(err)
	}
	api := httptest.NewServer(fake)
	t.Cleanup(api.Close)
	portal := httptest.NewServer(&clerkPortal{api: api.URL, secret: fake.SecretKey()})
	t.Cleanup(portal.Close)
	env := map[string]string{"CLERK_SECRET_KEY": fake.SecretKey()}
	base := fmt.Sprintf("target: {url: %s, scope: [127.0.0.1]}\nauth:\n  kind: clerk\n  clerk: {secret_key: env:CLERK_SECRET_KEY, api_url: %s}\n  protected: [/dashboard]\n"+
		"accounts:\n  a: {email: a@portal.test}\n  b: {email: b@portal.test}\n", portal.URL, api.URL)
	ctx := context.Background()

	for _, tc := range []struct{ name, session string }{{"cookie", ""}, {"token", "session: {kind: token}\n"}} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := parseWithEnv(t, base+tc.session, env)
			cl, ss, err := client.FromConfig(cfg, "test")
			if err != nil {
				t.Fatal(err)
			}
			a, err := ss.Get(ctx, "a")
			if err != nil {
				t.Fatal(err)
			}
			if v := a.Login.Verified; v == nil || v.StatusCode != http.StatusOK || !strings.Contains(string(v.Body), "user_aaa") {
				t.Fatalf("login not verified on the portal: %+v", v)
			}
			if tc.name == "cookie" && (a.Token() != "" || len(a.Cookies(a.Login.Verified.URL)) == 0) {
				t.Errorf("cookie session: token %q, cookies %v", a.Token(), a.Cookies(a.Login.Verified.URL))
			}
			if tc.name == "token" && !strings.HasPrefix(a.Token(), "Bearer ey") {
				t.Errorf("token session: token %q", cl.Redactor().Redact(a.Token()))
			}
			time.Sleep(2100 * time.Millisecond) // the first token has expired
			resp, err := a.Do(ctx, &client.Request{URL: portal.URL + "/dashboard", Follow: true})
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusOK || !strings.Contains(string(resp.Body), "user_aaa") {
				t.Fatalf("after expiry: %d %s", resp.StatusCode, resp.Body)
			}
			if a.Renewals() < 1 {
				t.Errorf("renewals = %d, want the expired token renewed", a.Renewals())
			}
			if got := cl.Redactor().Redact("key " + fake.SecretKey()); strings.Contains(got, fake.SecretKey()) {
				t.Errorf("secret key not redacted: %s", got)
			}
			b, err := ss.Get(ctx, "b")
			if err != nil || !strings.Contains(string(b.Login.Verified.Body), "user_bbb") {
				t.Errorf("member b: %v", err)
			}
		})
	}
}

// TestClerkLoginErrors: an unknown member, a wrong key and a production
// instance each fail with a message saying which.
func TestClerkLoginErrors(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		opts  clerk.Options
		key   string // "" = the instance's
		email string
		want  string
	}{
		{"unknown member", clerk.Options{}, "", "nobody@portal.test", "the Clerk instance has no user with the email address nobody@portal.test"},
		{"wrong key", clerk.Options{}, fakesecret.ClerkWrongKey, "a@portal.test", "Clerk refused the secret key auth.clerk.secret_key (status 401: authentication_invalid:"},
		{"production", clerk.Options{SecretKey: fakesecret.ClerkProdKey}, "", "a@portal.test", "only on development instances"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.Users = []clerk.User{{Email: "a@portal.test"}}
			fake, err := clerk.New(tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			api := httptest.NewServer(fake)
			t.Cleanup(api.Close)
			key := tc.key
			if key == "" {
				key = fake.SecretKey()
			}
			cfg := parseWithEnv(t, fmt.Sprintf("target: {url: %s, scope: [127.0.0.1]}\nauth:\n  kind: clerk\n  clerk: {secret_key: env:K, api_url: %s}\n  protected: [/dashboard]\n"+
				"accounts:\n  a: {email: %s}\n", api.URL, api.URL, tc.email), map[string]string{"K": key})
			cl, ss, err := client.FromConfig(cfg, "test")
			if err != nil {
				t.Fatal(err)
			}
			_, err = ss.Login(ctx, "a")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
			t.Logf("%v", cl.Redactor().Redact(err.Error()))
			if strings.Contains(cl.Redactor().Redact(err.Error()), key) {
				t.Errorf("error shows the key: %v", err)
			}
		})
	}
}

// mailbox is a Mailpit-shaped REST API over an in-memory list, the shape
// the mailpit and builtin inbox kinds read.
type mailbox struct {
	mu   sync.Mutex
	msgs []mailMsg // oldest first
	n    int
}

type mailMsg struct {
	ID, To, Subject, Text, HTML string
	Created                     time.Time
}

func (b *mailbox) send(to, subject, text, html string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.n++
	b.msgs = append(b.msgs, mailMsg{ID: fmt.Sprintf("m%d", b.n), To: to, Subject: subject, Text: text, HTML: html, Created: time.Now()})
}

func (b *mailbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.mu.Lock()
	defer b.mu.Unlock()
	addr := func(a string) []map[string]string { return []map[string]string{{"Name": "", "Address": a}} }
	switch {
	case r.URL.Path == "/api/v1/search":
		to := strings.Trim(strings.TrimPrefix(r.URL.Query().Get("query"), "to:"), `"`)
		list := []map[string]any{}
		for i := len(b.msgs) - 1; i >= 0; i-- {
			if m := b.msgs[i]; strings.EqualFold(m.To, to) {
				list = append(list, map[string]any{"ID": m.ID, "To": addr(m.To), "Subject": m.Subject, "Created": m.Created.Format(time.RFC3339Nano)})
			}
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"messages": list})
	case strings.HasPrefix(r.URL.Path, "/api/v1/message/") && !strings.HasSuffix(r.URL.Path, "/raw"):
		id := strings.TrimPrefix(r.URL.Path, "/api/v1/message/")
		for _, m := range b.msgs {
			if m.ID == id {
				_ = json.NewEncoder(w).Encode(map[string]any{"ID": m.ID, "From": map[string]string{"Address": "no-reply@portal.test"},
					"To": addr(m.To), "Subject": m.Subject, "Date": m.Created.Format(time.RFC3339Nano), "Text": m.Text, "HTML": m.HTML})
				return
			}
		}
		http.NotFound(w, r)
	default:
		http.NotFound(w, r)
	}
}

// mailPortal is a passwordless portal: /login mails a sign-in link or a
// one-time code, /magic and /verify redeem them once.
type mailPortal struct {
	box  *mailbox
	base string
	// silent sends no mail; expire makes every link and code stale.
	silent, expire bool
	// delay holds each mail back, as a real mailer's queue does.
	delay time.Duration

	mu       sync.Mutex
	pending  map[string]string // token or code → email
	sessions map[string]string // cookie → email
	n        int
}

func newMailPortal(box *mailbox) *mailPortal {
	return &mailPortal{box: box, pending: map[string]string{}, sessions: map[string]string{}}
}

func (p *mailPortal) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case r.URL.Path == "/login" && r.Method == http.MethodGet:
		fmt.Fprint(w, `<form method=post action=/login><input type=hidden name=csrf value=c1><input name=email></form>`)
	case r.URL.Path == "/login":
		if r.FormValue("csrf") != "c1" {
			http.Error(w, "csrf", http.StatusForbidden)
			return
		}
		p.n++
		email := r.FormValue("email")
		token := fmt.Sprintf("tok%020d", p.n)
		code := fmt.Sprintf("%06d", 400000+p.n*7919%99999)
		p.pending[token], p.pending[code] = email, email
		if !p.silent {
			send := p.box.send
			if p.delay > 0 {
				send = func(to, subject, text, html string) {
					time.AfterFunc(p.delay, func() { p.box.send(to, subject, text, html) })
				}
			}
			send(email, "Sign in to Portal",
				fmt.Sprintf("Sent 2026-11-29 10:%02d\nHello!\nYour sign-in code is %s.\nOr open %s/magic?token=%s\n\nUnsubscribe: %s/unsubscribe?u=1\nPortal Ltd, company no. 09876543",
					p.n%60, code, p.base, token, p.base),
				fmt.Sprintf(`<p>Sign in with <a href="%s/unsubscribe?u=1">x</a><a href="%s/magic?token=%s">this link</a></p><p>Code: <b>%s</b></p>`, p.base, p.base, token, code))
		}
		http.Redirect(w, r, "/check-email", http.StatusSeeOther)
	case r.URL.Path == "/check-email":
		fmt.Fprint(w, "Check your email")
	case r.URL.Path == "/magic":
		p.redeem(w, r, r.URL.Query().Get("token"))
	case r.URL.Path == "/verify" && r.Method == http.MethodGet:
		fmt.Fprint(w, `<form method=post><input name=email><input name=code></form>`)
	case r.URL.Path == "/verify":
		if email, ok := p.pending[r.FormValue("code")]; !ok || p.expire || email != r.FormValue("email") {
			fmt.Fprint(w, `<p>Wrong code</p><form method=post><input name=email><input name=code></form>`)
			return
		}
		p.redeem(w, r, r.FormValue("code"))
	case r.URL.Path == "/dashboard":
		c, err := r.Cookie("sid")
		if err != nil || p.sessions[c.Value] == "" {
			http.Redirect(w, r, "/login", http.StatusFound)
			return
		}
		fmt.Fprintf(w, "<h1>Welcome %s</h1>", p.sessions[c.Value])
	default:
		http.NotFound(w, r)
	}
}

// redeem spends a token or code and starts a session; the caller holds mu.
func (p *mailPortal) redeem(w http.ResponseWriter, r *http.Request, secret string) {
	email, ok := p.pending[secret]
	if !ok || p.expire {
		http.Error(w, "This link has expired", http.StatusGone)
		return
	}
	delete(p.pending, secret)
	sid := fmt.Sprintf("s%d-%s", len(p.sessions), secret)
	p.sessions[sid] = email
	http.SetCookie(w, &http.Cookie{Name: "sid", Value: sid, Path: "/", HttpOnly: true})
	http.Redirect(w, r, "/dashboard", http.StatusFound)
}

// TestMailLogins: magic_link and email_otp log in against a loopback portal
// that mails into a Mailpit-shaped inbox; a second login uses its own,
// newer mail; a stale link or code and a silent portal fail clearly and
// promptly.
func TestMailLogins(t *testing.T) {
	ctx := context.Background()
	kinds := map[string]string{
		"magic_link": "  magic_link: {path: /login, form: {email: \"{{email}}\"}, link: /magic}\n",
		"email_otp":  "  email_otp: {path: /login, form: {email: \"{{email}}\"}, verify: {path: /verify, form: {email: \"{{email}}\", code: \"{{code}}\"}}}\n",
	}
	for _, kind := range []string{"magic_link", "email_otp"} {
		t.Run(kind, func(t *testing.T) {
			box := &mailbox{}
			boxSrv := httptest.NewServer(box)
			t.Cleanup(boxSrv.Close)
			portal := newMailPortal(box)
			srv := httptest.NewServer(portal)
			t.Cleanup(srv.Close)
			portal.base = srv.URL
			yaml := fmt.Sprintf("target: {url: %s, scope: [127.0.0.1]}\nauth:\n  kind: %s\n%s  protected: [/dashboard]\n"+
				"  inbox: {kind: mailpit, url: %q, address: \"qa+{{tag}}@portal.test\", wait: 1500ms}\n"+
				"accounts:\n  a: {email: a@portal.test}\n  b: {email: b@portal.test}\n", srv.URL, kind, kinds[kind], boxSrv.URL)
			cl, ss, err := client.FromConfig(parseWithEnv(t, yaml, nil), "test")
			if err != nil {
				t.Fatal(err)
			}
			for i := range 2 {
				// The second login's mail is late: the first one, spent and
				// still within the clock slack, must not be taken instead.
				portal.mu.Lock()
				portal.delay = time.Duration(i) * 700 * time.Millisecond
				portal.mu.Unlock()
				a, err := ss.Login(ctx, "a")
				if err != nil {
					t.Fatalf("login %d: %v", i+1, err)
				}
				if v := a.Login.Verified; v == nil || !strings.Contains(string(v.Body), "Welcome a@portal.test") {
					t.Fatalf("login %d not verified: %+v", i+1, v)
				}
			}
			portal.mu.Lock()
			portal.delay = 0
			portal.mu.Unlock()
			if _, err := ss.Login(ctx, "b"); err != nil {
				t.Fatalf("member b: %v", err)
			}
			// The first login's credential: its link's token or its code.
			secret := map[string]string{"magic_link": "tok00000000000000000001", "email_otp": "407919"}[kind]
			if got := cl.Redactor().Redact(secret); got != client.Mask {
				t.Errorf("the mail's credential is not redacted: %s", got)
			}

			portal.mu.Lock()
			portal.expire = true
			portal.mu.Unlock()
			_, err = ss.Login(ctx, "a")
			want := map[string]string{"magic_link": "the sign-in link answered 410", "email_otp": "the code was refused or expired"}[kind]
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("stale mail: err = %v, want %q", err, want)
			}
			t.Logf("stale mail: %v", err)

			portal.mu.Lock()
			portal.expire, portal.silent = false, true
			portal.mu.Unlock()
			// A hang would end at this deadline with another error.
			hangCtx, cancelHang := context.WithTimeout(ctx, time.Minute)
			_, err = ss.Login(hangCtx, "b")
			cancelHang()
			want = "no sign-in mail to b@portal.test arrived in the mailpit inbox at " + boxSrv.URL + " within 1.5s"
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("no mail: err = %v, want %q", err, want)
			}
			t.Logf("no mail: %v", err)
		})
	}
}

// TestMagicLinkNoMatchingLink: a mail whose links are all off the portal
// or do not match auth.magic_link.link is an error naming the setting.
func TestMagicLinkNoMatchingLink(t *testing.T) {
	box := &mailbox{}
	boxSrv := httptest.NewServer(box)
	t.Cleanup(boxSrv.Close)
	portal := newMailPortal(box)
	srv := httptest.NewServer(portal)
	t.Cleanup(srv.Close)
	portal.base = srv.URL
	yaml := fmt.Sprintf("target: {url: %s, scope: [127.0.0.1]}\nauth:\n  kind: magic_link\n"+
		"  magic_link: {path: /login, form: {email: \"{{email}}\"}, link: 'auth/callback\\?code='}\n  protected: [/dashboard]\n"+
		"  inbox: {kind: mailpit, url: %q, address: \"qa+{{tag}}@portal.test\", wait: 2s}\n"+
		"accounts:\n  a: {email: a@portal.test}\n", srv.URL, boxSrv.URL)
	_, ss, err := client.FromConfig(parseWithEnv(t, yaml, nil), "test")
	if err != nil {
		t.Fatal(err)
	}
	_, err = ss.Login(context.Background(), "a")
	want := `the sign-in mail "Sign in to Portal" holds no link on the portal (in target.scope) matching auth.magic_link.link`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("err = %v, want %q", err, want)
	}
}
