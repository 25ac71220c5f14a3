package score

import (
	"testing"

	"github.com/launchready/launchready/internal/check"
)

func o(id, area string, sev check.Severity, st check.Status, enable string) check.Outcome {
	return check.Outcome{
		Meta:   check.Meta{ID: id, Area: area, Severity: sev},
		Result: check.Result{Status: st, Enable: enable},
	}
}

func TestVerdict(t *testing.T) {
	tests := []struct {
		name   string
		in     []check.Outcome
		failOn check.Severity
		want   Verdict
	}{
		{"all pass", []check.Outcome{o("A", check.AreaAuth, check.Blocker, check.Pass, "")}, check.Blocker, Go},
		{"blocker fail", []check.Outcome{o("A", check.AreaAuth, check.Blocker, check.Fail, "")}, check.Blocker, NoGo},
		{"major fail under blocker gate", []check.Outcome{o("A", check.AreaAuth, check.Major, check.Fail, "")}, check.Blocker, Go},
		{"major fail under major gate", []check.Outcome{o("A", check.AreaAuth, check.Major, check.Fail, "")}, check.Major, NoGo},
		{"minor fail under major gate", []check.Outcome{o("A", check.AreaAuth, check.Minor, check.Fail, "")}, check.Major, Go},
		{"blocker error", []check.Outcome{o("A", check.AreaAuth, check.Blocker, check.Error, "")}, check.Blocker, NotVerified},
		{"blocker skip", []check.Outcome{o("A", check.AreaAuth, check.Blocker, check.Skip, "x")}, check.Blocker, NotVerified},
		{"major skip", []check.Outcome{o("A", check.AreaAuth, check.Major, check.Skip, "x")}, check.Blocker, Go},
		{"fail beats unverified", []check.Outcome{
			o("A", check.AreaAuth, check.Blocker, check.Error, ""), o("B", check.AreaAuth, check.Blocker, check.Fail, ""),
		}, check.Blocker, NoGo},
		{"warn and n/a never count", []check.Outcome{
			o("A", check.AreaAuth, check.Blocker, check.Warn, ""), o("B", check.AreaAuth, check.Blocker, check.NA, ""),
		}, check.Blocker, Go},
	}
	for _, tt := range tests {
		if got := VerdictOf(tt.in, tt.failOn); got != tt.want {
			t.Errorf("%s: verdict = %s, want %s", tt.name, got, tt.want)
		}
	}
	for v, code := range map[Verdict]int{Go: 0, NoGo: 1, NotVerified: 3} {
		if v.ExitCode() != code {
			t.Errorf("%s exit = %d, want %d", v, v.ExitCode(), code)
		}
	}
}

func TestScoreWeights(t *testing.T) {
	in := []check.Outcome{
		o("A", check.AreaAuth, check.Blocker, check.Pass, ""), // 10/10
		o("B", check.AreaAuth, check.Major, check.Warn, ""),   // 2.5/5
		o("C", check.AreaAuth, check.Minor, check.Fail, ""),   // 0/2
		o("D", check.AreaAuth, check.Blocker, check.NA, ""),   // left out
		o("E", check.AreaAuth, check.Info, check.Fail, ""),    // weight 0
	}
	if got := Score(in); got != 74 { // 12.5 / 17
		t.Errorf("Score = %d, want 74", got)
	}
	if Score(nil) != 0 {
		t.Error("empty run scored above 0")
	}
}

func TestAreas(t *testing.T) {
	rows := Areas([]check.Outcome{
		o("A", check.AreaAuth, check.Blocker, check.Pass, ""),
		o("B", check.AreaAuth, check.Minor, check.Warn, ""),
		o("C", check.AreaSession, check.Blocker, check.Skip, "x"),
		o("D", check.AreaSession, check.Major, check.Fail, ""),
		o("E", check.AreaTLS, check.Major, check.Error, ""),
		o("F", check.AreaEdge, check.Major, check.NA, ""),
		o("G", check.AreaSecrets, check.Major, check.NA, ""),
		o("H", check.AreaSecrets, check.Major, check.Pass, ""),
	})
	// An area whose checks were all N/A verified nothing: N/A, not PASS.
	want := map[string]string{
		check.AreaAuth: AreaWarn, check.AreaSession: AreaFail, check.AreaTLS: AreaNotVerified,
		check.AreaEdge: AreaNA, check.AreaSecrets: AreaPass, check.AreaEmail: AreaNotCovered,
	}
	if len(rows) != len(check.Areas) {
		t.Fatalf("%d rows, want %d", len(rows), len(check.Areas))
	}
	for _, r := range rows {
		if w, ok := want[r.Area]; ok && r.Status != w {
			t.Errorf("%s = %s, want %s", r.Area, r.Status, w)
		}
	}
}

func TestHeadline(t *testing.T) {
	noGo := Summarize([]check.Outcome{
		o("SESS-001", check.AreaSession, check.Blocker, check.Fail, ""),
		o("AUTH-001", check.AreaAuth, check.Blocker, check.Skip, "re-run with --intrusive"),
		o("EDGE-004", check.AreaEdge, check.Major, check.Pass, ""),
	}, check.Blocker)
	goS := Summarize([]check.Outcome{o("A", check.AreaAuth, check.Blocker, check.Pass, "")}, check.Blocker)
	nv := Summarize([]check.Outcome{o("A", check.AreaAuth, check.Blocker, check.Error, "")}, check.Blocker)
	partial := SummarizeWith([]check.Outcome{o("SESS-001", check.AreaSession, check.Blocker, check.Pass, "")},
		Options{FailOn: check.Blocker, Only: []string{"SESS-001"}, Implemented: []string{check.AreaAuth, check.AreaSession, check.AreaTLS}})
	major := SummarizeWith([]check.Outcome{
		o("A", check.AreaAuth, check.Major, check.Fail, ""), o("B", check.AreaAuth, check.Blocker, check.Fail, ""),
		o("C", check.AreaTLS, check.Major, check.Fail, ""),
	}, Options{FailOn: check.Major})
	notCovered := "not covered: Authorization, Payments & gated content, Secrets handling, Email deliverability, SSL and redirects, " +
		"API performance, Monitoring, Backup / rollback, Hygiene, domain & dependencies"
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"NO-GO counts per area, no score", noGo.Headline,
			"NO-GO: 1 blocker failed (Session security 1) — 2 of 12 areas verified; not verified: Auth login; " + notCovered +
				"; 2 of 3 checks verified; to verify the rest: re-run with --intrusive"},
		{"GO names the areas it covers and the score", goS.Headline,
			"GO for 1 of 12 areas — not covered: Session security, Authorization, Payments & gated content, Secrets handling, " +
				"Email deliverability, SSL and redirects, Edge protection, API performance, Monitoring, Backup / rollback, " +
				"Hygiene, domain & dependencies; 1 of 1 check verified, readiness score 100/100"},
		{"NOT VERIFIED says what would verify", nv.Headline,
			"NOT VERIFIED: no blocker failed, but 1 of 1 blocker check could not be verified — 0 of 12 areas verified; " +
				"not verified: Auth login; not covered: Session security, Authorization, Payments & gated content, Secrets handling, " +
				"Email deliverability, SSL and redirects, Edge protection, API performance, Monitoring, Backup / rollback, " +
				"Hygiene, domain & dependencies; 0 of 1 check verified, readiness score 0/100; to verify the rest: fix the error in A " +
				"and re-run with --only A"},
		{"partial says so and counts what did not run", partial.Headline,
			"GO for 1 of 12 areas (partial: 1 check, SESS-001) — not run: 2 areas; not covered: Authorization, " +
				"Payments & gated content, Secrets handling, Email deliverability, Edge protection, API performance, Monitoring, Backup / rollback, " +
				"Hygiene, domain & dependencies; 1 of 1 check verified, readiness score 100/100"},
		{"fail-on major counts every check at or above it", major.Headline,
			"NO-GO: 3 checks at or above major failed (Auth login 2, SSL and redirects 1) — 2 of 12 areas verified; " +
				"not covered: Session security, Authorization, Payments & gated content, Secrets handling, Email deliverability, " +
				"Edge protection, API performance, Monitoring, Backup / rollback, Hygiene, domain & dependencies; 3 of 3 checks verified"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, tt.got, tt.want)
		}
	}
	if !partial.Partial() || noGo.Partial() {
		t.Errorf("Partial: %v for an --only run, %v for a full one", partial.Partial(), noGo.Partial())
	}
	if partial.AreasCovered != 1 || partial.Verified != 1 || partial.Applicable != 1 {
		t.Errorf("partial coverage %+v", partial)
	}
	for _, r := range partial.Areas {
		want := AreaNotCovered
		switch r.Area {
		case check.AreaSession:
			want = AreaPass
		case check.AreaAuth, check.AreaTLS:
			want = AreaNotRun
		}
		if r.Status != want {
			t.Errorf("partial run: %s = %s, want %s", r.Area, r.Status, want)
		}
	}
}
