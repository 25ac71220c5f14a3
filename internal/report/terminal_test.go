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
	if got := firstLine(out); got != fakeRun().Summary.Headline {
		t.Errorf("first line = %q, want the headline", got)
	}
	order := []string{"\nScorecard\n", "\nFindings\n", "FAIL   AUTH-007  blocker  Protected pages", "  Fix: Fix AUTH-007",
		"WARN   SESS-003", "\nNot verified or not applicable\n", "ERROR  TLS-001", "SKIP   AUTH-003",
		"to enable: auth.inbox in launchready.yaml", "N/A    AUTH-011", "\nPassed\n",
		"PASS   SESS-001  session cookie sid is Secure", "\nNot tested by launchready:\n", "  - business logic",
		"(NOT COVERED): Authorization, Payments & gated content"}
	at := 0
	for _, s := range order {
		i := strings.Index(out[at:], s)
		if i < 0 {
			t.Fatalf("missing or out of order: %q", s)
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
	if !strings.Contains(out, "    ... (4 more lines)") {
		t.Errorf("long detail not truncated")
	}
	if !strings.Contains(out, "  Evidence: src/config.js:12 (commit abc1234)") {
		t.Errorf("file evidence not shown by location")
	}
}

// TestTerminalScoreRule: never a score on a NO-GO; a GO's headline already
// carries it; a NOT VERIFIED run shows it on its own line.
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
		{"go", []check.Outcome{pass}, 1},
		{"not verified", []check.Outcome{pass, skip}, 1},
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
