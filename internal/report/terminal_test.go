package report

import (
	"strings"
	"testing"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/score"
)

func TestTerminalPlainHasNoEscapes(t *testing.T) {
	out := render(t, Terminal{}, fakeRun())
	if strings.ContainsRune(out, '\x1b') {
		t.Fatalf("plain output contains an escape sequence:\n%q", out)
	}
	// The hostile sequence is shown, made harmless.
	if !strings.Contains(out, `\x1b[2J\x1b[31mowned`) {
		t.Errorf("hostile ANSI not shown escaped")
	}
}

func TestTerminalColor(t *testing.T) {
	out := render(t, Terminal{Color: true}, fakeRun())
	if !strings.HasPrefix(out, ansiBold+ansiRed+"NO-GO"+ansiReset+":") {
		t.Errorf("NO-GO not red at the top: %q", firstLine(out))
	}
	if strings.Contains(out, hostileANSI) {
		t.Errorf("hostile ANSI from evidence reached the terminal raw")
	}
	if !strings.Contains(out, ansiDim+"  Authorization ") {
		t.Errorf("NOT COVERED area not dimmed")
	}
	for v, code := range map[score.Verdict]string{score.Go: ansiGreen, score.NotVerified: ansiYellow} {
		r := fakeRun()
		r.Summary.Verdict = v
		r.Summary.Headline = string(v) + ": test"
		if got := firstLine(render(t, Terminal{Color: true}, r)); !strings.HasPrefix(got, ansiBold+code+string(v)+ansiReset) {
			t.Errorf("%s headline = %q, want colour %q", v, got, code)
		}
	}
}

func TestTerminalSections(t *testing.T) {
	out := render(t, Terminal{}, fakeRun())
	if got := firstLine(out); !strings.HasPrefix(fakeRun().Summary.Headline, got) {
		t.Errorf("first line = %q, want the start of the headline", got)
	}
	order := []string{"\nScorecard\n", "\nFindings\n", "FAIL   AUTH-007  blocker  Protected pages", "  Fix: Fix AUTH-007",
		"WARN   SESS-003", "\nNot verified or not applicable\n", "ERROR  TLS-001", "SKIP   AUTH-003",
		"to enable: auth.inbox in launchready.yaml", "N/A    AUTH-011", "\nPassed\n",
		"PASS   SESS-001  session cookie sid is Secure", "\nNot tested by launchready:\n", "  - business logic",
		"(NOT COVERED): Authorization, Payments & gated content",
		// The verdict again, then what to fix first, each with why and
		// how to re-check.
		"\n" + strings.Repeat("─", termWidth) + "\nNO-GO: ", "\nFix first (3 blockers, most urgent first)\n",
		"1. AUTH-007  Protected pages refuse anonymous visitors", "why: ", "re-check: launchready scan --only AUTH-007"}
	at := 0
	for _, s := range order {
		i := strings.Index(out[at:], s)
		if i < 0 {
			t.Fatalf("missing or out of order: %q\n%s", s, out)
		}
		at += i + len(s)
	}
	// SESS-002 has four evidence items; three are shown.
	if n := strings.Count(out, "Evidence: GET https://portal.test/hop/"); n != termEvidence {
		t.Errorf("SESS-002 shows %d evidence items, want %d", n, termEvidence)
	}
	if !strings.Contains(out, "(1 more evidence item in the HTML and JSON reports)") {
		t.Errorf("no note of the evidence left out")
	}
	if !strings.Contains(out, "more lines in the HTML and JSON reports)") {
		t.Errorf("long detail not shortened")
	}
	if !strings.Contains(out, "  Evidence: src/config.js:12 (commit abc1234)") {
		t.Errorf("file evidence not shown by location")
	}
	// Repros only with Verbose.
	if strings.Contains(out, "curl ") {
		t.Errorf("a repro printed without --verbose")
	}
	if v := render(t, Terminal{Verbose: true}, fakeRun()); !strings.Contains(v, "    repro:\n      curl -sS -i") {
		t.Errorf("--verbose prints no repro")
	}
	for i, l := range strings.Split(out, "\n") {
		if displayWidth(l) > termWidth {
			t.Errorf("line %d is %d columns: %q", i+1, displayWidth(l), l)
		}
	}
}

// TestTerminalSharedFix: a fix text several findings share is printed
// once, then referenced; a shared paragraph likewise.
func TestTerminalSharedFix(t *testing.T) {
	shared := "Rotate every secret first.\n\nThen move it to the secret store."
	a := meta("SEC-001", check.AreaSecrets, check.Blocker, "history")
	a.Fix = shared
	b := meta("SEC-002", check.AreaSecrets, check.Blocker, "tree")
	b.Fix = shared
	c := meta("SEC-007", check.AreaSecrets, check.Major, "logs")
	c.Fix = "Stop printing it.\n\n" + shared
	outs := []check.Outcome{
		outcome(a, check.Failf(nil, "one"), 1), outcome(b, check.Failf(nil, "two"), 1), outcome(c, check.Failf(nil, "three"), 1),
	}
	out := render(t, Terminal{}, runWith(outs))
	if n := strings.Count(out, "Rotate every secret first."); n != 1 {
		t.Errorf("shared fix printed %d times, want once:\n%s", n, out)
	}
	for _, want := range []string{"  Fix: the same as SEC-001 (printed above).", "  Fix: Stop printing it.\n    Then the shared steps as printed under SEC-001 above."} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q:\n%s", want, out)
		}
	}
}

// TestTerminalBaseline: new and fixed findings are marked, the headline
// says what changed, and the fixed ones are listed.
func TestTerminalBaseline(t *testing.T) {
	old := fakeRun()
	cur := fakeRun()
	// SESS-002 fixed since the baseline; AUTH-007 unchanged; a new one.
	cur.Outcomes = append([]check.Outcome(nil), cur.Outcomes...)
	for i, o := range cur.Outcomes {
		if o.Meta.ID == "SESS-002" {
			cur.Outcomes[i].Result = check.Passf("fixed")
		}
	}
	old.Outcomes = append([]check.Outcome(nil), old.Outcomes...)
	for i, o := range old.Outcomes {
		if o.Meta.ID == "SEC-001" {
			old.Outcomes[i].Result = check.Passf("clean then")
		}
	}
	cur.Summary = score.Summarize(cur.Outcomes, check.Blocker)
	Compare(cur, old)
	out := render(t, Terminal{}, cur)
	for _, want := range []string{"since the baseline of 2026-11-28T12:00:00Z (NO-GO): 1 new blocker, 1 fixed,",
		"[unchanged]", "[new]", "\nFixed since the baseline of 2026-11-28T12:00:00Z\n", "FIXED  SESS-002"} {
		if !strings.Contains(strings.Join(strings.Fields(out), " "), strings.Join(strings.Fields(want), " ")) {
			t.Errorf("missing %q:\n%s", want, out)
		}
	}
}

// TestTerminalScoreRule: never a score on a NO-GO; the headline of a GO
// and of a NOT VERIFIED run carries it, printed at the top and again at
// the end.
func TestTerminalScoreRule(t *testing.T) {
	pass := outcome(meta("SESS-001", check.AreaSession, check.Blocker, "t"), check.Passf("ok"), 1)
	fail := outcome(meta("SESS-002", check.AreaSession, check.Blocker, "t"), check.Failf(nil, "bad"), 1)
	skip := outcome(meta("AUTH-003", check.AreaAuth, check.Blocker, "t"), check.Skipped("why", "how"), 1)
	tests := []struct {
		name  string
		outs  []check.Outcome
		score int // occurrences of "/100"
	}{
		{"no-go", []check.Outcome{pass, fail}, 0},
		{"go", []check.Outcome{pass}, 2},
		{"not verified", []check.Outcome{pass, skip}, 2},
	}
	for _, tt := range tests {
		out := render(t, Terminal{}, runWith(tt.outs))
		if n := strings.Count(out, "/100"); n != tt.score {
			t.Errorf("%s: %d score mentions, want %d:\n%s", tt.name, n, tt.score, out)
		}
	}
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}
