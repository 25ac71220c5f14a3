package report

import (
	"testing"
	"time"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/score"
)

func secretEv(fp string) check.Evidence {
	return check.Evidence{Location: &check.Location{File: "a.js", Line: 1}, Fingerprint: fp}
}

func httpEv(req string) check.Evidence { return check.Evidence{Request: req, Status: 200} }

func runOf(outs ...check.Outcome) *Run {
	return &Run{Started: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC), Outcomes: outs, Summary: score.Summarize(outs, check.Blocker)}
}

func TestCompare(t *testing.T) {
	sec := meta("SEC-001", check.AreaSecrets, check.Blocker, "history")
	idor := meta("AUTHZ-001", check.AreaAuthz, check.Blocker, "reads")
	adm := meta("AUTHZ-004", check.AreaAuthz, check.Blocker, "admin")
	tls := meta("TLS-003", check.AreaTLS, check.Blocker, "http")
	old := runOf(
		outcome(sec, check.Failf([]check.Evidence{secretEv("c1:.env:rule:3"), secretEv("c2:a.js:rule:9")}, "2 secrets"), 1),
		outcome(idor, check.Failf([]check.Evidence{httpEv("GET https://portal.test:4431/api/invoices/inv_78b7e0c9b5e976ab")}, "leak"), 1),
		outcome(adm, check.Failf([]check.Evidence{httpEv("GET https://portal.test/api/admin/users")}, "admin"), 1),
		outcome(tls, check.Failf([]check.Evidence{httpEv("GET http://portal.test/")}, "plain"), 1),
	)
	cur := runOf(
		// One secret rotated, one still there, one new.
		outcome(sec, check.Failf([]check.Evidence{secretEv("c2:a.js:rule:9"), secretEv("c3:b.js:rule:1")}, "2 secrets"), 1),
		// Another port and another generated ID: the same finding.
		outcome(idor, check.Failf([]check.Evidence{httpEv("GET https://portal.test:5552/api/invoices/inv_0123456789abcdef")}, "leak"), 1),
		// Another admin route: the old one fixed, this one new.
		outcome(adm, check.Failf([]check.Evidence{httpEv("GET https://portal.test/api/admin/stats")}, "admin"), 1),
		// Not verified this time.
		outcome(tls, check.Result{Status: check.Error, Reason: "timeout"}, 1),
	)
	Compare(cur, old)
	b := cur.Baseline
	for id, want := range map[string]FindingChange{
		"SEC-001":   {Change: ChangeNew, New: 1, Total: 2},
		"AUTHZ-001": {Change: ChangeUnchanged, New: 0, Total: 1},
		"AUTHZ-004": {Change: ChangeNew, New: 1, Total: 1},
	} {
		if got := b.Changes[id]; got != want {
			t.Errorf("%s: %+v, want %+v", id, got, want)
		}
	}
	if _, ok := b.Changes["TLS-003"]; ok {
		t.Error("an ERROR outcome is no finding")
	}
	fixed := map[string]FixedFinding{}
	for _, f := range b.Fixed {
		fixed[f.ID] = f
	}
	if f := fixed["SEC-001"]; f.Identities != 1 || !f.Partly {
		t.Errorf("SEC-001 fixed: %+v, want 1 identity, partly", f)
	}
	if f := fixed["AUTHZ-004"]; f.Identities != 1 {
		t.Errorf("AUTHZ-004 fixed: %+v", f)
	}
	if _, ok := fixed["AUTHZ-001"]; ok {
		t.Error("AUTHZ-001 is unchanged, not fixed")
	}
	if len(b.NotRechecked) != 1 || b.NotRechecked[0] != "TLS-003" {
		t.Errorf("not re-checked: %v, want [TLS-003]", b.NotRechecked)
	}
	want := "since the baseline of 2026-12-01T09:00:00Z (NO-GO): 2 new blockers, 2 fixed, 1 unchanged, 1 not re-checked"
	if got := b.Text(cur); got != want {
		t.Errorf("text %q\nwant %q", got, want)
	}
	if cur.ChangeOf("SEC-001") != ChangeNew || cur.ChangeOf("TLS-003") != "" {
		t.Error("ChangeOf")
	}
}

func TestRequestIdentity(t *testing.T) {
	for in, want := range map[string]string{
		"GET https://portal.test:443/api/invoices/inv_78b7e0c9b5e976ab?x=1":      "GET /api/invoices/{id}",
		"GET https://portal.test/files/1001/download":                            "GET /files/{id}/download",
		"PATCH https://p.test/api/messages/9f1c2e3a-1b2c-4d5e-8f90-1234567890ab": "PATCH /api/messages/{id}",
		"GET https://portal.test/dashboard":                                      "GET /dashboard",
		"POST https://portal.test/login":                                         "POST /login",
		"not a request":                                                          "not a request",
	} {
		if got := requestIdentity(in); got != want {
			t.Errorf("requestIdentity(%q) = %q, want %q", in, got, want)
		}
	}
}
