package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/launchready/launchready/internal/config"
	"github.com/launchready/launchready/internal/recorded"
)

// handPortal accepts the sessions a person made by hand: a cookie for its
// pages, a bearer token for its API. Revoking ends both.
type handPortal struct {
	mu      sync.Mutex
	revoked bool
}

const (
	handSID   = "hand-made-session-id-1234"
	handToken = "hand-made-access-token-5678"
)

func (p *handPortal) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	revoked := p.revoked
	p.mu.Unlock()
	c, err := r.Cookie("sid")
	signedIn := err == nil && c.Value == handSID && !revoked
	switch r.URL.Path {
	case "/login":
		fmt.Fprint(w, `<form method="post"><input name="email"><input type="password" name="password"></form>`)
	case "/dashboard":
		if !signedIn {
			http.Redirect(w, r, "/login?next=/dashboard", http.StatusFound)
			return
		}
		fmt.Fprint(w, "<h1>Welcome back</h1>")
	case "/api/me":
		if r.Header.Get("Authorization") != "Bearer "+handToken || revoked {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		fmt.Fprint(w, `{"email": "a@portal.test"}`)
	default:
		http.NotFound(w, r)
	}
}

func handRecording(origin string) *recorded.Recording {
	return &recorded.Recording{
		Schema: recorded.Schema, Origin: origin, Account: "a", Recorded: time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC),
		VerifiedURL: origin + "/dashboard",
		Cookies: []recorded.Cookie{
			{Name: "sid", Value: handSID, Domain: "127.0.0.1", Path: "/", HTTPOnly: true, SameSite: "Lax"},
			{Name: "old", Value: "expired-cookie-value", Domain: "127.0.0.1", Path: "/", Expires: time.Now().Add(-time.Hour)},
		},
		LocalStorage: map[string]string{"auth": `{"access_token": "` + handToken + `"}`},
	}
}

func recordedSessions(t *testing.T, p *handPortal, mod func(*LoginConfig)) (*Sessions, *Client) {
	t.Helper()
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	origin, _ := url.Parse(srv.URL)
	c := newClient(t, Options{})
	lc := LoginConfig{
		Origin: origin, Kind: "recorded", Path: "/login", Protected: []string{"/dashboard"}, SessionKind: "cookie",
		Recorded: map[string]*RecordedLogin{"a": {File: "session-a.json", Recording: handRecording(srv.URL)}},
	}
	if mod != nil {
		mod(&lc)
	}
	return NewSessions(c, lc, map[string]Credentials{"a": {}, "b": {}}), c
}

func TestRecordedLogin(t *testing.T) {
	p := &handPortal{}
	s, c := recordedSessions(t, p, nil)
	sess, err := s.Get(context.Background(), "a")
	if err != nil {
		t.Fatal(err)
	}
	if v := sess.Login.Verified; v == nil || !strings.Contains(string(v.Body), "Welcome back") {
		t.Fatalf("verified page: %+v", v)
	}
	names := []string{}
	for _, ck := range sess.Cookies(s.Config().Origin) {
		names = append(names, ck.Name)
	}
	if strings.Join(names, ",") != "sid" {
		t.Errorf("jar cookies %v, want only sid (the expired one left out)", names)
	}
	out := c.Redactor().Redact("Cookie: x=1\nsid " + handSID + " token " + handToken)
	if strings.Contains(out, handSID) || strings.Contains(out, handToken) {
		t.Errorf("recorded values printed: %s", out)
	}

	_, err = s.Get(context.Background(), "b")
	want := "login as b (): no recorded session for account b: add auth.recorded.b: launchready-session-b.json to the config and record it with `launchready login --record --account b --out launchready-session-b.json`"
	if err == nil || err.Error() != want {
		t.Errorf("b without a recording: %v\nwant %s", err, want)
	}

	// A check that logs in afresh (and may log out) gets no session.
	_, err = s.Login(context.Background(), "a")
	if !errors.Is(err, ErrRecordedFresh) || !strings.Contains(err.Error(), "member a signs in by hand (auth.kind recorded)") {
		t.Errorf("a fresh login: %v, want ErrRecordedFresh", err)
	}

	p.mu.Lock()
	p.revoked = true
	p.mu.Unlock()
	s, _ = recordedSessions(t, p, nil)
	_, err = s.Get(context.Background(), "a")
	if !errors.Is(err, ErrRecordedExpired) {
		t.Fatalf("after revocation: %v, want ErrRecordedExpired", err)
	}
	for _, part := range []string{
		"/dashboard sent it to the login page",
		"(recorded 2026-11-28 10:00:00 UTC in session-a.json)",
		"sign in again by hand with `launchready login --record --account a --out session-a.json`",
	} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("error %q misses %q", err, part)
		}
	}
}

func TestRecordedTokenLogin(t *testing.T) {
	p := &handPortal{}
	s, _ := recordedSessions(t, p, func(lc *LoginConfig) {
		lc.SessionKind, lc.TokenFrom, lc.TokenHeader, lc.TokenPrefix = "token", "localStorage:auth#access_token", "Authorization", "Bearer "
		lc.Protected = []string{"/api/me"}
	})
	sess, err := s.Get(context.Background(), "a")
	if err != nil {
		t.Fatal(err)
	}
	if sess.Token() != "Bearer "+handToken {
		t.Errorf("token not taken from localStorage")
	}
	if resp, err := sess.Do(context.Background(), &Request{URL: s.url("/api/me")}); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("/api/me with the recorded token: %v, %v", resp, err)
	}
	p.mu.Lock()
	p.revoked = true
	p.mu.Unlock()
	_, err = s.Login(context.Background(), "a")
	if !errors.Is(err, ErrRecordedFresh) {
		t.Errorf("fresh login: %v", err)
	}
	s, _ = recordedSessions(t, p, func(lc *LoginConfig) {
		lc.SessionKind, lc.TokenFrom, lc.TokenHeader, lc.TokenPrefix = "token", "localStorage:auth#access_token", "Authorization", "Bearer "
		lc.Protected = []string{"/api/me"}
	})
	_, err = s.Get(context.Background(), "a")
	if !errors.Is(err, ErrRecordedExpired) || !strings.Contains(err.Error(), "/api/me answered 401") {
		t.Errorf("revoked token: %v", err)
	}
}

// TestRecordedFromConfig goes the scan's way: a config naming the session
// file, loaded and validated, then FromConfig's sessions.
func TestRecordedFromConfig(t *testing.T) {
	srv := httptest.NewServer(&handPortal{})
	defer srv.Close()
	dir := t.TempDir()
	if err := recorded.WriteFile(filepath.Join(dir, "session-a.json"), handRecording(srv.URL)); err != nil {
		t.Fatal(err)
	}
	yaml := "target:\n  url: " + srv.URL + "\nauth:\n  kind: recorded\n  login: {path: /login}\n  protected: [/dashboard]\n  recorded: {a: session-a.json}\n"
	if err := os.WriteFile(filepath.Join(dir, "launchready.yaml"), []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(filepath.Join(dir, "launchready.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	_, sessions, err := FromConfig(cfg, "test")
	if err != nil {
		t.Fatal(err)
	}
	sess, err := sessions.Get(context.Background(), "a")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(sess.Login.Verified.Body), "Welcome back") {
		t.Errorf("verified page: %s", sess.Login.Verified.Body)
	}
	if _, err := sessions.Get(context.Background(), "b"); err == nil || !strings.Contains(err.Error(), `no account "b"`) {
		t.Errorf("b has neither a recording nor an account: %v", err)
	}
}
