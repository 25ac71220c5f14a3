package report

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/launchready/launchready/internal/check"
)

func TestMarkdownEscaping(t *testing.T) {
	out := render(t, Markdown{}, fakeRun())
	for _, want := range []string{
		`anonymous visitor sees member content at /dashboard \<script\>alert(1)\</script\>`,
		`#### WARN SESS-003: Session cookie is \<b\>SameSite\</b\> & "strict" (major)`,
		"\n\\- session cookie sid has no SameSite \\| browsers default to \\`Lax\\`\n",
		"\n````text\nContent-Type: text/html\n", // the detail holds ``` so its fence is longer
		`Set-Cookie: sid=[redacted]; Path=/; Secure; HttpOnly \x1b[2J\x1b[31mowned`,
		"| Payments & gated content | NOT COVERED | none ran |",
		"| Auth login | FAIL | 1 of 3 failed |",
		"Evidence: `src/config.js:12 (commit abc1234)`",
		"- SKIP AUTH-003: Password reset works once (blocker): needs an inbox to receive the reset mail; to enable: `auth.inbox in launchready.yaml`",
		"\n### Not tested by launchready\n\n- business logic",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	if strings.ContainsRune(out, '\x1b') {
		t.Errorf("raw escape character in markdown")
	}
	if strings.Contains(out, "Readiness score") {
		t.Errorf("NO-GO markdown shows the score")
	}
}

func TestMarkdownHelpers(t *testing.T) {
	tests := []struct{ got, want string }{
		{mdCode("plain"), "`plain`"},
		{mdCode("has ` one"), "``has ` one``"},
		{mdCode("`edge``"), "``` `edge`` ```"},
		{mdFence("a\n```\nb"), "````text\na\n```\nb\n````\n"},
		{mdFence("no ticks\n"), "```text\nno ticks\n```\n"},
		{mdText("a|b*c_d[e](f)<g>`h`\\"), "a\\|b\\*c\\_d\\[e\\](f)\\<g\\>\\`h\\`\\\\"},
		{mdText("x &lt; y & z"), "x \\&lt; y & z"},
		{mdText("two\nlines"), "two lines"},
		{mdPara("# heading"), "\\# heading"},
		{mdPara("- item"), "\\- item"},
		{mdPara("1. item"), "1\\. item"},
		{mdPara("2026 was good"), "2026 was good"},
	}
	for i, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("case %d: got %q, want %q", i, tt.got, tt.want)
		}
	}
}

func TestMarkdownLeadsWithVerdictAndFixFirst(t *testing.T) {
	run := fakeRun()
	run.Rerun = "launchready scan --config staging.yaml {only}"
	out := render(t, Markdown{}, run)
	order := []string{"## launchready: NO-GO\n\nNO-GO: 3 blockers failed", "\n### Fix first\n",
		"1. **AUTH-007** Protected pages refuse anonymous visitors (blocker): why AUTH-007 matters\n" +
			"   - re-check: `launchready scan --config staging.yaml --only AUTH-007`\n",
		"2. **SESS-002**", "3. **SEC-001**", "\n### Scorecard\n", "\n### Findings\n", "#### FAIL AUTH-007",
		"\n### Not tested by launchready\n"}
	at := 0
	for _, want := range order {
		i := strings.Index(out[at:], want)
		if i < 0 {
			t.Fatalf("markdown lacks %q after byte %d", want, at)
		}
		at += i + len(want)
	}
	if strings.Contains(out, "2. **SESS-003**") {
		t.Error("a WARN is listed to fix first")
	}
	if strings.Contains(out, "in the full report") || strings.Contains(out, "Full report") {
		t.Error("a small report points at the full one without a --report-url")
	}
	if n := strings.Count(out, "\n#### "); n != 5 {
		t.Errorf("%d findings shown, want all 5", n)
	}
	mdWellFormed(t, out)
}

func TestMarkdownBaselineAndPartial(t *testing.T) {
	out := render(t, Markdown{}, sarifBaselineRun())
	for _, want := range []string{
		"#### FAIL AUTH-007: Protected pages refuse anonymous visitors (blocker) · 🆕 new\n",
		"#### FAIL SEC-001: No secrets in git history (blocker) · unchanged\n",
		"1. **AUTH-007** Protected pages refuse anonymous visitors (blocker) · 🆕 new",
		"\n### Fixed since the baseline of 2026-11-28T12:00:00Z\n\n- ✅ TLS-003: HTTP redirects to HTTPS (blocker)\n",
		"1 new blocker, 1 fixed, 4 unchanged",
		"| Hygiene, domain & dependencies | NOT COVERED | none ran |\n\n### Fixed since the baseline",
		"(blocker)\n\n### Findings\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	if out := render(t, Markdown{}, fakeRun()); strings.Contains(out, "🆕") || strings.Contains(out, "unchanged") {
		t.Error("baseline badges without a baseline")
	}
	if out := render(t, Markdown{}, sarifPartialRun()); !strings.Contains(out, "**partial: 2 checks** (`--only AUTH-007,SESS-001`)") {
		t.Errorf("partial run not marked:\n%s", out[:min(len(out), 800)])
	}
}

// hugeRun is n blocker findings, each with three evidence items of long,
// hostile detail: far more than a comment holds.
func hugeRun(n int) *Run {
	var outs []check.Outcome
	for i := range n {
		var evs []check.Evidence
		for j := range 3 {
			evs = append(evs, check.Evidence{
				Request: fmt.Sprintf("GET https://portal.test/f%d/e%d", i, j), Status: 200,
				Detail: strings.Repeat("</details> <details> ```` "+hostileScript+" ünïcödé 🆕\n", 30),
				Repro:  fmt.Sprintf("curl -sS -i 'https://portal.test/f%d/e%d'", i, j),
			})
		}
		id := fmt.Sprintf("GEN-%03d", i)
		outs = append(outs, outcome(meta(id, check.AreaEdge, check.Blocker, "Generated </details> finding "+id),
			check.Failf(evs, "finding %d </details><details>", i), 1))
	}
	return runWith(outs)
}

func TestMarkdownFitsAPullRequestComment(t *testing.T) {
	for _, url := range []string{"https://ci.example/run/42/report.html", ""} {
		run := hugeRun(400)
		run.ReportURL = url
		out := render(t, Markdown{}, run)
		if n := utf8.RuneCountInString(out); n > mdCommentLimit {
			t.Fatalf("%d runes, over GitHub's %d", n, mdCommentLimit)
		}
		if n := mdUnits(out); n > mdBudget {
			t.Errorf("%d UTF-16 units, over the budget of %d", n, mdBudget)
		}
		shown := strings.Count(out, "\n#### FAIL ")
		if shown == 0 || shown >= 400 {
			t.Fatalf("%d of 400 findings shown", shown)
		}
		lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
		last := lines[len(lines)-1]
		wantLast := fmt.Sprintf("**… %d more findings in the full report:** ", 400-shown)
		if url != "" {
			wantLast += "[full report](<" + url + ">)"
		} else {
			wantLast += "see the HTML/JSON report (`--out report.html`, `--out report.json`)"
		}
		if last != wantLast {
			t.Errorf("last line = %q, want %q", last, wantLast)
		}
		if !strings.Contains(out, "\n### Not tested by launchready\n") || !strings.Contains(out, "\n### Fix first\n") {
			t.Error("the shortened report lost its fix-first list or its closing section")
		}
		// The fix-first list stops at its share and says so, leaving room
		// for findings with their evidence.
		if !regexp.MustCompile(`\n… and \d+ more blockers, each among the findings\.\n`).MatchString(out) {
			t.Error("the long fix-first list does not say how many blockers it left out")
		}
		mdWellFormed(t, out)
	}
}

func TestMarkdownSmallRunLinksFullReport(t *testing.T) {
	run := fakeRun()
	run.ReportURL = "https://ci.example/r (1)>.html"
	out := render(t, Markdown{}, run)
	if !strings.HasSuffix(out, "\n---\n\nFull report: [full report](<https://ci.example/r (1)%3E.html>)\n") {
		t.Errorf("small report ends %q", out[max(0, len(out)-120):])
	}
	if strings.Contains(out, "more findings") {
		t.Error("a small report says findings were left out")
	}
}

// rawDetailsTag is a details tag that Markdown would read as HTML: one
// whose "<" is not backslash-escaped.
var rawDetailsTag = regexp.MustCompile(`(^|[^\\])</?details`)

// mdWellFormed checks what GitHub would otherwise render wrongly: every
// code fence closed, and <details> blocks balanced and never nested,
// counting only tags outside fences (target text inside a fence is code).
func mdWellFormed(t *testing.T, doc string) {
	t.Helper()
	fence, depth, blocks := "", 0, 0
	for i, line := range strings.Split(doc, "\n") {
		if fence != "" {
			if strings.TrimRight(line, "`") == "" && len(line) >= len(fence) {
				fence = ""
			}
			continue
		}
		if strings.HasPrefix(line, "```") {
			fence = line[:len(line)-len(strings.TrimLeft(line, "`"))]
			continue
		}
		switch {
		case line == "<details>":
			depth++
			blocks++
		case line == "</details>":
			depth--
		case rawDetailsTag.MatchString(line):
			t.Errorf("line %d: unescaped details tag outside a fence: %q", i+1, line)
		}
		if depth < 0 || depth > 1 {
			t.Fatalf("line %d: details depth %d", i+1, depth)
		}
	}
	if fence != "" {
		t.Errorf("unclosed code fence %q", fence)
	}
	if depth != 0 {
		t.Errorf("%d details blocks left open", depth)
	}
	if blocks == 0 {
		t.Error("no details block at all")
	}
}
