package browser

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/recorded"
)

// ssoPortal is a portal whose login passes through an identity provider
// on another host (idp.test, the same server): the password form sets an
// HttpOnly session cookie, the provider sets its own cookie, and the
// dashboard's script stores an API token in localStorage and IndexedDB.
type ssoPortal struct {
	origin, idp string

	mu      sync.Mutex
	n       int
	tokens  map[string]string // sid -> API token
	revoked bool
}

const ssoLoginPage = `<html><body><form method="post" action="/login">
<input id="email" name="email"><input id="password" type="password" name="password">
<button id="submit" type="submit">Sign in</button></form></body></html>`

// ssoDashboard stores the token once its IndexedDB writes are done, so the
// storage the recorder waits for settles after them.
const ssoDashboard = `<html><body><h1 id="welcome">Welcome</h1><script>
const tok = %q;
const r = indexedDB.open('appdb', 1);
r.onupgradeneeded = () => {
  r.result.createObjectStore('kv');
  r.result.createObjectStore('users', {keyPath: 'id'});
};
r.onsuccess = () => {
  const tx = r.result.transaction(['kv', 'users'], 'readwrite');
  tx.objectStore('kv').put({token: tok}, 'session');
  tx.objectStore('kv').put(new Blob(['binary']), 'avatar');
  tx.objectStore('users').put({id: 7, name: 'Ann'});
  tx.oncomplete = () => { localStorage.setItem('auth_token', tok); sessionStorage.setItem('tab', 'one'); };
};
</script></body></html>`

func (p *ssoPortal) session(r *http.Request) (string, bool) {
	c, err := r.Cookie("sid")
	if err != nil {
		return "", false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	tok, ok := p.tokens[c.Value]
	return tok, ok && !p.revoked
}

func (p *ssoPortal) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.Host, "idp.test") {
		// The provider's own cookie and storage, which must not be saved.
		http.SetCookie(w, &http.Cookie{Name: "idp_sid", Value: "provider-session-value", Path: "/", HttpOnly: true})
		fmt.Fprintf(w, `<html><body><script>localStorage.setItem('idp_token', 'provider-storage-value');
sessionStorage.setItem('idp_state', 'provider-state-value'); location.replace(%q);</script></body></html>`, p.origin+"/dashboard")
		return
	}
	switch r.URL.Path {
	case "/login":
		if r.Method == http.MethodPost && r.FormValue("email") == "a@portal.test" && r.FormValue("password") == "right-password" {
			p.mu.Lock()
			p.n++
			sid, tok := fmt.Sprintf("portal-sid-%d-abcdef", p.n), fmt.Sprintf("portal-token-%d-uvwxyz", p.n)
			p.tokens[sid] = tok
			p.mu.Unlock()
			http.SetCookie(w, &http.Cookie{Name: "sid", Value: sid, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
			http.Redirect(w, r, p.idp+"/sso", http.StatusFound)
			return
		}
		fmt.Fprint(w, ssoLoginPage)
	case "/dashboard":
		tok, ok := p.session(r)
		if !ok {
			http.Redirect(w, r, "/login?next=/dashboard", http.StatusFound)
			return
		}
		fmt.Fprintf(w, ssoDashboard, tok)
	case "/blank":
		_, ok := p.session(r)
		fmt.Fprintf(w, "<html><body>signed in: %v</body></html>", ok)
	default:
		http.NotFound(w, r)
	}
}

func newSSOPortal(t *testing.T) (*ssoPortal, *url.URL) {
	t.Helper()
	p := &ssoPortal{tokens: map[string]string{}}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	p.origin, p.idp = srv.URL, "http://idp.test:"+port
	origin, _ := url.Parse(srv.URL)
	return p, origin
}

// fillForm is the test's person: it signs in and then, like a person who
// never presses Enter, waits; the recorder finishes by itself on the
// dashboard.
func fillForm(email, password string) Person {
	return func(ctx context.Context) error {
		err := chromedp.Do(ctx,
			chromedp.WaitVisible(chromedp.ID("email")),
			chromedp.SendKeys(chromedp.ID("email"), email),
			chromedp.SendKeys(chromedp.ID("password"), password),
			chromedp.Click(chromedp.ID("submit")),
		)
		if err != nil {
			return err
		}
		<-ctx.Done()
		return ctx.Err()
	}
}

func recordOptions(exe string, origin *url.URL, tmp string) RecordOptions {
	return RecordOptions{
		Options:  Options{ExecPath: exe, Resolve: map[string]string{"idp.test": "127.0.0.1"}, Timeout: 2 * time.Minute, TempDir: tmp},
		Headless: true, Origin: origin, LoginPath: "/login", Done: []string{"/dashboard"},
		ScopeHosts: []string{"127.0.0.1"}, Account: "a",
	}
}

func TestRecord(t *testing.T) {
	exe := needChromium(t)
	p, origin := newSSOPortal(t)
	tmp := t.TempDir()
	rec, err := Record(context.Background(), recordOptions(exe, origin, tmp), fillForm("a@portal.test", "right-password"))
	if err != nil {
		t.Fatal(err)
	}
	assertClean(t, tmp)
	p.mu.Lock()
	sid, tok := "portal-sid-1-abcdef", p.tokens["portal-sid-1-abcdef"]
	p.mu.Unlock()

	file := filepath.Join(t.TempDir(), "launchready-session-a.json")
	if err := recorded.WriteFile(file, rec); err != nil {
		t.Fatal(err)
	}
	checkRecordingFile(t, file)
	rec, err = recorded.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Origin != origin.String() || rec.Account != "a" || rec.VerifiedURL != origin.String()+"/dashboard" || rec.Recorded.IsZero() {
		t.Errorf("recording: origin %q account %q verified %q at %v", rec.Origin, rec.Account, rec.VerifiedURL, rec.Recorded)
	}
	if len(rec.Cookies) != 1 || rec.Cookies[0].Name != "sid" || rec.Cookies[0].Value != sid || !rec.Cookies[0].HTTPOnly ||
		rec.Cookies[0].SameSite != "Lax" || rec.Cookies[0].Domain != "127.0.0.1" {
		t.Errorf("cookies = %+v, want only the portal's HttpOnly sid", rec.Cookies)
	}
	if !strings.Contains(strings.Join(rec.Skipped, "\n"), "cookies of hosts outside target.scope, not saved: idp.test") {
		t.Errorf("skipped = %q, want the provider's cookie named as not saved", rec.Skipped)
	}
	if rec.LocalStorage["auth_token"] != tok || rec.SessionStorage["tab"] != "one" {
		t.Errorf("local %v, session %v", rec.LocalStorage, rec.SessionStorage)
	}
	checkRecordedIDB(t, rec, tok)

	checkScanSide(t, p, origin, rec, file)
}

func checkRecordingFile(t *testing.T, file string) {
	t.Helper()
	st, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
	data, _ := os.ReadFile(file)
	if !strings.HasPrefix(string(data), "{\n  \"warning\": \"This file is a credential") {
		t.Errorf("the file does not start with the credential warning:\n%.200s", data)
	}
	for _, v := range []string{"provider-session-value", "provider-storage-value", "provider-state-value", "idp_"} {
		if strings.Contains(string(data), v) {
			t.Errorf("the provider's %s was saved", v)
		}
	}
}

func checkRecordedIDB(t *testing.T, rec *recorded.Recording, tok string) {
	t.Helper()
	found := map[string]string{}
	for _, db := range rec.IndexedDB {
		for _, st := range db.Stores {
			for _, r := range st.Records {
				var v bytes.Buffer
				_ = json.Compact(&v, r.Value) // the file holds it indented
				found[db.Name+"/"+st.Name+"/"+string(r.Key)] = v.String()
			}
			if st.Name == "users" && string(st.KeyPath) != `"id"` {
				t.Errorf("users keyPath = %s", st.KeyPath)
			}
		}
	}
	if found[`appdb/kv/"session"`] != `{"token":"`+tok+`"}` || found[`appdb/users/7`] != `{"id":7,"name":"Ann"}` {
		t.Errorf("IndexedDB records %v", found)
	}
	if _, ok := found[`appdb/kv/"avatar"`]; ok || !strings.Contains(strings.Join(rec.Skipped, "\n"), "appdb/kv: 1 records that are not plain JSON data") {
		t.Errorf("the Blob record: saved %v, skipped %q", ok, rec.Skipped)
	}
}

// checkScanSide logs in from the recording the way a scan does, seeds a
// browser with it, and, once the portal has revoked the session, expects
// the error to name the command that records it again.
func checkScanSide(t *testing.T, p *ssoPortal, origin *url.URL, rec *recorded.Recording, file string) {
	t.Helper()
	ctx := context.Background()
	c, err := client.New(client.Options{Scope: []string{"127.0.0.1"}})
	if err != nil {
		t.Fatal(err)
	}
	lc := client.LoginConfig{Origin: origin, Kind: "recorded", Path: "/login", Protected: []string{"/dashboard"}, SessionKind: "cookie",
		Recorded: map[string]*client.RecordedLogin{"a": {File: file, Recording: rec}}}
	sessions := client.NewSessions(c, lc, map[string]client.Credentials{"a": {}})
	sess, err := sessions.Get(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(sess.Login.Verified.Body), `id="welcome"`) {
		t.Errorf("the protected page was not read signed in: %.200s", sess.Login.Verified.Body)
	}

	px, err := c.StartProxy(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer px.Close()
	got, err := Inspect(ctx, Options{ExecPath: needChromium(t), Proxy: &Proxy{Addr: px.Addr(), SPKI: px.SPKI()}, Timeout: time.Minute, TempDir: t.TempDir(), Seed: rec},
		nil, origin, []string{"/blank"})
	if err != nil {
		t.Fatal(err)
	}
	s := got[0]
	if !strings.Contains(s.Text, "signed in: true") || s.Local["auth_token"] != rec.LocalStorage["auth_token"] {
		t.Errorf("seeded browser: text %q, local %v", s.Text, s.Local)
	}
	if !slicesContainsIDB(s.IndexedDB, "appdb", "users", "7") {
		t.Errorf("seeded IndexedDB: %+v", s.IndexedDB)
	}

	p.mu.Lock()
	p.revoked = true
	p.mu.Unlock()
	_, err = client.NewSessions(c, lc, map[string]client.Credentials{"a": {}}).Get(ctx, "a")
	want := "sign in again by hand with `launchready login --record --account a --out " + file + "`"
	if !errors.Is(err, client.ErrRecordedExpired) || !strings.Contains(err.Error(), want) {
		t.Errorf("after revocation: %v\nwant it to say %s", err, want)
	}
}

func slicesContainsIDB(entries []IDBEntry, db, store, key string) bool {
	for _, e := range entries {
		if e.Database == db && e.Store == store && e.Key == key {
			return true
		}
	}
	return false
}

func TestRecordNotSignedIn(t *testing.T) {
	exe := needChromium(t)
	_, origin := newSSOPortal(t)
	tmp := t.TempDir()
	// A person who presses Enter without signing in.
	enter := func(ctx context.Context) error { return chromedp.Do(ctx, chromedp.WaitVisible(chromedp.ID("email"))) }
	_, err := Record(context.Background(), recordOptions(exe, origin, tmp), enter)
	if !errors.Is(err, ErrNotSignedIn) || !strings.Contains(err.Error(), "/login?next=/dashboard") {
		t.Fatalf("err = %v, want ErrNotSignedIn naming the login page it landed on", err)
	}
	assertClean(t, tmp)
}

func TestRecordWithoutChromium(t *testing.T) {
	origin, _ := url.Parse("http://127.0.0.1:1")
	opts := RecordOptions{Options: Options{ExecPath: filepath.Join(t.TempDir(), "chromium")}, Origin: origin}
	_, err := Record(context.Background(), opts, nil)
	if !errors.Is(err, ErrNoChromium) || !strings.Contains(err.Error(), "apt-get install -y chromium") {
		t.Errorf("err = %v, want ErrNoChromium naming how to install it", err)
	}
}

func TestOpenRules(t *testing.T) {
	got := openRules("MAP a.test 127.0.0.1, MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE ::1")
	if got != "MAP a.test 127.0.0.1" {
		t.Errorf("openRules = %q", got)
	}
}
