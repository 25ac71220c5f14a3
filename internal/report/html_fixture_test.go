package report

import (
	"time"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/score"
)

// secretsFix is a fix shared whole by one check and in part (its second
// paragraph) by another, as the secrets checks share rotation advice.
const secretsFix = "1. Rotate every listed secret first, where it was issued.\n" +
	"2. Move the new value into the host's secret store: `fly secrets set NAME=…`."

// readsFix is the fix both authorization read checks carry.
const readsFix = "Check ownership on the server for every object read:\n" +
	"  SQL: SELECT … FROM invoices WHERE id = $1 AND member_id = $2\n" +
	"File downloads need the same check."

// htmlRun is fakeRun with what the HTML report arranges beyond it: two
// authorization checks carrying one matrix (with a hostile row label) and
// one fix, secrets checks sharing a fix and a paragraph of it, impacts for
// the Fix first order, and a baseline the run is compared with.
func htmlRun() *Run {
	r := fakeRun()
	outs := append([]check.Outcome(nil), r.Outcomes...)
	for i := range outs {
		m := &outs[i].Meta
		switch m.ID {
		case "AUTH-007":
			m.Impact = check.ImpactAccountTakeover
		case "SESS-002":
			m.Impact = check.ImpactSession
			m.Why = "Scripts can read a cookie without HttpOnly, e.g. an injected one. One XSS then hands over the session."
		case "SEC-001":
			m.Impact, m.Fix = check.ImpactSecrets, secretsFix
		}
	}
	table := func() *check.Table {
		return &check.Table{Title: "Authorization matrix", Columns: []string{"member a", "member b", "anonymous"}, Rows: []check.TableRow{
			{Label: "invoices inv_1 (GET https://portal.test/api/invoices/inv_1)", Cells: []string{"allowed (200)", "leaked (200)", "leaked (200)"}},
			{Label: "messages " + hostileScript, Cells: []string{"allowed (200)", "denied (404)", "denied (401)"}},
		}}
	}
	reads := func(id, who string) check.Outcome {
		res := check.Failf([]check.Evidence{{Request: "GET https://portal.test/api/invoices/inv_1", Status: 200,
			Detail: "{\"total\": 120}", Repro: "curl -sS -i 'https://portal.test/api/invoices/inv_1'"}}, "%s read 1 of 2 of member a's objects", who)
		res.Table = table()
		m := meta(id, check.AreaAuthz, check.Blocker, who+" cannot read member a's objects")
		m.Impact, m.Fix = check.ImpactDataExposure, readsFix
		return outcome(m, res, 800)
	}
	ci := meta("SEC-006", check.AreaSecrets, check.Major, "CI logs print no secrets")
	ci.Impact, ci.Fix = check.ImpactSecrets, "Rotate the printed secret first. Then stop printing it.\n\n"+secretsFix
	outs = append(outs, reads("AUTHZ-001", "member b"), reads("AUTHZ-003", "anonymous visitor"),
		outcome(ci, check.Failf([]check.Evidence{{Detail: "AWS_SECRET_ACCESS_KEY=[redacted]", Fingerprint: "ci.log:aws:3",
			Location: &check.Location{File: "ci.log", Line: 3}}}, "a CI log prints an AWS secret key"), 30))
	r.Outcomes = outs
	r.Summary = score.Summarize(outs, check.Blocker)
	Compare(r, baselineRun())
	return r
}

// baselineRun is the earlier run htmlRun is compared with: SESS-001 failed
// then (now fixed), TLS-001 failed (now ERROR, so not re-checked), and
// AUTH-007 and SESS-002 failed as they do now (unchanged).
func baselineRun() *Run {
	old := fakeRun()
	old.Started = time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC)
	var outs []check.Outcome
	for _, o := range old.Outcomes {
		switch o.Meta.ID {
		case "SESS-001":
			o.Result = check.Failf(nil, "session cookie sid lacks Secure")
		case "TLS-001":
			o.Result = check.Failf(nil, "certificate expired")
		}
		outs = append(outs, o)
	}
	old.Outcomes = outs
	old.Summary = score.Summarize(outs, check.Blocker)
	return old
}
