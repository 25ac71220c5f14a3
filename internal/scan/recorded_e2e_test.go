package scan

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/config"
	"github.com/launchready/launchready/internal/demo"
	"github.com/launchready/launchready/internal/recorded"
	"github.com/launchready/launchready/internal/target"
)

// TestRecordedSessionScan runs a whole scan of the hardened demo with
// sessions recorded by hand (auth.kind recorded): the recordings are
// made here from real logins, as `launchready login --record` saves
// them. Checks that use the members' sessions run on them; checks that
// must log in afresh SKIP, saying why; none is ERROR because of the
// login kind, and the recordings are still valid afterwards.
func TestRecordedSessionScan(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p, err := demo.Start(ctx, demo.Options{Flaws: demo.Hardened(), Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	cfg, err := config.Load(p.ConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	_, sessions, err := target.FromConfig(cfg, "test")
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
			Recorded: time.Now(), VerifiedURL: cfg.Target.URL + "/dashboard"}
		for _, c := range s.Cookies(origin) {
			rec.Cookies = append(rec.Cookies, recorded.Cookie{Name: c.Name, Value: c.Value, Domain: origin.Hostname(), Path: "/", Secure: true, HTTPOnly: true, SameSite: "Lax"})
		}
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
	for _, id := range []string{"AUTHZ-001", "AUTHZ-003", "AUTHZ-004", "AUTHZ-007"} {
		if got[id].Status != check.Pass {
			t.Errorf("%s = %s (%s), want PASS on the recorded sessions", id, got[id].Status, got[id].Summary)
		}
	}
	if r := got["AUTH-004"]; r.Status != check.Skip || !strings.Contains(r.Reason, "auth.kind recorded") {
		t.Errorf("AUTH-004 (logout) = %s (%s), want SKIP naming the recorded kind", r.Status, r.Reason)
	}
	// The scan ended no recorded session.
	_, again, err := target.FromConfig(rcfg, "test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := again.Get(ctx, "a"); err != nil {
		t.Errorf("the recording no longer works after the scan: %v", err)
	}
}
