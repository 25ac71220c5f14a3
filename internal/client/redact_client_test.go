package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// loginPortal accepts JSON logins at /api/login and form logins at /login
// for the given passwords, setting a session cookie with a plain name.
func loginPortal(t *testing.T, passwords map[string]string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var email, pw string
		switch {
		case r.URL.Path == "/api/login" && r.Method == http.MethodPost:
			var in struct{ Email, Password string }
			if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
				http.Error(w, "bad json", http.StatusBadRequest)
				return
			}
			email, pw = in.Email, in.Password
		case r.URL.Path == "/login" && r.Method == http.MethodPost:
			email, pw = r.PostFormValue("email"), r.PostFormValue("password")
		case r.URL.Path == "/login":
			fmt.Fprint(w, `<form method="post" action="/login"><input name="email"><input type="password" name="password"></form>`)
			return
		default:
			fmt.Fprint(w, "member page")
			return
		}
		if passwords[email] != pw {
			http.Error(w, "wrong password", http.StatusUnauthorized)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "pm", Value: "pm-session-" + strings.Repeat("7", 12), Path: "/"})
		fmt.Fprint(w, `{"ok":true}`)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestLoginReproMasksPasswords is breach 1 of issue 12 end to end: the
// curl repro of a JSON or form login quotes its body (--data-binary), and
// passwords holding " \ & < > ' % or a space, or shorter than 6
// characters, showed there.
func TestLoginReproMasksPasswords(t *testing.T) {
	passwords := map[string]string{
		"m1@portal.test": `p"w\d &<>'% +#ü/é-x`,
		"m2@portal.test": `q"z`,
		"m3@portal.test": "k3Z",
		"m4@portal.test": "x y",
	}
	srv := loginPortal(t, passwords)
	origin := parseURL(t, srv.URL)
	for _, kind := range []string{"json", "form"} {
		t.Run(kind, func(t *testing.T) {
			c := newClient(t, Options{Home: []string{srv.URL}})
			lc := LoginConfig{Origin: origin, Kind: kind, Path: "/login",
				Form: map[string]string{"email": "{{email}}", "password": "{{password}}"}}
			if kind == "json" {
				lc.Path = "/api/login"
			}
			accounts := map[string]Credentials{}
			for email, pw := range passwords {
				accounts[email] = Credentials{Email: email, Password: pw}
			}
			ss := NewSessions(c, lc, accounts)
			for email, pw := range passwords {
				sess, err := ss.Login(context.Background(), email)
				if err != nil {
					t.Fatal(err)
				}
				repro := c.Repro(sess.Login.Submit)
				if !strings.Contains(repro, "--data-binary") {
					t.Fatalf("the repro quotes no body: %s", repro)
				}
				for _, e := range encoders {
					if enc := e.enc(pw); strings.Contains(repro, enc) {
						t.Errorf("%s of %q in the repro: %s", e.name, pw, repro)
					}
				}
				if strings.Contains(repro, "777777777777") {
					t.Errorf("the session cookie in the repro: %s", repro)
				}
			}
		})
	}
}

// TestLearnsOnlyCredentialCookies is breach 8 of issue 12: every cookie
// value joined the redaction set, so a portal that set a cookie to its own
// origin turned every URL of the report into [redacted]. Only credential
// cookies are learnt: by name, or set by a login.
func TestLearnsOnlyCredentialCookies(t *testing.T) {
	var srvURL string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "origin", Value: url.QueryEscape(srvURL), Path: "/"})
		http.SetCookie(w, &http.Cookie{Name: "where", Value: strings.TrimPrefix(srvURL, "http://"), Path: "/"})
		http.SetCookie(w, &http.Cookie{Name: "theme", Value: "dark-mode-please", Path: "/"})
		http.SetCookie(w, &http.Cookie{Name: "app_session", Value: "sess-value-0123", Path: "/"})
		http.SetCookie(w, &http.Cookie{Name: "__Host-pref", Value: "host-prefixed-0123", Path: "/", Secure: true})
		fmt.Fprint(w, "ok")
	}))
	defer srv.Close()
	srvURL = srv.URL
	srvPW := loginPortal(t, map[string]string{"m@portal.test": "pw-0123456"})
	c := newClient(t, Options{Home: []string{srv.URL, srvPW.URL}})
	if _, err := c.Do(context.Background(), &Request{URL: srv.URL + "/page"}); err != nil {
		t.Fatal(err)
	}
	in := "GET " + srv.URL + "/account?from=" + url.QueryEscape(srv.URL) + " dark-mode-please sess-value-0123 host-prefixed-0123"
	want := "GET " + srv.URL + "/account?from=" + url.QueryEscape(srv.URL) + " dark-mode-please [redacted] [redacted]"
	if got := c.Redactor().Redact(in); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}

	// A cookie with a plain name set by a login is learnt, and so is its
	// next value on any response.
	ss := NewSessions(c, LoginConfig{Origin: parseURL(t, srvPW.URL), Kind: "json", Path: "/api/login",
		Form: map[string]string{"email": "{{email}}", "password": "{{password}}"}},
		map[string]Credentials{"m": {Email: "m@portal.test", Password: "pw-0123456"}})
	if _, err := ss.Login(context.Background(), "m"); err != nil {
		t.Fatal(err)
	}
	if got := c.Redactor().Redact("pm-session-777777777777"); got != Mask {
		t.Errorf("the login's cookie was not learnt: %q", got)
	}
	c.MarkCredentialCookie("sidekick", "marked-value-0123")
	if got := c.Redactor().Redact("marked-value-0123"); got != Mask {
		t.Errorf("a marked cookie was not learnt: %q", got)
	}
}

func parseURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
