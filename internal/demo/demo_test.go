package demo

import (
	"context"
	"crypto/ecdsa"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// modes are the two portals every per-mode test runs against.
var modes = []struct {
	name  string
	flaws Flaws
}{
	{"flawed", Flawed()},
	{"hardened", Hardened()},
}

func startPortal(t *testing.T, f Flaws) *Portal {
	t.Helper()
	p, err := Start(context.Background(), Options{Flaws: f, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return p
}

// newClient resolves every name through the portal's DNS server, trusts
// only its CA, never uses a proxy and never follows redirects.
func newClient(t *testing.T, p *Portal, withJar bool) *http.Client {
	t.Helper()
	pem, err := os.ReadFile(p.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		t.Fatal("ca.pem holds no certificate")
	}
	tr := &http.Transport{
		Proxy:           nil,
		DialContext:     portalDialer(p).DialContext,
		TLSClientConfig: &tls.Config{RootCAs: roots},
	}
	t.Cleanup(tr.CloseIdleConnections)
	c := &http.Client{
		Transport:     tr,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	if withJar {
		c.Jar, _ = cookiejar.New(nil)
	}
	return c
}

// portalDialer resolves through the portal's DNS server, passing the
// network through so truncated UDP answers can be retried over TCP.
func portalDialer(p *Portal) *net.Dialer {
	r := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, p.DNSAddr)
	}}
	return &net.Dialer{Resolver: r, Timeout: 10 * time.Second}
}

func get(t *testing.T, c *http.Client, rawURL string) (*http.Response, string) {
	t.Helper()
	return do(t, c, http.MethodGet, rawURL, nil, "")
}

func do(t *testing.T, c *http.Client, method, rawURL string, form url.Values, cookie string) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, rawURL, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, rawURL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", method, rawURL, err)
	}
	return resp, string(b)
}

func password(t *testing.T, p *Portal, name string) string {
	t.Helper()
	for _, a := range p.Accounts {
		if a.Name == name {
			b, err := os.ReadFile(a.PasswordFile)
			if err != nil {
				t.Fatal(err)
			}
			return strings.TrimSuffix(string(b), "\n")
		}
	}
	t.Fatalf("no account %q", name)
	return ""
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([0-9a-f]+)"`)

// loginForm fetches /login (setting pl_csrf in the jar) and returns the
// form with its CSRF token.
func loginForm(t *testing.T, c *http.Client, p *Portal, email, pw string) url.Values {
	t.Helper()
	resp, body := get(t, c, p.URL+"/login")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /login: %d", resp.StatusCode)
	}
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no _csrf field in the login page:\n%s", body)
	}
	return url.Values{"_csrf": {m[1]}, "email": {email}, "password": {pw}}
}

// login logs member name in with a fresh jar client; it returns the client
// and the login response.
func login(t *testing.T, p *Portal, name string) (*http.Client, *http.Response) {
	t.Helper()
	c := newClient(t, p, true)
	email := map[string]string{"a": "alice@portal.test", "b": "bob@portal.test", "admin": "admin@portal.test"}[name]
	resp, _ := do(t, c, http.MethodPost, p.URL+"/login", loginForm(t, c, p, email, password(t, p, name)), "")
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login as %s: status %d", name, resp.StatusCode)
	}
	return c, resp
}

func TestDNS(t *testing.T) {
	p := startPortal(t, Hardened())
	cases := []struct {
		name   string
		qtype  uint16
		rcode  int
		answer bool
		soa    bool
		auth   bool
	}{
		{"portal.test.", dns.TypeA, dns.RcodeSuccess, true, false, true},
		{"www.portal.test.", dns.TypeA, dns.RcodeSuccess, true, false, true},
		{"App.Portal.Test.", dns.TypeA, dns.RcodeSuccess, true, false, true},
		{"portal.test.", dns.TypeAAAA, dns.RcodeSuccess, false, true, true},
		{"www.portal.test.", dns.TypeAAAA, dns.RcodeSuccess, false, true, true}, // a name with records, none of this type
		{"nope.portal.test.", dns.TypeA, dns.RcodeNameError, false, true, true},
		{"example.com.", dns.TypeA, dns.RcodeRefused, false, false, false},
		{"portal.test.example.", dns.TypeA, dns.RcodeRefused, false, false, false},
	}
	for _, network := range []string{"udp", "tcp"} {
		for _, tc := range cases {
			t.Run(network+"/"+tc.name+"/"+dns.TypeToString[tc.qtype], func(t *testing.T) {
				m := new(dns.Msg).SetQuestion(tc.name, tc.qtype)
				c := &dns.Client{Net: network, Timeout: 10 * time.Second}
				r, _, err := c.Exchange(m, p.DNSAddr)
				if err != nil {
					t.Fatal(err)
				}
				if r.Rcode != tc.rcode || r.Authoritative != tc.auth {
					t.Fatalf("rcode %s aa %v, want %s aa %v", dns.RcodeToString[r.Rcode], r.Authoritative, dns.RcodeToString[tc.rcode], tc.auth)
				}
				checkAnswer(t, r, tc.name, tc.answer)
				gotSOA := len(r.Ns) == 1 && r.Ns[0].Header().Rrtype == dns.TypeSOA
				if gotSOA != tc.soa {
					t.Errorf("authority %v, want SOA: %v", r.Ns, tc.soa)
				}
			})
		}
	}
}

func checkAnswer(t *testing.T, r *dns.Msg, name string, want bool) {
	t.Helper()
	if !want {
		if len(r.Answer) != 0 {
			t.Errorf("answer %v, want none", r.Answer)
		}
		return
	}
	if len(r.Answer) != 1 {
		t.Fatalf("answer %v, want one A record", r.Answer)
	}
	a, ok := r.Answer[0].(*dns.A)
	if !ok || !a.A.Equal(net.IPv4(127, 0, 0, 1)) || a.Hdr.Ttl != 60 || a.Hdr.Name != name {
		t.Errorf("answer %v, want %s 60 IN A 127.0.0.1", r.Answer[0], name)
	}
}

func TestDNSSamePortAndResolver(t *testing.T) {
	p := startPortal(t, Hardened())
	if !strings.HasPrefix(p.DNSAddr, "127.0.0.1:") {
		t.Fatalf("DNSAddr %q", p.DNSAddr)
	}
	addrs, err := portalDialer(p).Resolver.LookupHost(context.Background(), "www.portal.test")
	if err != nil || len(addrs) != 1 || addrs[0] != "127.0.0.1" {
		t.Fatalf("LookupHost www.portal.test = %v, %v", addrs, err)
	}
	if _, err := portalDialer(p).Resolver.LookupHost(context.Background(), "missing.portal.test"); err == nil {
		t.Fatal("missing.portal.test resolved")
	}
}

func TestCertificates(t *testing.T) {
	p := startPortal(t, Hardened())
	c := newClient(t, p, false)
	roots := c.Transport.(*http.Transport).TLSClientConfig.RootCAs
	addr := func(h string) string { return net.JoinHostPort(h, strconv.Itoa(p.HTTPSPort)) }
	for _, host := range []string{"portal.test", "www.portal.test", "app.portal.test"} {
		t.Run(host, func(t *testing.T) {
			conn, err := tls.DialWithDialer(portalDialer(p), "tcp", addr(host), &tls.Config{RootCAs: roots, ServerName: host})
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			leaf := conn.ConnectionState().PeerCertificates[0]
			if len(leaf.DNSNames) != 1 || leaf.DNSNames[0] != host {
				t.Errorf("SAN %v, want [%s]", leaf.DNSNames, host)
			}
			if d := leaf.NotAfter.Sub(leaf.NotBefore); d != 90*24*time.Hour {
				t.Errorf("validity %v, want 90 days", d)
			}
			if _, ok := leaf.PublicKey.(*ecdsa.PublicKey); !ok {
				t.Errorf("key %T, want ECDSA", leaf.PublicKey)
			}
		})
	}
	t.Run("unknown SNI", func(t *testing.T) {
		conn, err := tls.DialWithDialer(portalDialer(p), "tcp", addr("portal.test"), &tls.Config{RootCAs: roots, ServerName: "other.test"})
		if err == nil {
			conn.Close()
			t.Fatal("handshake with an unknown server name succeeded")
		}
		if !strings.Contains(err.Error(), "remote error") {
			t.Fatalf("want the server to refuse, got %v", err)
		}
	})
	t.Run("TLS 1.1", func(t *testing.T) {
		conn, err := tls.DialWithDialer(portalDialer(p), "tcp", addr("portal.test"), &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11})
		if err == nil {
			conn.Close()
			t.Fatal("TLS 1.1 handshake succeeded")
		}
		if !strings.Contains(err.Error(), "protocol version") {
			t.Fatalf("want the server to refuse TLS 1.1, got %v", err)
		}
	})
}

func TestLogin(t *testing.T) {
	p := startPortal(t, Hardened())
	c := newClient(t, p, true)
	resp, body := do(t, c, http.MethodPost, p.URL+"/login", loginForm(t, c, p, "alice@portal.test", password(t, p, "a")), "")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/dashboard" {
		t.Fatalf("login: %d to %q\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	resp, body = get(t, c, p.URL+"/dashboard")
	for _, want := range []string{"Alice Example", "alice@portal.test", "Next event you RSVP'd"} {
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("dashboard (%d) lacks %q", resp.StatusCode, want)
		}
	}
	if strings.Contains(body, password(t, p, "a")) {
		t.Error("the dashboard shows the password")
	}
	resp, body = get(t, c, p.URL+"/billing")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Visa ending in 4242") || !strings.Contains(body, "INV-2026-A-0011") {
		t.Errorf("alice's billing (%d) lacks her card or invoices", resp.StatusCode)
	}
	resp, body = get(t, c, p.URL+"/account")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `value="alice@portal.test"`) || strings.Contains(body, `type="password"`) {
		t.Errorf("alice's account page (%d) does not show her email in the profile form", resp.StatusCode)
	}
}

func TestLoginRefusals(t *testing.T) {
	p := startPortal(t, Hardened())
	pw := password(t, p, "a")
	cases := []struct {
		name   string
		edit   func(url.Values)
		status int
		body   string
	}{
		{"wrong password", func(v url.Values) { v.Set("password", pw+"x") }, http.StatusOK, "Invalid email or password."},
		{"unknown email", func(v url.Values) { v.Set("email", "carol@portal.test") }, http.StatusOK, "Invalid email or password."},
		{"other member's password", func(v url.Values) { v.Set("email", "bob@portal.test") }, http.StatusOK, "Invalid email or password."},
		{"missing CSRF", func(v url.Values) { v.Del("_csrf") }, http.StatusForbidden, "Forbidden"},
		{"wrong CSRF", func(v url.Values) { v.Set("_csrf", strings.Repeat("0", 64)) }, http.StatusForbidden, "Forbidden"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newClient(t, p, true)
			form := loginForm(t, c, p, "alice@portal.test", pw)
			tc.edit(form)
			resp, body := do(t, c, http.MethodPost, p.URL+"/login", form, "")
			if resp.StatusCode != tc.status || !strings.Contains(body, tc.body) {
				t.Fatalf("status %d, want %d with %q:\n%s", resp.StatusCode, tc.status, tc.body, body)
			}
			if len(resp.Header.Values("Set-Cookie")) != 0 {
				t.Errorf("a refused login set cookies: %v", resp.Header.Values("Set-Cookie"))
			}
		})
	}
	t.Run("CSRF token of another browser", func(t *testing.T) {
		form := loginForm(t, newClient(t, p, true), p, "alice@portal.test", pw)
		c := newClient(t, p, true)
		loginForm(t, c, p, "alice@portal.test", pw)
		if resp, _ := do(t, c, http.MethodPost, p.URL+"/login", form, ""); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("status %d, want 403", resp.StatusCode)
		}
	})
}

func TestLoginNext(t *testing.T) {
	p := startPortal(t, Hardened())
	cases := []struct{ next, want string }{
		{"/billing", "/billing"},
		{"/account?tab=profile", "/account?tab=profile"},
		{"//evil.example/x", "/dashboard"},
		{"/\\evil.example", "/dashboard"},
		{"https://evil.example/", "/dashboard"},
		{"", "/dashboard"},
	}
	for _, tc := range cases {
		t.Run(tc.next, func(t *testing.T) {
			c := newClient(t, p, true)
			_, page := get(t, c, p.URL+"/login?next="+url.QueryEscape(tc.next))
			hidden := strings.Contains(page, `name="next"`)
			if want := tc.want != "/dashboard"; hidden != want {
				t.Errorf("hidden next field shown: %v, want %v", hidden, want)
			}
			form := loginForm(t, c, p, "alice@portal.test", password(t, p, "a"))
			form.Set("next", tc.next)
			resp, _ := do(t, c, http.MethodPost, p.URL+"/login", form, "")
			if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != tc.want {
				t.Fatalf("%d to %q, want 303 to %q", resp.StatusCode, loc, tc.want)
			}
		})
	}
}

func TestCookies(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			p := startPortal(t, m.flaws)
			_, resp := login(t, p, "a")
			got := map[string]*http.Cookie{}
			raw := map[string]string{}
			for _, line := range resp.Header.Values("Set-Cookie") {
				c, err := http.ParseSetCookie(line)
				if err != nil {
					t.Fatalf("%q: %v", line, err)
				}
				got[c.Name], raw[c.Name] = c, line
			}
			hardened := m.flaws == Hardened()
			session := map[bool]string{true: "__Host-pm", false: "pm"}[hardened]
			life := map[bool]int{true: 8 * 3600, false: 30 * 24 * 3600}[hardened]
			want := []struct {
				name                          string
				secure, httpOnly, sameSiteLax bool
				maxAge                        int
			}{
				{session, hardened, hardened, hardened, life},
				{"ui_theme", hardened, false, hardened, 365 * 24 * 3600},
				{"lang", hardened, true, hardened, 365 * 24 * 3600},
			}
			if m.flaws.MixedAuth {
				want = append(want, struct {
					name                          string
					secure, httpOnly, sameSiteLax bool
					maxAge                        int
				}{"next-auth.session-token", false, false, false, life})
			}
			for _, w := range want {
				c, ok := got[w.name]
				if !ok {
					t.Errorf("no %s cookie in %v", w.name, resp.Header.Values("Set-Cookie"))
					continue
				}
				if c.Secure != w.secure || c.HttpOnly != w.httpOnly || (c.SameSite == http.SameSiteLaxMode) != w.sameSiteLax ||
					c.MaxAge != w.maxAge || c.Path != "/" || c.Domain != "" {
					t.Errorf("%s", raw[w.name])
				}
				if !w.sameSiteLax && strings.Contains(strings.ToLower(raw[w.name]), "samesite") {
					t.Errorf("%s: want no SameSite attribute", raw[w.name])
				}
			}
			for _, bad := range []string{"session", "sid", "auth", "token"} {
				if strings.Contains(strings.ToLower(session), bad) {
					t.Errorf("session cookie name %q reveals its job", session)
				}
			}
			if len(got) != len(want) {
				t.Errorf("login set %d cookies, want %d: %v", len(got), len(want), resp.Header.Values("Set-Cookie"))
			}
		})
	}
}

func TestPreLoginCookie(t *testing.T) {
	p := startPortal(t, Flawed())
	resp, _ := get(t, newClient(t, p, false), p.URL+"/login")
	c, err := http.ParseSetCookie(resp.Header.Get("Set-Cookie"))
	if err != nil || c.Name != "pl_csrf" || !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || len(c.Value) != 64 {
		t.Fatalf("pre-login cookie %q (%v)", resp.Header.Get("Set-Cookie"), err)
	}
}

func TestAnonymousProtectedPages(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			p := startPortal(t, m.flaws)
			c := newClient(t, p, false)
			resp, _ := get(t, c, p.URL+"/dashboard")
			if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/login?next=/dashboard" {
				t.Errorf("/dashboard: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
			}
			resp, body := get(t, c, p.URL+"/account")
			if resp.StatusCode != http.StatusOK || !strings.Contains(body, `type="password"`) || strings.Contains(body, "@portal.test") {
				t.Errorf("/account: %d, want the login page without member data:\n%s", resp.StatusCode, body)
			}
			checkAnonBilling(t, p, c, m.flaws.AnonBilling)
		})
	}
}

// checkAnonBilling: refused when hardened; with AnonBilling, member a's
// billing before anyone logs in, then the last member's.
func checkAnonBilling(t *testing.T, p *Portal, c *http.Client, leaks bool) {
	t.Helper()
	steps := []struct{ loginAs, card string }{{"", "4242"}, {"b", "1881"}, {"a", "4242"}}
	for _, s := range steps {
		if s.loginAs != "" {
			login(t, p, s.loginAs)
		}
		resp, body := get(t, c, p.URL+"/billing")
		switch {
		case !leaks && (resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/login?next=/billing"):
			t.Errorf("/billing: %d to %q, want 302 to /login?next=/billing", resp.StatusCode, resp.Header.Get("Location"))
		case leaks && (resp.StatusCode != http.StatusOK || !strings.Contains(body, "Visa ending in "+s.card)):
			t.Errorf("/billing after login as %q: %d, want the page with card %s", s.loginAs, resp.StatusCode, s.card)
		}
	}
}

// hops follows redirects by hand until the canonical origin is reached or
// a non-redirect answers; it returns the Locations and the last status.
func hops(t *testing.T, c *http.Client, p *Portal, start string) ([]string, int) {
	t.Helper()
	var locs []string
	u := start
	for range 6 {
		resp, _ := get(t, c, u)
		if resp.StatusCode != http.StatusMovedPermanently {
			return locs, resp.StatusCode
		}
		loc := resp.Header.Get("Location")
		locs = append(locs, loc)
		if strings.HasPrefix(loc, p.URL+"/") {
			return locs, resp.StatusCode
		}
		u = loc
	}
	t.Fatalf("%s: more than 6 hops: %v", start, locs)
	return nil, 0
}

func TestVariants(t *testing.T) {
	const path = "/some/page?x=1&y=2"
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			p := startPortal(t, m.flaws)
			hp, sp := strconv.Itoa(p.HTTPPort), strconv.Itoa(p.HTTPSPort)
			want := []string{"http://portal.test:" + hp, "http://www.portal.test:" + hp, "http://app.portal.test:" + hp,
				"https://www.portal.test:" + sp, "https://app.portal.test:" + sp}
			if strings.Join(p.Variants, " ") != strings.Join(want, " ") || p.URL != "https://portal.test:"+sp {
				t.Fatalf("URL %s, variants %v", p.URL, p.Variants)
			}
			canon := p.URL + path
			expect := map[string][]string{} // hardened: one hop each
			for _, v := range p.Variants {
				expect[v] = []string{canon}
			}
			if m.flaws.RedirectChains {
				expect[p.Variants[1]] = []string{p.Variants[0] + path}
				expect[p.Variants[2]] = []string{p.Variants[4] + path, canon}
				expect[p.Variants[3]] = []string{p.Variants[4] + path, canon}
			}
			if m.flaws.PlainHTTPContent {
				expect[p.Variants[0]] = nil
			}
			c := newClient(t, p, false)
			for _, v := range p.Variants {
				got, status := hops(t, c, p, v+path)
				if strings.Join(got, " ") != strings.Join(expect[v], " ") {
					t.Errorf("%s: hops %v, want %v", v, got, expect[v])
				}
				if expect[v] == nil && status != http.StatusNotFound { // /some/page is no page of the app
					t.Errorf("%s: status %d, want the app's 404", v, status)
				}
			}
		})
	}
}

func TestPlainHTTPApp(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			p := startPortal(t, m.flaws)
			resp, body := get(t, newClient(t, p, false), p.Variants[0]+"/login")
			serves := resp.StatusCode == http.StatusOK && strings.Contains(body, `name="_csrf"`)
			if serves != m.flaws.PlainHTTPContent {
				t.Errorf("http://portal.test/login: %d (serves the app: %v)", resp.StatusCode, serves)
			}
		})
	}
}

func TestSecurityHeaders(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			p := startPortal(t, m.flaws)
			c := newClient(t, p, false)
			urls := append([]string{p.URL + "/", p.URL + "/login", p.URL + "/dashboard", p.URL + "/static/app.css", p.URL + "/missing",
				p.URL + "/messages", p.URL + "/files/1001/download", p.URL + "/api/invoices", p.URL + "/api/admin/users"}, p.Variants...)
			for _, u := range urls {
				resp, _ := get(t, c, u)
				https := strings.HasPrefix(u, "https:")
				want := map[string]string{
					"Content-Security-Policy":   "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
					"X-Content-Type-Options":    "nosniff",
					"X-Frame-Options":           "DENY",
					"Referrer-Policy":           "strict-origin-when-cross-origin",
					"Strict-Transport-Security": "max-age=31536000; includeSubDomains",
				}
				for name, value := range want {
					if m.flaws.NoSecurityHeaders || (name == "Strict-Transport-Security" && !https) {
						value = ""
					}
					if got := resp.Header.Get(name); got != value {
						t.Errorf("%s (%d) %s: %q, want %q", u, resp.StatusCode, name, got, value)
					}
				}
			}
		})
	}
}

func TestPagesAndHosts(t *testing.T) {
	p := startPortal(t, Hardened())
	c := newClient(t, p, false)
	cases := []struct {
		url, host, wantType string
		status              int
		body                string
	}{
		{p.URL + "/", "", "text/html; charset=utf-8", http.StatusOK, `href="/login"`},
		{p.URL + "/static/app.css", "", "text/css; charset=utf-8", http.StatusOK, "body{"},
		{p.URL + "/nothing-here", "", "text/html; charset=utf-8", http.StatusNotFound, "Page not found"},
		{p.URL + "/", "other.test", "text/plain; charset=utf-8", http.StatusMisdirectedRequest, "Misdirected"},
		{p.Variants[0] + "/", "other.test:" + strconv.Itoa(p.HTTPPort), "text/plain; charset=utf-8", http.StatusMisdirectedRequest, "Misdirected"},
	}
	for _, tc := range cases {
		t.Run(tc.url+" "+tc.host, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, tc.url, nil)
			if tc.host != "" {
				req.Host = tc.host
			}
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.status || resp.Header.Get("Content-Type") != tc.wantType || !strings.Contains(string(b), tc.body) {
				t.Fatalf("%d %q, want %d %q with %q:\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), tc.status, tc.wantType, tc.body, b)
			}
		})
	}
	t.Run("HTML pages carry no inline script or style", func(t *testing.T) {
		for _, path := range []string{"/", "/login", "/missing"} {
			_, body := get(t, c, p.URL+path)
			if strings.Contains(body, "<script") || strings.Contains(body, "<style") || strings.Contains(body, "style=") {
				t.Errorf("%s has inline script or style", path)
			}
		}
	})
}

func TestLogout(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			p := startPortal(t, m.flaws)
			c, resp := login(t, p, "a")
			name := map[bool]string{true: "pm", false: "__Host-pm"}[m.flaws.CookieNotSecure]
			var old string
			for _, ck := range resp.Cookies() {
				if ck.Name == name {
					old = ck.Name + "=" + ck.Value
				}
			}
			if old == "" {
				t.Fatalf("no %s cookie at login", name)
			}
			bare := newClient(t, p, false)
			if r, _ := do(t, bare, http.MethodGet, p.URL+"/dashboard", nil, old); r.StatusCode != http.StatusOK {
				t.Fatalf("replaying the live cookie: %d", r.StatusCode)
			}
			resp, _ = do(t, c, http.MethodPost, p.URL+"/logout", url.Values{}, "")
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
				t.Errorf("logout: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
			}
			expired, err := http.ParseSetCookie(resp.Header.Get("Set-Cookie"))
			if err != nil || expired.Name != name || expired.MaxAge >= 0 {
				t.Errorf("logout Set-Cookie %q does not expire %s", resp.Header.Get("Set-Cookie"), name)
			}
			r, _ := do(t, bare, http.MethodGet, p.URL+"/dashboard", nil, old)
			switch {
			case m.flaws.LogoutClientOnly && r.StatusCode != http.StatusOK:
				t.Errorf("LogoutClientOnly: replaying the old cookie after logout: %d, want 200", r.StatusCode)
			case !m.flaws.LogoutClientOnly && (r.StatusCode != http.StatusFound || r.Header.Get("Location") != "/login?next=/dashboard"):
				t.Errorf("replaying the old cookie after logout: %d to %q", r.StatusCode, r.Header.Get("Location"))
			}
		})
	}
}

func TestSessionRotatesAtLogin(t *testing.T) {
	p := startPortal(t, Hardened())
	c, first := login(t, p, "a")
	old := "__Host-pm=" + first.Cookies()[0].Value
	resp, _ := do(t, c, http.MethodPost, p.URL+"/login", loginForm(t, c, p, "bob@portal.test", password(t, p, "b")), "")
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("second login: %d", resp.StatusCode)
	}
	if r, _ := do(t, newClient(t, p, false), http.MethodGet, p.URL+"/dashboard", nil, old); r.StatusCode != http.StatusFound {
		t.Errorf("the session replaced at login still works: %d", r.StatusCode)
	}
	if _, body := get(t, c, p.URL+"/dashboard"); !strings.Contains(body, "Bob Example") {
		t.Error("the new session is not bob's")
	}
}

func TestAccountProfile(t *testing.T) {
	p := startPortal(t, Hardened())
	c, _ := login(t, p, "b")
	_, page := get(t, c, p.URL+"/account")
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no _csrf on /account")
	}
	if r, _ := do(t, c, http.MethodPost, p.URL+"/account", url.Values{"display_name": {"Mallory"}}, ""); r.StatusCode != http.StatusForbidden {
		t.Errorf("profile change without CSRF: %d", r.StatusCode)
	}
	r, _ := do(t, c, http.MethodPost, p.URL+"/account", url.Values{"_csrf": {m[1]}, "display_name": {"Bob B. Example"}}, "")
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("profile change: %d", r.StatusCode)
	}
	if _, body := get(t, c, p.URL+"/dashboard"); !strings.Contains(body, "Welcome back, Bob B. Example") {
		t.Error("the new display name is not shown")
	}
}

func TestBodyLimit(t *testing.T) {
	p := startPortal(t, Hardened())
	c := newClient(t, p, true)
	form := loginForm(t, c, p, "alice@portal.test", strings.Repeat("x", 100<<10))
	if resp, _ := do(t, c, http.MethodPost, p.URL+"/login", form, ""); resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("a 100 KiB login form: %d, want 413", resp.StatusCode)
	}
}

func TestFiles(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			p := startPortal(t, m.flaws)
			b, err := os.ReadFile(p.ConfigPath)
			if err != nil {
				t.Fatal(err)
			}
			want := fmt.Sprintf("# Generated by `launchready demo` for the %s demo portal.\n", m.name)
			want2 := fmt.Sprintf(`target:
  url: https://portal.test:%[2]d
  variants: [http://portal.test:%[1]d, http://www.portal.test:%[1]d, http://app.portal.test:%[1]d, https://www.portal.test:%[2]d, https://app.portal.test:%[2]d]
  scope: [portal.test, www.portal.test, app.portal.test]
  resolver: %[3]s
  ca_file: ca.pem
  rate: 500
auth:
  kind: form
  login: {path: /login, form: {email: "{{email}}", password: "{{password}}"}, success: /dashboard}
  logout: {path: /logout}
  supabase: {url: https://db.portal.test:%[2]d, anon_key: %[4]s}
  protected: [/dashboard, /billing, /account]
  callbacks: [/auth/callback]
session: {kind: cookie}
accounts:
  a: {email: alice@portal.test, password: file:a.password}
  b: {email: bob@portal.test, password: file:b.password}
  admin: {email: admin@portal.test, password: file:admin.password}
objects:
  - {name: invoices, list: /api/invoices, item: "/api/invoices/{id}"}
  - name: messages
    list: /api/messages
    item: "/messages/{id}"
    create: {path: /api/messages, json: {subject: "launchready check", body: "{{canary}}"}}
    update: {path: "/api/messages/{id}", json: {body: "{{canary}}"}}
    delete: {path: "/api/messages/{id}"}
  - {name: files, list: /api/files, item: "/files/{id}/download"}
  - {name: cards, list: /api/cards, item: "/api/cards/{id}"}
admin: [/admin, /api/admin/users]
profile: {path: /api/me, json: {display_name: "{{canary}}"}}
source:
  repo: repo
  build: [repo/dist]
  ci_logs: [ci/build.log]
`, p.HTTPPort, p.HTTPSPort, p.DNSAddr, p.data.srv.AnonKey())
			// The mail the portal sends, as the Email deliverability checks
			// read it: flawed mail goes out with the From address as its
			// envelope and is signed with a selector that has no key.
			want2 += map[string]string{
				"flawed": `email:
  domains: [portal.test, news.portal.test]
  selectors: [mail2026, legacy2019]
  sender: {from: no-reply@portal.test, return_path: no-reply@portal.test}
`,
				"hardened": `email:
  domains: [portal.test, news.portal.test, bounce.portal.test]
  selectors: [mail2026]
  sender: {from: no-reply@portal.test, return_path: bounces@bounce.portal.test}
`}[m.name]
			if !strings.HasPrefix(string(b), want) || !strings.HasSuffix(string(b), want2) {
				t.Fatalf("config:\n%s\nwant header %q and body:\n%s", b, want, want2)
			}
			checkPasswordFiles(t, p, string(b))
		})
	}
}

func TestFilesAuthJourney(t *testing.T) {
	p, err := Start(context.Background(), Options{Flaws: Hardened(), Dir: t.TempDir(), AuthJourney: true})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	b, err := os.ReadFile(p.ConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	want := `  logout: {path: /logout}
  signup: {path: /signup, form: {email: "{{email}}", password: "{{password}}", name: "Launchready Test"}, verify: true, delete: {path: /account/delete}}
  reset: {path: /forgot, form: {email: "{{email}}"}}
  inbox: {kind: builtin, url: ` + p.InboxURL + `, address: "launchready+{{tag}}@portal.test"}
  recheck: 1s                             # the demo answers at once; a real portal keeps the 30s default
  supabase: {url: ` + p.data.URL + `, anon_key: ` + p.data.srv.AnonKey() + `}
  protected: [/dashboard, /billing, /account]
`
	if !strings.Contains(string(b), want) {
		t.Fatalf("config:\n%s\nwant:\n%s", b, want)
	}
}

func checkPasswordFiles(t *testing.T, p *Portal, config string) {
	t.Helper()
	want := []Account{{Name: "a", Email: "alice@portal.test"}, {Name: "b", Email: "bob@portal.test"}, {Name: "admin", Email: "admin@portal.test"}}
	if len(p.Accounts) != len(want) {
		t.Fatalf("accounts %+v", p.Accounts)
	}
	for i, w := range want {
		if a := p.Accounts[i]; a.Name != w.Name || a.Email != w.Email || a.PasswordFile != filepath.Join(p.Dir, w.Name+".password") {
			t.Errorf("account %d: %+v, want %s <%s> with %s.password", i, a, w.Name, w.Email, w.Name)
		}
	}
	seen := map[string]bool{}
	for _, a := range p.Accounts {
		fi, err := os.Stat(a.PasswordFile)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v, mode %v", a.PasswordFile, err, fi.Mode())
		}
		pw := password(t, p, a.Name)
		if len(pw) != 24 || seen[pw] || strings.Contains(config, pw) {
			t.Errorf("password of %s: length %d, reused %v or written in the config", a.Name, len(pw), seen[pw])
		}
		seen[pw] = true
	}
}

func TestRequests(t *testing.T) {
	p := startPortal(t, Flawed())
	c := newClient(t, p, false)
	get(t, c, p.URL+"/login?x=1")
	get(t, c, p.Variants[1]+"/billing")
	got := p.Requests()
	want := []RequestRecord{
		{Host: "portal.test:" + strconv.Itoa(p.HTTPSPort), Method: "GET", Path: "/login", Scheme: "https"},
		{Host: "www.portal.test:" + strconv.Itoa(p.HTTPPort), Method: "GET", Path: "/billing", Scheme: "http"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("requests %+v, want %+v", got, want)
	}
}

func TestStartErrors(t *testing.T) {
	if _, err := Start(context.Background(), Options{Dir: ""}); err == nil {
		t.Error("Start with no Dir succeeded")
	}
	if _, err := Start(context.Background(), Options{Dir: t.TempDir() + "/missing"}); err == nil {
		t.Error("Start into a missing directory succeeded")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if p, err := Start(ctx, Options{Dir: t.TempDir()}); err == nil {
		p.Close()
		t.Error("Start with a cancelled context succeeded")
	}
}

// TestNoGoroutineLeaks starts portals, uses every listener (web, DNS, SMTP
// and inbox), closes them
// (one by Close twice, one by cancelling its context) and waits for the
// goroutine count to come back.
func TestNoGoroutineLeaks(t *testing.T) {
	before := runtime.NumGoroutine()
	p, err := Start(context.Background(), Options{Flaws: Flawed(), Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	exercise(t, p)
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	q, err := Start(ctx, Options{Flaws: Hardened(), Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	exercise(t, q)
	cancel()
	waitFor(t, "goroutines to end after Close and cancel", func() bool { return runtime.NumGoroutine() <= before })
	inboxAddr := strings.TrimPrefix(q.InboxURL, "http://")
	for _, addr := range []string{q.DNSAddr, fmt.Sprintf("127.0.0.1:%d", q.HTTPSPort), fmt.Sprintf("127.0.0.1:%d", p.HTTPPort), p.SMTPAddr, q.SMTPAddr, inboxAddr} {
		if conn, err := net.DialTimeout("tcp", addr, 5*time.Second); err == nil {
			conn.Close()
			t.Errorf("%s still accepts connections after Close", addr)
		}
	}
	q.Close()
}

// exercise touches every listener (web, DNS, SMTP, inbox), leaving client
// connections closed.
func exercise(t *testing.T, p *Portal) {
	t.Helper()
	c := newClient(t, p, true)
	defer c.Transport.(*http.Transport).CloseIdleConnections()
	login(t, p, "a")
	get(t, c, p.Variants[2]+"/")
	email, pw := signupVerified(t, p, "leak") // SMTP and the inbox API
	loginAs(t, p, c, email, pw)
	for _, network := range []string{"udp", "tcp"} {
		dc := &dns.Client{Net: network, Timeout: 10 * time.Second}
		if _, _, err := dc.Exchange(new(dns.Msg).SetQuestion("portal.test.", dns.TypeA), p.DNSAddr); err != nil {
			t.Fatal(err)
		}
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("timed out waiting for %s; goroutines:\n%s", what, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(20 * time.Millisecond)
	}
}
