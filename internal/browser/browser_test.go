package browser

import (
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/launchready/launchready/internal/checktest"
	"github.com/launchready/launchready/internal/client"
)

// needChromium returns the Chromium to test with. Without one (or without
// certutil) the test is skipped on a workstation and fails in CI, which
// installs both.
func needChromium(t *testing.T) string {
	t.Helper()
	exe, err := Find()
	if err == nil {
		if _, lerr := exec.LookPath("certutil"); lerr != nil {
			err = ErrNoCertutil
		}
	}
	if err != nil {
		if os.Getenv("CI") == "" {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	return exe
}

// tlsServer starts an HTTPS server and writes its certificate to a file
// that serves as the CA file, so Chromium must trust it through NSS.
func tlsServer(t *testing.T, h http.Handler) (*httptest.Server, string) {
	t.Helper()
	srv := httptest.NewTLSServer(h)
	t.Cleanup(srv.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	block := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(ca, block, 0o600); err != nil {
		t.Fatal(err)
	}
	return srv, ca
}

// confine starts a scan client for scope (with the CA file and, when set,
// the DNS server) and its proxy, and returns the proxy as Inspect takes it.
func confine(t *testing.T, scope []string, resolver, ca string) (*Proxy, *client.Client) {
	t.Helper()
	c, err := client.New(client.Options{Scope: scope, Resolver: resolver, CAFile: ca})
	if err != nil {
		t.Fatal(err)
	}
	px, err := c.StartProxy(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { px.Close() })
	return &Proxy{Addr: px.Addr(), SPKI: px.SPKI()}, c
}

// countingListener accepts TCP connections and counts them: a fetch that
// reaches it left the browser.
func countingListener(t *testing.T) (port string, accepted *atomic.Int32) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	accepted = &atomic.Int32{}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			c.Close()
		}
	}()
	_, port, _ = net.SplitHostPort(ln.Addr().String())
	return port, accepted
}

// appJS stores a preference, the cookies it can read, a CSRF value, an
// oversized value and IndexedDB records, then tries two hosts it must not
// reach and one (the control, a loopback literal) it may.
const appJS = `
localStorage.setItem('theme', 'dark');
localStorage.setItem('cookies', document.cookie);
localStorage.setItem('big', 'x'.repeat(20000));
sessionStorage.setItem('csrf', 'abc123');
const r = indexedDB.open('appdb', 1);
r.onupgradeneeded = () => r.result.createObjectStore('kv');
r.onsuccess = () => {
  const tx = r.result.transaction('kv', 'readwrite');
  tx.objectStore('kv').put({token: 'idb-secret-value'}, 'auth');
  tx.objectStore('kv').put('plain', 7);
};
const probe = (name, url) => fetch(url, {mode: 'no-cors'}).then(
  () => sessionStorage.setItem(name, 'reached'), () => sessionStorage.setItem(name, 'blocked'));
probe('invalid', 'https://example.invalid/');
probe('localhost', 'https://localhost:%s/');
probe('control', 'https://127.0.0.1:%s/');
`

// portal serves a page that needs the sid cookie and the script above.
type portal struct {
	blocked, control string
	mu               sync.Mutex
	sids             []string
}

func (p *portal) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/app.js":
		w.Header().Set("Content-Type", "text/javascript")
		fmt.Fprintf(w, appJS, p.blocked, p.control)
	case "/", "/other":
		c, err := r.Cookie("sid")
		seen := "none"
		if err == nil {
			seen = c.Value
		}
		p.mu.Lock()
		p.sids = append(p.sids, seen)
		p.mu.Unlock()
		fmt.Fprintf(w, `<html><body><h1>Member area</h1><p>cookie:%s</p><script src="/app.js"></script></body></html>`, seen)
	default:
		http.NotFound(w, r)
	}
}

func TestInspect(t *testing.T) {
	exe := needChromium(t)
	blockedPort, blockedHits := countingListener(t)
	controlPort, controlHits := countingListener(t)
	p := &portal{blocked: blockedPort, control: controlPort}
	srv, ca := tlsServer(t, p)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	// example.com is in the test certificate; the scan's resolver maps it
	// to the server, and the browser reaches it through the proxy only.
	origin, _ := url.Parse("https://example.com:" + port)
	tmp := t.TempDir()
	dns := checktest.DNS(t, checktest.A(map[string]string{"example.com": "127.0.0.1"}))
	px, _ := confine(t, []string{"example.com:" + port, "127.0.0.1:" + controlPort}, dns, ca)
	opts := Options{ExecPath: exe, Proxy: px, Timeout: 2 * time.Minute, TempDir: tmp}
	cookies := []*http.Cookie{
		{Name: "sid", Value: "s3cr3t-session", HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode},
		{Name: "ui", Value: "compact"},
	}
	start := time.Now()
	got, err := Inspect(context.Background(), opts, cookies, origin, []string{"/", "/other"})
	t.Logf("Inspect took %s", time.Since(start).Round(time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	assertClean(t, tmp)
	if len(got) != 2 {
		t.Fatalf("got %d pages, want 2", len(got))
	}
	s := got[0]
	checkStorage(t, s, origin)
	p.mu.Lock()
	sids := append([]string(nil), p.sids...)
	p.mu.Unlock()
	if len(sids) != 2 || sids[0] != "s3cr3t-session" || sids[1] != "s3cr3t-session" {
		t.Errorf("the server saw sid cookies %q, want the session's on both pages", sids)
	}
	if s.Session["invalid"] != "blocked" || s.Session["localhost"] != "blocked" || blockedHits.Load() != 0 {
		t.Errorf("fetches to other hosts: example.invalid %q, localhost %q (%d connections), want both blocked",
			s.Session["invalid"], s.Session["localhost"], blockedHits.Load())
	}
	if s.Session["control"] != "blocked" && s.Session["control"] != "reached" || controlHits.Load() == 0 {
		t.Errorf("the control fetch to a loopback literal made %d connections (%q): the probe proves nothing", controlHits.Load(), s.Session["control"])
	}
	if got[1].Page != origin.String()+"/other" || got[1].Local["theme"] != "dark" {
		t.Errorf("second page: %+v", got[1])
	}
}

func checkStorage(t *testing.T, s Storage, origin *url.URL) {
	t.Helper()
	if s.Status != http.StatusOK || !strings.HasPrefix(s.URL, origin.String()+"/") || !strings.Contains(s.Text, "cookie:s3cr3t-session") {
		t.Errorf("page: status %d, url %q, text %q", s.Status, s.URL, s.Text)
	}
	if s.Local["theme"] != "dark" || s.Session["csrf"] != "abc123" {
		t.Errorf("local %v, session %v", keys(s.Local), s.Session)
	}
	if c := s.Local["cookies"]; c != "ui=compact" {
		t.Errorf("document.cookie = %q, want only the non-HttpOnly cookie", c)
	}
	if n := len(s.Local["big"]); n != MaxValue {
		t.Errorf("a 20000-character value came back with %d characters, want it cut at %d", n, MaxValue)
	}
	want := map[string]string{`auth`: `{"token":"idb-secret-value"}`, `7`: `plain`}
	for _, e := range s.IndexedDB {
		if e.Database == "appdb" && e.Store == "kv" && want[e.Key] == e.Value {
			delete(want, e.Key)
		}
	}
	if len(want) > 0 || len(s.Problems) > 0 {
		t.Errorf("IndexedDB %+v misses %v; problems %v", s.IndexedDB, want, s.Problems)
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// assertClean checks that the session's directory is empty and that no
// process still names it.
func assertClean(t *testing.T, dir string) {
	t.Helper()
	if pids := processesUsing(dir); len(pids) > 0 {
		t.Errorf("processes %v still use %s", pids, dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("left behind: %s", filepath.Join(dir, e.Name()))
	}
}

func TestInspectTimeoutCleansUp(t *testing.T) {
	exe := needChromium(t)
	release := make(chan struct{})
	srv, ca := tlsServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select { // a page that never loads
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer close(release)
	origin, _ := url.Parse(srv.URL)
	tmp := t.TempDir()
	px, _ := confine(t, []string{"127.0.0.1"}, "", ca)
	opts := Options{ExecPath: exe, Proxy: px, Timeout: 5 * time.Second, TempDir: tmp}
	_, err := Inspect(context.Background(), opts, nil, origin, []string{"/"})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the deadline", err)
	}
	assertClean(t, tmp)
}

func TestInspectUntrustedCertificate(t *testing.T) {
	exe := needChromium(t)
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are the point
	srv.StartTLS()
	defer srv.Close()
	origin, _ := url.Parse(srv.URL)
	tmp := t.TempDir()
	px, _ := confine(t, []string{"127.0.0.1"}, "", "")
	got, err := Inspect(context.Background(), Options{ExecPath: exe, Proxy: px, Timeout: time.Minute, TempDir: tmp}, nil, origin, []string{"/"})
	if err != nil {
		t.Fatal(err)
	}
	// The proxy verifies the server as the scan's client does and answers
	// the browser with the refusal, never with the untrusted page.
	if len(got) != 1 || got[0].Status != http.StatusBadGateway || !strings.Contains(got[0].Text, "certificate") {
		t.Fatalf("got %+v, want a 502 naming the certificate without the CA file", got)
	}
	assertClean(t, tmp)
}

func TestRecordWithoutCertutil(t *testing.T) {
	exe := needChromium(t)
	t.Setenv("PATH", t.TempDir())
	tmp := t.TempDir()
	origin, _ := url.Parse("https://127.0.0.1:1")
	_, err := Record(context.Background(), RecordOptions{Options: Options{ExecPath: exe, CAFile: "ca.pem", TempDir: tmp}, Headless: true, Origin: origin},
		func(context.Context) error { return nil })
	if !errors.Is(err, ErrNoCertutil) || !strings.Contains(err.Error(), "libnss3-tools") {
		t.Fatalf("err = %v, want ErrNoCertutil naming libnss3-tools", err)
	}
	assertClean(t, tmp)
}

func TestInspectNeedsTheProxy(t *testing.T) {
	origin, _ := url.Parse("https://127.0.0.1:1")
	if _, err := Inspect(context.Background(), Options{TempDir: t.TempDir()}, nil, origin, []string{"/"}); !errors.Is(err, ErrNoProxy) {
		t.Fatalf("err = %v, want ErrNoProxy", err)
	}
}

func TestInspectRefusesOtherOrigins(t *testing.T) {
	exe := needChromium(t)
	origin, _ := url.Parse("http://127.0.0.1:8080")
	_, err := Inspect(context.Background(), Options{ExecPath: exe, Proxy: &Proxy{Addr: "127.0.0.1:1"}, TempDir: t.TempDir()}, nil, origin, []string{"/", "https://127.0.0.1:8080/"})
	if err == nil || err.Error() != `page "https://127.0.0.1:8080/" is not on http://127.0.0.1:8080` {
		t.Fatalf("err = %v, want the page refused", err)
	}
}

func TestFind(t *testing.T) {
	look := func(have ...string) func(string) (string, error) {
		return func(name string) (string, error) {
			for _, h := range have {
				if h == name {
					return "/found/" + filepath.Base(name), nil
				}
			}
			return "", exec.ErrNotFound
		}
	}
	names := []string{"chromium", "/usr/lib/chromium/chromium", "chromium-browser"}
	if p, err := find(look("chromium-browser", "/usr/lib/chromium/chromium"), names); err != nil || p != "/found/chromium" {
		t.Errorf("find = %q, %v; want the Debian binary before chromium-browser", p, err)
	}
	_, err := find(look(), names)
	if !errors.Is(err, ErrNoChromium) || err.Error() != "no Chromium found: install Debian's chromium (apt-get install -y chromium)" {
		t.Errorf("find without Chromium: %v", err)
	}
	if _, err := execPath(filepath.Join(t.TempDir(), "chromium")); !errors.Is(err, ErrNoChromium) {
		t.Errorf("a missing exec path: %v, want ErrNoChromium", err)
	}
}

func TestResolverRules(t *testing.T) {
	u := func(s string) *url.URL { v, _ := url.Parse(s); return v }
	tests := []struct {
		name    string
		origin  *url.URL
		resolve map[string]string
		want    string
		err     string
	}{
		{
			name: "names mapped, the rest to nothing", origin: u("https://app.portal.test:8443"),
			resolve: map[string]string{"app.portal.test": "127.0.0.1", "*.cdn.test": "::ffff:10.0.0.2", "v6.test": "2001:db8::1"},
			want:    "MAP *.cdn.test 10.0.0.2, MAP app.portal.test 127.0.0.1, MAP v6.test [2001:db8::1], MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE ::1, EXCLUDE [::1]",
		},
		{
			name: "an IP-literal origin stays reachable", origin: u("https://10.1.2.3"),
			want: "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE ::1, EXCLUDE [::1], EXCLUDE 10.1.2.3",
		},
		{name: "a comma cannot add a rule", resolve: map[string]string{"a.test, MAP *": "127.0.0.1"}, err: `resolve: "a.test, MAP *" is not a host name`},
		{name: "not an address", resolve: map[string]string{"a.test": "localhost"}, err: `resolve a.test: "localhost" is not an IP address`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := resolverRules(tt.origin, tt.resolve)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("err = %v, want %s", err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("rules = %q, %v\nwant %q", got, err, tt.want)
			}
		})
	}
}

func TestCookieParams(t *testing.T) {
	origin, _ := url.Parse("https://app.portal.test:8443/x")
	now := time.Unix(1_800_000_000, 0)
	p := cookieParams(&http.Cookie{Name: "s", Value: "v", HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode, MaxAge: 60}, origin, now)
	if p.URL != "https://app.portal.test:8443/" || p.Domain != "" || p.Path != "/" || !*p.HTTPOnly || !*p.Secure ||
		p.SameSite != "Strict" || int64(p.Expires) != now.Unix()+60 {
		t.Errorf("host-only session cookie: %+v", p)
	}
	p = cookieParams(&http.Cookie{Name: "d", Value: "v", Domain: "portal.test", Path: "/app"}, origin, now)
	if p.Domain != "portal.test" || p.Path != "/app" || *p.HTTPOnly || *p.Secure || p.SameSite != "" || p.Expires != 0 {
		t.Errorf("domain cookie: %+v", p)
	}
}
