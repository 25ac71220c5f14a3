package config

import (
	"slices"
	"testing"

	"github.com/launchready/launchready/internal/fakesecret"
)

// TestLoginKinds: clerk admits its Backend API prefix to the scope and
// needs no account password; magic_link and email_otp read their sections;
// a form login still demands the password.
func TestLoginKinds(t *testing.T) {
	clerk := "target:\n  url: https://app.example.com\nauth:\n  kind: clerk\n  clerk: {secret_key: env:CLERK_SK}\n" +
		"accounts:\n  a: {email: a@example.com}\n"
	c, err := Parse([]byte(clerk), "launchready.yaml", testOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"app.example.com", "https://api.clerk.com/v1/"}; !slices.Equal(c.Target.Scope, want) {
		t.Errorf("scope = %q, want %q", c.Target.Scope, want)
	}
	if c.Session.Kind != "cookie" || c.Auth.Clerk.SecretKey.Value != fakesecret.ClerkDevKey {
		t.Errorf("session %+v, clerk %+v", c.Session, c.Auth.Clerk)
	}
	if state, _ := c.Need("auth.login"); state != NeedPresent {
		t.Errorf("clerk: Need(auth.login) = %v, want present (the clerk section is the login)", state)
	}
	tok, err := Parse([]byte(clerk+"session: {kind: token}\n"), "launchready.yaml", testOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	if s := tok.Session; s.From != "jwt" || s.Header != "Authorization" || s.Prefix != "Bearer " {
		t.Errorf("clerk token session = %+v", s)
	}

	otp := `target:
  url: https://app.example.com
auth:
  kind: email_otp
  inbox: {kind: mailpit, url: "http://127.0.0.1:8025", address: "qa+{{tag}}@example.com"}
  email_otp:
    path: /login
    form: {email: "{{email}}"}
    verify: {path: /verify, form: {email: "{{email}}", code: "{{code}}"}}
    code: 'code: (\d{6})'
accounts:
  a: {email: a@example.com}
`
	c, err = Parse([]byte(otp), "launchready.yaml", testOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	if o := c.Auth.EmailOTP; o.Verify.Path != "/verify" || o.Code != `code: (\d{6})` {
		t.Errorf("email_otp = %+v", o)
	}

	form := "target:\n  url: https://app.example.com\naccounts:\n  a: {email: a@example.com}\n"
	_, err = Parse([]byte(form), "launchready.yaml", testOptions(t))
	if want := `launchready.yaml:4: accounts.a: missing required key "password"`; errString(err) != want {
		t.Errorf("form login without password: %v, want %s", err, want)
	}
}

func TestLinkMatcher(t *testing.T) {
	for _, tc := range []struct {
		spec, link, path string
		want             bool
	}{
		{"", "https://a/x", "/x", true},
		{"/auth/magic", "https://a/auth/magic?t=1", "/auth/magic", true},
		{"/auth/magic", "https://a/unsubscribe", "/unsubscribe", false},
		{`token=\w+`, "https://a/m?token=abc", "/m", true},
		{`token=\w+`, "https://a/m", "/m", false},
	} {
		m, err := LinkMatcher(tc.spec)
		if err != nil {
			t.Fatal(err)
		}
		if got := m(tc.link, tc.path); got != tc.want {
			t.Errorf("LinkMatcher(%q)(%q) = %v", tc.spec, tc.link, got)
		}
	}
}
