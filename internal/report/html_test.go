package report

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/score"
)

func TestHTMLEscapesHostileText(t *testing.T) {
	for name, run := range map[string]*Run{"fakeRun": fakeRun(), "htmlRun": htmlRun(), "matrixRun": matrixRun()} {
		t.Run(name, func(t *testing.T) {
			out := render(t, HTML{}, run)
			if strings.Contains(strings.ToLower(out), "<script") {
				t.Fatalf("a <script> tag reached the page")
			}
			if !strings.Contains(out, "&lt;script&gt;alert(1)&lt;/script&gt;") {
				t.Errorf("page lacks the escaped hostile script")
			}
			if strings.ContainsRune(out, '\x1b') {
				t.Errorf("raw control character in the page")
			}
		})
	}
	out := render(t, HTML{}, fakeRun())
	for _, want := range []string{
		"Session cookie is &lt;b&gt;SameSite&lt;/b&gt; &amp; &#34;strict&#34;",
		`\x1b[2J`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("page lacks escaped %q", want)
		}
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
		"<style>", `<header class="summary s-fail" id="summary">`, "position:sticky",
		`<section class="banner s-fail" id="verdict">`,
		`<nav class="toc" id="contents" aria-label="Contents">`,
		"<h2>Fix first</h2>", "<h2>Scorecard</h2>", "<h2>Findings</h2>", "<h2>Not verified or not applicable</h2>",
		"<h2>Passed</h2>", "<h2>Refused requests</h2>", "<h2>Not tested by launchready</h2>", "<footer>",
		"launchready 1.0.0-test · target https://portal.test · started 2026-11-28T12:00:00Z · took 4.3s",
		`<summary><code>src/config.js:12 (commit abc1234)</code></summary>`,
		"To enable: <code>auth.inbox in launchready.yaml</code>",
		`<time datetime="2026-11-28T12:00:00Z">2026-11-28 12:00 UTC</time>`,
		"font:15px/1.45 system-ui", "code,pre{font-family:ui-monospace",
		"@media print",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(out, "Readiness score") || strings.Contains(out, "31/100") {
		t.Errorf("a NO-GO page shows the score")
	}
}

// TestHTMLFetchesNothing reads the parsed page: every link stays on the
// page, nothing has a src, and the CSP allows no source of any kind
// beyond inline styles.
func TestHTMLFetchesNothing(t *testing.T) {
	doc, err := html.Parse(strings.NewReader(render(t, HTML{}, htmlRun())))
	if err != nil {
		t.Fatal(err)
	}
	var csp []string
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		for _, a := range n.Attr {
			switch {
			case a.Key == "href" && !strings.HasPrefix(a.Val, "#"):
				t.Errorf("<%s href=%q> leaves the page", n.Data, a.Val)
			case a.Key == "src", a.Key == "srcset", a.Key == "xlink:href", a.Key == "action":
				t.Errorf("<%s %s=%q> loads something", n.Data, a.Key, a.Val)
			case n.Data == "meta" && strings.EqualFold(a.Key, "http-equiv") && strings.EqualFold(a.Val, "Content-Security-Policy"):
				csp = append(csp, attr(n, "content"))
			}
		}
	}
	if len(csp) != 1 {
		t.Fatalf("want one CSP meta, got %q", csp)
	}
	directives := map[string][]string{}
	for _, d := range strings.Split(csp[0], ";") {
		if f := strings.Fields(d); len(f) > 0 {
			directives[f[0]] = f[1:]
		}
	}
	if got := directives["default-src"]; !slices.Equal(got, []string{"'none'"}) {
		t.Errorf("default-src = %q, want 'none'", got)
	}
	for name, sources := range directives {
		for _, s := range sources {
			if s != "'none'" && !(name == "style-src" && s == "'unsafe-inline'") {
				t.Errorf("CSP %s allows %s", name, s)
			}
		}
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func TestHTMLSectionsOrder(t *testing.T) {
	out := render(t, HTML{}, fakeRun())
	at := 0
	for _, s := range []string{`id="summary"`, `id="verdict"`, `id="contents"`, `id="fix-first"`, `id="scorecard"`,
		`id="check-AUTH-007"`, `id="check-SESS-003"`, `id="check-TLS-001"`, `id="check-AUTH-003"`, `id="check-AUTH-011"`,
		`id="check-SESS-001"`, `id="refused"`, `id="wrong-passwords"`, `id="not-tested"`, "<footer>"} {
		i := strings.Index(out[at:], s)
		if i < 0 {
			t.Fatalf("missing or out of order: %q", s)
		}
		at += i + len(s)
	}
}

// voidElements have no end tag in HTML.
var voidElements = []string{"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

// TestHTMLWellFormed tokenizes the page: every element the page opens it
// closes, in order (SVG shapes close themselves), ids are unique, and
// every in-page link names one of them.
func TestHTMLWellFormed(t *testing.T) {
	goRun := runWith([]check.Outcome{outcome(meta("SESS-001", check.AreaSession, check.Blocker, "Session cookie is Secure"),
		check.Passf("session cookie sid is Secure"), 3)})
	goRun.OutOfScope, goRun.NoConsent, goRun.WrongPasswords = nil, nil, nil
	for name, run := range map[string]*Run{"fakeRun": fakeRun(), "htmlRun": htmlRun(), "matrixRun": matrixRun(),
		"partial": partialRun(), "go": goRun} {
		t.Run(name, func(t *testing.T) {
			z := html.NewTokenizer(strings.NewReader(render(t, HTML{}, run)))
			var open []string
			ids := map[string]bool{}
			var links []string
			for {
				tt := z.Next()
				if tt == html.ErrorToken {
					break
				}
				tok := z.Token()
				for _, a := range tok.Attr {
					switch a.Key {
					case "id":
						if ids[a.Val] {
							t.Errorf("duplicate id %q", a.Val)
						}
						ids[a.Val] = true
					case "href":
						links = append(links, a.Val)
					}
				}
				switch tt {
				case html.StartTagToken:
					if !slices.Contains(voidElements, tok.Data) {
						open = append(open, tok.Data)
					}
				case html.EndTagToken:
					if len(open) == 0 || open[len(open)-1] != tok.Data {
						t.Fatalf("</%s> closes nothing open (open: %v)", tok.Data, open)
					}
					open = open[:len(open)-1]
				}
			}
			if len(open) > 0 {
				t.Errorf("left open: %v", open)
			}
			for _, l := range links {
				if !ids[strings.TrimPrefix(l, "#")] {
					t.Errorf("link %q names no element", l)
				}
			}
		})
	}
}

func TestHTMLHeadlineLinksIDs(t *testing.T) {
	out := render(t, HTML{}, fakeRun())
	// The NO-GO headline ends with what would verify TLS-001.
	want := `fix the error in <a href="#check-TLS-001">TLS-001</a> and re-run with --only <a href="#check-TLS-001">TLS-001</a></p>`
	if !strings.Contains(out, want) {
		t.Errorf("headline IDs not linked; want %s", want)
	}
	if strings.Contains(out, `href="#check-CWE-614"`) {
		t.Error("a CWE reference became a check link")
	}
}

func TestHTMLFixFirst(t *testing.T) {
	out := render(t, HTML{}, htmlRun())
	section := between(t, out, `<section id="fix-first">`, "</section>")
	at := 0
	// Data exposure, then account takeover, session, secrets; the major
	// SEC-006 does not decide the verdict.
	for _, id := range []string{"AUTHZ-001", "AUTHZ-003", "AUTH-007", "SESS-002", "SEC-001"} {
		i := strings.Index(section[at:], `<a href="#check-`+id+`"><strong>`+id+`</strong>`)
		if i < 0 {
			t.Fatalf("Fix first lacks %s, or it is out of order", id)
		}
		at += i
	}
	for _, want := range []string{
		"<div>Scripts can read a cookie without HttpOnly, e.g. an injected one.</div>",
		"Re-check: <code>launchready scan --only SESS-002</code> · Explain: <code>launchready explain SESS-002</code>",
		`<span class="badge ch-new">new</span>`, `<span class="badge ch-unchanged">unchanged</span>`,
	} {
		if !strings.Contains(section, want) {
			t.Errorf("Fix first lacks %s", want)
		}
	}
	if strings.Contains(section, "SEC-006") || strings.Contains(section, "One XSS") {
		t.Error("Fix first lists a non-blocker or more than the first sentence")
	}
	run := htmlRun()
	run.Rerun = "launchready scan --config staging.yaml {only}"
	if !strings.Contains(render(t, HTML{}, run), "<code>launchready scan --config staging.yaml --only AUTHZ-001</code>") {
		t.Error("the re-check command ignores Run.Rerun")
	}
}

func TestHTMLBaseline(t *testing.T) {
	out := render(t, HTML{}, htmlRun())
	for _, want := range []string{
		"since the baseline of 2026-11-21T09:30:00Z (NO-GO): 2 new blockers, 1 other new finding, 1 fixed, 5 unchanged, 1 not re-checked",
		`id="check-AUTHZ-001">` + "\n" + `<h3><span class="tag s-fail">FAIL</span> AUTHZ-001 member b cannot read member a&#39;s objects <span class="badge ch-new">new</span></h3>`,
		`<h3><span class="tag s-fail">FAIL</span> AUTH-007 Protected pages refuse anonymous visitors <span class="badge ch-unchanged">unchanged</span></h3>`,
		"<h2>Fixed since the baseline</h2>",
		`<li><a href="#check-SESS-001">SESS-001</a> Session cookie is Secure <span class="meta">(blocker)</span><div class="meta">was: session cookie sid lacks Secure</div></li>`,
		`Not re-checked in this run, so neither fixed nor still there: <a href="#check-TLS-001">TLS-001</a>.`,
		`<li><a href="#fixed">Fixed since the baseline (1)</a>`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	plain := render(t, HTML{}, fakeRun())
	if strings.Contains(plain, "badge ch-") || strings.Contains(plain, `id="fixed"`) {
		t.Error("a run without a baseline shows baseline badges or a Fixed section")
	}
}

func TestHTMLMatrixOnce(t *testing.T) {
	out := render(t, HTML{}, htmlRun())
	if n := strings.Count(out, `<section class="matrix"`); n != 1 {
		t.Fatalf("%d matrix sections, want one for both read checks", n)
	}
	for _, want := range []string{
		`<section class="matrix" id="table-AUTHZ-001">` + "\n<h2>Authorization matrix (AUTHZ-001, AUTHZ-003)</h2>",
		`One matrix for every check that reports it: <a href="#check-AUTHZ-001">AUTHZ-001</a>, <a href="#check-AUTHZ-003">AUTHZ-003</a>.`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if n := strings.Count(out, `Matrix: <a href="#table-AUTHZ-001">Authorization matrix</a>`); n != 2 {
		t.Errorf("%d findings link to the matrix, want 2", n)
	}
	if n := strings.Count(out, "<code>messages &lt;script&gt;alert(1)&lt;/script&gt;</code>"); n != 1 {
		t.Errorf("the matrix's row shows %d times, want once", n)
	}
}

func TestHTMLTablesMerge(t *testing.T) {
	table := func(cell string) *check.Table {
		return &check.Table{Title: "Authorization matrix", Columns: []string{"member a", "member b"}, Rows: []check.TableRow{
			{Label: "invoices inv_1", Cells: []string{"allowed (200)", "denied (404)"}},
			{Label: "messages msg_1", Cells: []string{"allowed (200)", cell}},
		}}
	}
	out := func(id string, tb *check.Table) check.Outcome {
		o := outcome(meta(id, check.AreaAuthz, check.Blocker, id), check.Passf("ok"), 1)
		o.Result.Table = tb
		return o
	}
	other := &check.Table{Title: "Admin routes", Columns: []string{"admin"}, Rows: []check.TableRow{{Label: "GET /admin", Cells: []string{"allowed (200)"}}}}
	tables, refs := htmlTables([]check.Outcome{
		out("AUTHZ-001", table("denied (404)")), out("AUTHZ-003", table("leaked (200)")), out("AUTHZ-004", other),
	})
	if len(tables) != 2 {
		t.Fatalf("got %d tables, want the matrix and the admin routes", len(tables))
	}
	var labels []string
	for _, r := range tables[0].Rows {
		labels = append(labels, r.Label)
	}
	// The identical row shows once; the row the checks disagree on shows
	// twice, the second naming its check.
	if want := []string{"invoices inv_1", "messages msg_1", "messages msg_1 (AUTHZ-003)"}; !slices.Equal(labels, want) {
		t.Errorf("rows = %q, want %q", labels, want)
	}
	if tables[0].Title != "Authorization matrix (AUTHZ-001, AUTHZ-003)" || tables[1].Title != "Admin routes (AUTHZ-004)" {
		t.Errorf("titles = %q, %q", tables[0].Title, tables[1].Title)
	}
	if refs["AUTHZ-003"].Anchor != "table-AUTHZ-001" || refs["AUTHZ-004"].Anchor != "table-AUTHZ-004" {
		t.Errorf("refs = %+v", refs)
	}
}

func TestHTMLSharedFix(t *testing.T) {
	out := render(t, HTML{}, htmlRun())
	for _, want := range []string{
		// The first check with a fix shows it, prose apart from code.
		"<p class=\"prose\">Check ownership on the server for every object read:</p>\n<pre>SQL: SELECT … FROM invoices WHERE id = $1 AND member_id = $2</pre>",
		// The next with the same fix links to it.
		`<p class="same">Same fix as <a href="#check-AUTHZ-001">AUTHZ-001</a>.</p>`,
		// A fix sharing one paragraph shows its own and links for the other.
		"<p class=\"prose\">Rotate the printed secret first. Then stop printing it.</p>\n" +
			`<p class="same">Same as in the fix for <a href="#check-SEC-001">SEC-001</a>: “1. Rotate every listed secret first, where it was issued. …”</p>`,
		// Backticks in prose are code.
		"<code>fly secrets set NAME=…</code>",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if n := strings.Count(out, "Check ownership on the server"); n != 1 {
		t.Errorf("the shared fix is printed %d times, want once", n)
	}
}

func TestHTMLEvidenceFolded(t *testing.T) {
	out := render(t, HTML{}, fakeRun())
	if n, want := strings.Count(out, `<details class="ev">`), 8; n != want {
		t.Errorf("%d evidence <details>, want %d (one per evidence item of a finding)", n, want)
	}
	if strings.Contains(out, "<details open") || strings.Contains(out, " open>") {
		t.Error("evidence starts open")
	}
	want := "<summary><code>POST https://portal.test/login</code> → <strong>302</strong></summary>"
	if !strings.Contains(out, want) {
		t.Errorf("evidence summary lacks the request line and status: %s", want)
	}
}

func TestHTMLChartAndAreas(t *testing.T) {
	run := htmlRun()
	out := render(t, HTML{}, run)
	chart := between(t, out, `<svg class="chart" id="area-chart"`, "</svg>")
	if n := strings.Count(chart, `<g class="area"`); n != len(run.Summary.Areas) {
		t.Errorf("chart has %d area groups, want %d", n, len(run.Summary.Areas))
	}
	for _, want := range []string{
		`<title id="area-chart-title">`,
		`<g class="area" data-area="Authorization" data-status="FAIL"><title>Authorization: FAIL — 2 of 2 failed</title>`,
		`<g class="area" data-area="Monitoring" data-status="NOT COVERED">`,
		`<rect class="nc" x="220"`,
	} {
		if !strings.Contains(chart, want) {
			t.Errorf("chart lacks %s", want)
		}
	}
	for _, want := range []string{
		"<td>Auth login</td><td><span class=\"tag s-fail\">FAIL</span></td><td>1 of 3 failed, 1 not verified, 1 not applicable</td>",
		"<td>Secrets handling</td><td><span class=\"tag s-fail\">FAIL</span></td><td>2 of 2 failed</td>",
		"<td>Edge protection</td><td><span class=\"tag s-warn\">WARN</span></td><td>0 of 1 failed, 1 warned</td>",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("area table lacks %s", want)
		}
	}
}

// partialRun is fakeRun narrowed by --only to two checks, every area
// implemented: the others are NOT RUN.
func partialRun() *Run {
	r := fakeRun()
	var outs []check.Outcome
	for _, o := range r.Outcomes {
		if o.Meta.ID == "AUTH-007" || o.Meta.ID == "SESS-001" {
			outs = append(outs, o)
		}
	}
	r.Outcomes = outs
	r.Summary = score.SummarizeWith(outs, score.Options{FailOn: check.Blocker, Only: []string{"AUTH-007", "SESS-001"}, Implemented: check.Areas})
	return r
}

func TestHTMLPartialRun(t *testing.T) {
	out := render(t, HTML{}, partialRun())
	header := between(t, out, `<header class="summary`, "</header>")
	if !strings.Contains(header, "<span>partial: 2 checks</span>") {
		t.Errorf("summary header lacks the partial count:\n%s", header)
	}
	if !strings.Contains(out, `<rect class="nr" x="220"`) || !strings.Contains(out, "not run in this scan") {
		t.Error("NOT RUN areas are not drawn apart")
	}
	if strings.Contains(render(t, HTML{}, fakeRun()), "partial:") {
		t.Error("a full run says partial")
	}
}

func TestFirstSentence(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"One. Two.", "One."},
		{"Cookies, e.g. the session one, leak. Then more.", "Cookies, e.g. the session one, leak."},
		{"ASVS 5.0 asks for it. More.", "ASVS 5.0 asks for it."},
		{"Is it public? Yes.", "Is it public?"},
		{"no full stop at all", "no full stop at all"},
		{"Ends with one.", "Ends with one."},
		{"  ", ""},
	} {
		if got := firstSentence(tt.in); got != tt.want {
			t.Errorf("firstSentence(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCheckAnchor(t *testing.T) {
	if got := checkAnchor(`AUTH-007"><x`); got != "check-AUTH-007___x" {
		t.Errorf("checkAnchor = %q", got)
	}
}

// between returns s from the first from up to the next to, or fails.
func between(t *testing.T, s, from, to string) string {
	t.Helper()
	i := strings.Index(s, from)
	if i < 0 {
		t.Fatalf("page lacks %q", from)
	}
	j := strings.Index(s[i:], to)
	if j < 0 {
		t.Fatalf("page lacks %q after %q", to, from)
	}
	return s[i : i+j+len(to)]
}
