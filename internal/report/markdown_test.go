package report

import (
	"strings"
	"testing"
)

func TestMarkdownEscaping(t *testing.T) {
	out := render(t, Markdown{}, fakeRun())
	for _, want := range []string{
		`anonymous visitor sees member content at /dashboard \<script\>alert(1)\</script\>`,
		`#### WARN SESS-003: Session cookie is \<b\>SameSite\</b\> & "strict" (major)`,
		"\n\\- session cookie sid has no SameSite \\| browsers default to \\`Lax\\`\n",
		"\n````text\nContent-Type: text/html\n", // the detail holds ``` so its fence is longer
		`Set-Cookie: sid=[redacted]; Path=/; Secure; HttpOnly \x1b[2J\x1b[31mowned`,
		"| Payments & gated content | NOT COVERED | 0 |",
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
