// Package edge holds the Edge protection checks (EDGE-*).
package edge

import (
	"cmp"
	"context"
	"fmt"
	"mime"
	"net/http"
	"strings"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/checks/edge/observatory"
	"github.com/launchready/launchready/internal/checks/journey"
	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/safetext"
)

// Score thresholds on the Observatory scale for the four header tests.
const (
	passAt = 90
	warnAt = 70
)

// Headers is EDGE-004: security headers scored with the MDN HTTP
// Observatory's modifiers.
type Headers struct{}

var _ check.Check = Headers{}

// Meta returns the static description.
func (Headers) Meta() check.Meta {
	return check.Meta{
		ID: "EDGE-004", Area: check.AreaEdge, Severity: check.Major,
		Impact: check.ImpactTransport,
		Title:  "Security headers (CSP, nosniff, frame-ancestors, Referrer-Policy)",
		Pass: "The home page (target.url) and the login page (or the pages in target.pages) each score at least 90 on the MDN HTTP Observatory scale for its four header " +
			"tests: Content-Security-Policy, X-Content-Type-Options, X-Frame-Options / CSP frame-ancestors, Referrer-Policy " +
			"(start at 100, apply each test's modifier, bonuses only count at 90 or more). 70–89 is WARN, below 70 FAIL.",
		Why: "These headers are the browser-side safety net: a strict CSP stops injected scripts from running, frame-ancestors stops " +
			"clickjacking of the login and payment forms, nosniff stops uploads being run as scripts, and Referrer-Policy keeps tokens in " +
			"URLs from leaking to other sites.",
		Breaks: "One injection bug becomes account takeover, and the login page can be framed by a look-alike site to harvest passwords.",
		Fix: "Send the headers on every HTML response (tighten the CSP to what the page really loads):\n" +
			"  Content-Security-Policy: default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'\n" +
			"  X-Content-Type-Options: nosniff\n" +
			"  X-Frame-Options: DENY\n" +
			"  Referrer-Policy: strict-origin-when-cross-origin\n" +
			"  nginx: add_header <Name> \"<value>\" always;    Express: app.use(helmet())    Next.js: headers() in next.config.js\n" +
			"  Caddy: header { Content-Security-Policy \"…\" X-Content-Type-Options nosniff … }",
		Refs: []string{"ASVS v5.0.0-3.4.3", "ASVS v5.0.0-3.4.4", "ASVS v5.0.0-3.4.5", "ASVS v5.0.0-3.4.6", "API8:2023", "CWE-1021", "CWE-693"},
	}
}

// Run scores the pages (target.pages, else the home page and the login
// page); the worst one decides.
func (Headers) Run(ctx context.Context, env *check.Env) check.Result {
	pages, chosen := env.Config.Target.Pages, true
	if len(pages) == 0 {
		chosen = false
		pages = []string{"/"}
		if l := env.Config.Auth.Login; l != nil {
			pages = append(pages, l.Path)
		}
	}
	worst := 101
	var ev []check.Evidence
	var lines, passed []string
	seen := map[string]bool{}
	for _, p := range pages {
		resp, err := env.Client.Do(ctx, &client.Request{URL: journey.URL(env, p), Follow: true})
		if err != nil {
			return check.Errorf("fetching %s: %v", p, err)
		}
		if seen[resp.URL.String()] {
			continue
		}
		seen[resp.URL.String()] = true
		if why := notAPage(resp); why != "" && !chosen && resp.StatusCode < 500 {
			// A default page that is an API path (a JSON login): its
			// headers are no page's; the other pages decide.
			passed = append(passed, fmt.Sprintf("%s (%s)", p, why))
			continue
		}
		if resp.StatusCode >= 400 {
			return check.Errorf("%s answered %d, so its headers are not the page's real ones", p, resp.StatusCode)
		}
		s := observatory.Evaluate(resp.Header)
		worst = min(worst, s.Score)
		lines = append(lines, fmt.Sprintf("%s %d", resp.URL.Path, s.Score))
		ev = append(ev, check.HTTPEvidence(env, resp, deductions(s)))
	}
	if len(lines) == 0 {
		return check.Skipped("no HTML page to score: "+strings.Join(passed, ", "),
			"list the portal's HTML pages under target.pages, e.g. target.pages: [/, /login.html]")
	}
	summary := "Observatory header score (CSP, nosniff, framing, Referrer-Policy): " + strings.Join(lines, ", ")
	if len(passed) > 0 {
		summary += "; not HTML pages, not scored: " + strings.Join(passed, ", ")
	}
	switch {
	case worst < warnAt:
		return check.Failf(ev, "%s; below %d fails", summary, warnAt)
	case worst < passAt:
		return check.Warnf(ev, "%s; %d or more passes", summary, passAt)
	}
	return check.Result{Status: check.Pass, Summary: summary, Evidence: ev}
}

// notAPage says why a response is not an HTML page whose headers can be
// scored ("" when it is one): an error answer, or another content type.
func notAPage(resp *client.Response) string {
	if resp.StatusCode >= 400 {
		return fmt.Sprintf("answered %d", resp.StatusCode)
	}
	mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if err != nil && strings.Contains(http.DetectContentType(resp.Body), "text/html") {
		return ""
	}
	if mt != "text/html" && mt != "application/xhtml+xml" {
		return "answered " + cmp.Or(mt, "no content type")
	}
	return ""
}

// deductions lists each test's result and modifier, worst first.
func deductions(s observatory.Score) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Score %d (100 %+d before bonuses).\n", s.Score, s.Base-100)
	for _, t := range s.Tests {
		mark := "ok  "
		if !t.Pass {
			mark = "FAIL"
		}
		fmt.Fprintf(&b, "%s %-24s %+4d  %s: %s\n", mark, t.Name, t.Modifier, t.Result, t.Detail)
		if t.Header != "" {
			fmt.Fprintf(&b, "      seen: %s\n", truncate(t.Header, 300))
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// truncate cuts a header value to at most n bytes, on a rune boundary,
// marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return safetext.Prefix(s, n) + "…"
}
