package report

import (
	"regexp"
	"strings"
	"testing"
)

func TestHTMLEscapesHostileText(t *testing.T) {
	out := render(t, HTML{}, fakeRun())
	if strings.Contains(strings.ToLower(out), "<script") {
		t.Fatalf("a <script> tag reached the page")
	}
	for _, want := range []string{
		"&lt;script&gt;alert(1)&lt;/script&gt;",
		"Session cookie is &lt;b&gt;SameSite&lt;/b&gt; &amp; &#34;strict&#34;",
		`\x1b[2J`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("page lacks escaped %q", want)
		}
	}
	if strings.ContainsRune(out, '\x1b') {
		t.Errorf("raw control character in the page")
	}
}

// externalRef matches anything that would make the page fetch a resource.
var externalRef = regexp.MustCompile(`(?i)(\b(src|href|action|srcset|poster|data)\s*=\s*["']?\s*(https?:)?//)|<link\b|<script\b|<iframe\b|<img\b|@import|url\(`)

func TestHTMLSelfContained(t *testing.T) {
	out := render(t, HTML{}, fakeRun())
	if m := externalRef.FindString(out); m != "" {
		t.Fatalf("page references an external resource: %q", m)
	}
	for _, want := range []string{
		`<meta name="viewport" content="width=device-width, initial-scale=1">`,
		"default-src 'none'",
		"<style>",
		`<section class="banner s-fail">`,
		"<h2>Scorecard</h2>", "<h2>Findings</h2>", "<h2>Not verified or not applicable</h2>",
		"<h2>Passed</h2>", "<h2>Not tested by launchready</h2>", "<footer>",
		"launchready 1.0.0-test · target https://portal.test · started 2026-11-28T12:00:00Z · took 4.3s",
		"<code>src/config.js:12 (commit abc1234)</code>",
		"To enable: <code>auth.inbox in launchready.yaml</code>",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(out, "Readiness score") || strings.Contains(out, "31/100") {
		t.Errorf("a NO-GO page shows the score")
	}
}

func TestHTMLSectionsOrder(t *testing.T) {
	out := render(t, HTML{}, fakeRun())
	at := 0
	for _, s := range []string{"banner", "Scorecard", `id="AUTH-007"`, `id="SESS-003"`, `id="TLS-001"`,
		`id="AUTH-003"`, `id="AUTH-011"`, "SESS-001", "Not tested by launchready", "<footer>"} {
		i := strings.Index(out[at:], s)
		if i < 0 {
			t.Fatalf("missing or out of order: %q", s)
		}
		at += i + len(s)
	}
}
