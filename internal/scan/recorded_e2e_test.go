package scan

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/config"
	"github.com/launchready/launchready/internal/demo"
	"github.com/launchready/launchready/internal/recorded"
)

// recordCookies turns a login's cookies into what a browser keeps: each
// cookie in the jar with the attributes of the last Set-Cookie line that
// set it.
func recordCookies(s *client.Session, origin *url.URL) []recorded.Cookie {
	set := map[string]*http.Cookie{}
	for _, resp := range []*client.Response{s.Login.Page, s.Login.Submit} {
		if resp == nil {
			continue
		}
		for _, h := range resp.Hops {
			for _, line := range h.Header.Values("Set-Cookie") {
				if c, err := http.ParseSetCookie(line); err == nil {
					set[c.Name] = c
				}
			}
		}
	}
	var out []recorded.Cookie
	for _, c := range s.Cookies(origin) {
		rc := recorded.Cookie{Name: c.Name, Value: c.Value, Domain: origin.Hostname(), Path: "/"}
		if h := set[c.Name]; h != nil {
			rc.Secure, rc.HTTPOnly = h.Secure, h.HttpOnly
			rc.SameSite = map[http.SameSite]string{http.SameSiteLaxMode: "Lax", http.SameSiteStrictMode: "Strict", http.SameSiteNoneMode: "None"}[h.SameSite]
			if h.Path != "" {
				rc.Path = h.Path
			}
		}
		out = append(out, rc)
	}
	return out
}

// TestRecordedSessionScan runs a whole scan of the demo with sessions
// recorded by hand (auth.kind recorded): the recordings are made here
// from real logins, as `launchready login --record` saves them. Checks
// that use the members' sessions run on them, and the cookie flags are
// judged on the attributes the recording kept (flawed: SESS-001/002 FAIL;
// hardened: PASS); checks that must log in afresh SKIP, saying why; none
// is ERROR because of the login kind, and the recordings are still valid
// afterwards.
func TestRecordedSessionScan(t *testing.T) {
	for _, tc := range []struct {
		name  string
		flaws demo.Flaws
		want  check.Status
	}{{"hardened", demo.Hardened(), check.Pass}, {"flawed", demo.Flawed(), check.Fail}} {
		t.Run(tc.name, func(t *testing.T) { recordedScan(t, tc.flaws, tc.want) })
	}
}

func recordedScan(t *testing.T, flaws demo.Flaws, want check.Status) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p, cfg := startDemo(t, ctx, demo.Options{Flaws: flaws, Dir: t.TempDir()})
	_, sessions, err := client.FromConfig(cfg, "test")
	if err != nil {
		t.Fatal(err)
	}
	origin, _ := url.Parse(cfg.Target.URL)
	var lines []string
	for _, name := range []string{"a", "b", "admin"} {
		s, err := sessions.Get(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		rec := &recorded.Recording{Warning: recorded.Warning, Schema: recorded.Schema, Origin: cfg.Target.URL, Account: name,
			Recorded: time.Now(), VerifiedURL: cfg.Target.URL + "/dashboard", Cookies: recordCookies(s, origin)}
		file := "rec-" + name + ".json"
		if err := recorded.WriteFile(filepath.Join(p.Dir, file), rec); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, name+": "+file)
	}
	raw, err := os.ReadFile(p.ConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(raw), "  kind: form\n", "  kind: recorded\n  recorded: {"+strings.Join(lines, ", ")+"}\n", 1)
	path := filepath.Join(p.Dir, "recorded.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	rcfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	run, err := Execute(ctx, rcfg, Options{Version: "test", FailOn: check.Blocker, Intrusive: true})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]check.Result{}
	for _, o := range run.Outcomes {
		r := o.Result
		got[o.Meta.ID] = r
		t.Logf("%-9s %-5s %s", o.Meta.ID, r.Status, r.Summary)
		if r.Status == check.Error && strings.Contains(r.Reason, "recorded") {
			t.Errorf("%s is ERROR because of the recorded login: %s", o.Meta.ID, r.Reason)
		}
	}
	for _, id := range []string{"AUTHZ-001", "AUTHZ-003", "AUTHZ-004", "AUTHZ-007", "SESS-001", "SESS-002"} {
		if got[id].Status != want {
			t.Errorf("%s = %s (%s), want %s on the recorded sessions", id, got[id].Status, got[id].Summary, want)
		}
	}
	if r := got["SESS-002"]; want == check.Fail && (len(r.Evidence) == 0 || !strings.Contains(r.Evidence[0].Detail, "Cookie as the browser kept it (recorded ")) {
		t.Errorf("SESS-002 evidence does not say the cookie comes from the recording: %+v", r.Evidence)
	}
	if r := got["AUTH-004"]; r.Status != check.Skip || !strings.Contains(r.Reason, "auth.kind recorded") {
		t.Errorf("AUTH-004 (logout) = %s (%s), want SKIP naming the recorded kind", r.Status, r.Reason)
	}
	// The scan ended no recorded session.
	_, again, err := client.FromConfig(rcfg, "test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := again.Get(ctx, "a"); err != nil {
		t.Errorf("the recording no longer works after the scan: %v", err)
	}
}
