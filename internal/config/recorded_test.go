package config

import (
	"strings"
	"testing"
)

// testRecording is a minimal valid session recording of origin for account.
func testRecording(origin, account string) string {
	return `{"warning": "credential", "schema": "launchready/session/v1", "origin": "` + origin + `", "account": "` + account + `",
 "recorded": "2026-11-28T10:00:00Z", "verified_url": "` + origin + `/dashboard",
 "cookies": [{"name": "sid", "value": "recorded-sid-value", "domain": "app.example.com", "path": "/", "secure": true, "httpOnly": true, "sameSite": "Lax"}],
 "local_storage": {"auth": "{\"access_token\": \"recorded-access-token\"}"}, "session_storage": {}, "indexeddb": []}`
}

func TestParseRecorded(t *testing.T) {
	yaml := "target:\n  url: https://app.example.com\nauth:\n  kind: recorded\n  protected: [/dashboard]\n  recorded: {a: session-a.json}\n" +
		"session: {kind: token, from: \"localStorage:auth#access_token\", header: Authorization, prefix: \"Bearer \"}\n"
	c, err := Parse([]byte(yaml), "", testOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	rec := c.Recording("a")
	if rec == nil || rec.Cookies[0].Value != "recorded-sid-value" || c.Recording("b") != nil {
		t.Fatalf("Recording(a) = %+v", rec)
	}
	if tok, err := rec.Token(c.Session.From); err != nil || tok != "recorded-access-token" {
		t.Errorf("token = %q, %v", tok, err)
	}
	if p := c.RecordedPath("a"); p != "/cfg/session-a.json" {
		t.Errorf("RecordedPath(a) = %q", p)
	}
	if state, _ := c.Need("accounts.a"); state != NeedPresent {
		t.Errorf("Need(accounts.a) = %v with a recorded session for a", state)
	}
	want := "launchready.yaml has no auth.recorded.b: add auth.recorded.b with member b's session file, recorded by hand with " +
		"`launchready login --record --account b --out launchready-session-b.json`"
	if state, reason := c.Need("accounts.b"); state != NeedMissing || reason != want {
		t.Errorf("Need(accounts.b) = %v, %q without one\nwant %q", state, reason, want)
	}

	// The token the config names must be in the recording.
	bad := strings.Replace(yaml, "#access_token", "#refresh_token", 1)
	_, err = Parse([]byte(bad), "", testOptions(t))
	want = `launchready.yaml:6: auth.recorded.a: session-a.json has no token where session.from says (localStorage:auth#refresh_token): localStorage "auth" field "refresh_token": no field "refresh_token"`
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant %s", err, want)
	}

	// login --record loads the config before the file exists.
	missing := strings.Replace(yaml, "session-a.json", "not-yet.json", 1)
	opts := testOptions(t)
	opts.NoRecordings = true
	c, err = Parse([]byte(missing), "", opts)
	if err != nil || c.Recording("a") != nil || c.RecordedFile("a") != "not-yet.json" {
		t.Errorf("NoRecordings: %v, %+v", err, c)
	}

	_, err = Parse([]byte("target:\n  url: https://app.example.com\nauth:\n  recorded: {a: session-a.json}\n"), "", testOptions(t))
	if err == nil || err.Error() != `launchready.yaml:4: auth.recorded: only used when auth.kind is recorded, got auth.kind "form"` {
		t.Errorf("recorded with kind form: %v", err)
	}
}
