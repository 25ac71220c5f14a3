package score

import (
	"strings"
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
	h := noGo.Headline
	if !strings.HasPrefix(h, "NO-GO: 1 blocker found (SESS-001)") || strings.Contains(h, "score") ||
		!strings.Contains(h, "1 of 2 blocker checks verified; to verify the rest: re-run with --intrusive") {
		t.Errorf("NO-GO headline: %q", h)
	}
	goS := Summarize([]check.Outcome{o("A", check.AreaAuth, check.Blocker, check.Pass, "")}, check.Blocker)
	if !strings.HasPrefix(goS.Headline, "GO: ") || !strings.Contains(goS.Headline, "100/100") {
		t.Errorf("GO headline: %q", goS.Headline)
	}
	nv := Summarize([]check.Outcome{o("A", check.AreaAuth, check.Blocker, check.Error, "")}, check.Blocker)
	if !strings.HasPrefix(nv.Headline, "NOT VERIFIED") || !strings.Contains(nv.Headline, "--only A") {
		t.Errorf("NOT VERIFIED headline: %q", nv.Headline)
	}
}
