package report

import (
	"html/template"
	"io"
	"strings"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/safetext"
	"github.com/launchready/launchready/internal/score"
)

// HTML writes one self-contained page: inline CSS, no scripts, no external
// assets, so it can be mailed or attached to a ticket and opened offline.
// Every string from the run goes through html/template's contextual
// escaping: evidence is copied from targets that may be hostile.
type HTML struct{}

var _ Reporter = HTML{}

// htmlPage is parsed once from a constant; a parse error is a bug caught by
// every test, never a user input problem.
var htmlPage = template.Must(template.New("report").Parse(htmlTemplate))

// htmlView is the run arranged for the template, so the template only
// iterates and prints.
type htmlView struct {
	Verdict, VerdictClass, Headline  string
	Score                            int
	FailOn                           string
	Areas                            []htmlArea
	Findings, Unverified, Passed     []htmlCheck
	Tables                           []htmlTable
	OutOfScope, NoConsent, NotTested []string
	NotCovered                       string
	WrongPasswords                   string
	Tool, Version, Target            string
	Started, Duration                string
	Intrusive                        bool
}

type htmlArea struct {
	Area, Status, Class string
	Checks              int
}

type htmlCheck struct {
	ID, Title, Severity, Status, Class string
	Summary, Reason, Enable, Why, Fix  string
	Refs                               []string
	Evidence                           []htmlEvidence
}

// htmlTable is a check's matrix (the authorization matrix).
type htmlTable struct {
	ID, Title string
	Columns   []string
	Rows      []htmlTableRow
}

type htmlTableRow struct {
	Label string
	Cells []htmlTableCell
}

type htmlTableCell struct {
	Text, Class string
}

type htmlEvidence struct {
	Request, Location, Detail, Repro string
	Status                           int
}

// Write renders the page.
func (HTML) Write(w io.Writer, r *Run) error {
	if r == nil {
		return errNilRun
	}
	return htmlPage.Execute(w, newHTMLView(r))
}

func newHTMLView(r *Run) htmlView {
	v := htmlView{
		Verdict:      string(r.Summary.Verdict),
		VerdictClass: statusClass(string(r.Summary.Verdict)),
		Headline:     r.Headline(),
		FailOn:       r.Summary.FailOn.String(),
		OutOfScope:   r.OutOfScope,
		NoConsent:    r.NoConsent,
		NotTested:    r.NotTested,
		NotCovered:   strings.Join(notCovered(r.Summary.Areas), ", "),
		Tool:         toolName,
		Version:      r.ToolVersion,
		Target:       r.Target,
		Started:      startedText(r.Started),
		Duration:     durationText(r.Duration),
		Intrusive:    r.Intrusive,
	}
	if w := r.WrongPasswords; w != nil {
		v.WrongPasswords = w.Text()
	}
	for _, row := range r.Summary.Areas {
		v.Areas = append(v.Areas, htmlArea{Area: row.Area, Status: row.Status, Class: statusClass(row.Status), Checks: row.Checks})
	}
	v.Findings = htmlChecks(findings(r.Outcomes))
	v.Unverified = htmlChecks(unverified(r.Outcomes))
	v.Passed = htmlChecks(withStatus(r.Outcomes, check.Pass))
	v.Tables = htmlTables(r.Outcomes)
	return v
}

// htmlTables collects the checks' matrices; a cell's class colours it by
// its state.
func htmlTables(outs []check.Outcome) []htmlTable {
	var ts []htmlTable
	for _, o := range outs {
		t := o.Result.Table
		if t == nil {
			continue
		}
		ht := htmlTable{ID: htmlClean(o.Meta.ID), Title: htmlClean(t.Title)}
		for _, c := range t.Columns {
			ht.Columns = append(ht.Columns, htmlClean(c))
		}
		for _, r := range t.Rows {
			hr := htmlTableRow{Label: htmlClean(r.Label)}
			for _, c := range r.Cells {
				hr.Cells = append(hr.Cells, htmlTableCell{Text: htmlClean(c), Class: cellClass(c)})
			}
			ht.Rows = append(ht.Rows, hr)
		}
		ts = append(ts, ht)
	}
	return ts
}

// cellClass colours a matrix cell: a leak fails, a refusal passes.
func cellClass(text string) string {
	switch {
	case strings.HasPrefix(text, "leaked"):
		return "s-fail"
	case strings.HasPrefix(text, "error"):
		return "s-error"
	case strings.HasPrefix(text, "denied"):
		return "s-pass"
	}
	return ""
}

func htmlChecks(outs []check.Outcome) []htmlCheck {
	var cs []htmlCheck
	for _, o := range outs {
		c := htmlCheck{
			ID: htmlClean(o.Meta.ID), Title: htmlClean(o.Meta.Title), Severity: o.Meta.Severity.String(),
			Status: string(o.Result.Status), Class: statusClass(string(o.Result.Status)),
			Summary: htmlClean(o.Result.Summary), Reason: htmlClean(o.Result.Reason), Why: htmlClean(o.Meta.Why),
			Fix: htmlClean(o.Meta.Fix), Refs: o.Meta.Refs,
		}
		if o.Result.Status == check.Skip {
			c.Enable = htmlClean(o.Result.Enable)
		}
		for _, e := range o.Result.Evidence {
			he := htmlEvidence{Request: htmlClean(e.Request), Status: e.Status, Detail: htmlClean(e.Detail), Repro: htmlClean(e.Repro)}
			if e.Location != nil {
				he.Location = htmlClean(locationText(e.Location))
			}
			c.Evidence = append(c.Evidence, he)
		}
		cs = append(cs, c)
	}
	return cs
}

// htmlClean makes control characters in target text visible; escaping
// itself is html/template's job.
func htmlClean(s string) string { return safetext.Lines(s) }

// statusClass maps a verdict, area or check status to its CSS class.
func statusClass(status string) string {
	switch status {
	case string(score.Go), score.AreaPass:
		return "s-pass"
	case string(score.NoGo), score.AreaFail:
		return "s-fail"
	case string(check.Error):
		return "s-error"
	case score.AreaWarn:
		return "s-warn"
	case string(score.NotVerified), string(check.Skip):
		return "s-nv"
	}
	return "s-none"
}

const htmlTemplate = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>launchready: {{.Verdict}} for {{.Target}}</title>
<style>
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2125;background:#f6f7f9;margin:0;padding:0 12px}
main{max-width:960px;margin:0 auto;padding:16px 0 32px}
h1{font-size:1.6em;margin:.2em 0}h2{font-size:1.2em;margin:1.6em 0 .5em;border-bottom:1px solid #d0d5db;padding-bottom:.2em}
h3{font-size:1.05em;margin:0 0 .3em;overflow-wrap:anywhere}
.banner{border-radius:8px;padding:14px 16px;color:#fff}
.banner p{margin:.3em 0 0;overflow-wrap:anywhere}
.banner.s-pass{background:#1a7f37}.banner.s-fail{background:#cf222e}.banner.s-nv{background:#9a6700}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e3e6ea;vertical-align:top}
td.n{text-align:right}
.tag{display:inline-block;border-radius:4px;padding:0 6px;font-weight:600;font-size:.85em;white-space:nowrap}
.tag.s-pass{background:#dafbe1;color:#1a7f37}.tag.s-fail,.tag.s-error{background:#ffebe9;color:#cf222e}
.tag.s-warn,.tag.s-nv{background:#fff8c5;color:#7d4e00}.tag.s-none{background:#eaeef2;color:#57606a}
tr.s-none td{color:#8c959f}
.card{background:#fff;border:1px solid #d0d5db;border-left-width:5px;border-radius:6px;padding:12px 14px;margin:12px 0}
.card.s-fail,.card.s-error{border-left-color:#cf222e}.card.s-warn,.card.s-nv{border-left-color:#bf8700}.card.s-none{border-left-color:#8c959f}
.meta{color:#57606a;font-size:.9em}
.ev{border-top:1px dashed #d0d5db;margin-top:8px;padding-top:6px}
pre{background:#f3f4f6;border-radius:4px;padding:8px;margin:4px 0;overflow-x:auto;white-space:pre-wrap;overflow-wrap:anywhere;font-size:.85em}
code{overflow-wrap:anywhere}
ul{padding-left:1.2em}li{margin:.2em 0;overflow-wrap:anywhere}
footer{margin-top:2em;color:#57606a;font-size:.85em;overflow-wrap:anywhere}
</style>
</head>
<body>
<main>
<section class="banner {{.VerdictClass}}">
<h1>{{.Verdict}}</h1>
<p>{{.Headline}}</p>
</section>

<h2>Scorecard</h2>
<table>
<thead><tr><th>Area</th><th>Status</th><th>Checks</th></tr></thead>
<tbody>
{{- range .Areas}}
<tr class="{{.Class}}"><td>{{.Area}}</td><td><span class="tag {{.Class}}">{{.Status}}</span></td><td class="n">{{.Checks}}</td></tr>
{{- end}}
</tbody>
</table>

<h2>Findings</h2>
{{- range .Findings}}
<article class="card {{.Class}}" id="{{.ID}}">
<h3><span class="tag {{.Class}}">{{.Status}}</span> {{.ID}} {{.Title}}</h3>
<div class="meta">severity {{.Severity}}{{range .Refs}} · {{.}}{{end}}</div>
<p>{{.Summary}}</p>
{{- if .Why}}<p class="meta">Why it matters: {{.Why}}</p>{{end}}
{{- range .Evidence}}
<div class="ev">
{{- if .Request}}<div><code>{{.Request}}</code>{{if .Status}} → <strong>{{.Status}}</strong>{{end}}</div>{{end}}
{{- if .Location}}<div><code>{{.Location}}</code></div>{{end}}
{{- if .Detail}}<pre>{{.Detail}}</pre>{{end}}
{{- if .Repro}}<div class="meta">Reproduce:</div><pre>{{.Repro}}</pre>{{end}}
</div>
{{- end}}
{{- if .Fix}}
<div class="ev"><strong>Fix</strong><pre>{{.Fix}}</pre></div>
{{- end}}
</article>
{{- else}}
<p>No check failed or warned.</p>
{{- end}}
{{- if .Unverified}}

<h2>Not verified or not applicable</h2>
{{- range .Unverified}}
<article class="card {{.Class}}" id="{{.ID}}">
<h3><span class="tag {{.Class}}">{{.Status}}</span> {{.ID}} {{.Title}}</h3>
<div class="meta">severity {{.Severity}}</div>
<p>{{if .Reason}}{{.Reason}}{{else}}{{.Summary}}{{end}}</p>
{{- if .Enable}}<p>To enable: <code>{{.Enable}}</code></p>{{end}}
</article>
{{- end}}
{{- end}}
{{- if .Passed}}

<h2>Passed</h2>
<table>
<tbody>
{{- range .Passed}}
<tr><td><span class="tag s-pass">PASS</span></td><td>{{.ID}}</td><td>{{.Summary}}</td></tr>
{{- end}}
</tbody>
</table>
{{- end}}
{{- range .Tables}}

<h2>{{.Title}} ({{.ID}})</h2>
<table>
<thead><tr><th></th>{{range .Columns}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>
{{- range .Rows}}
<tr><td><code>{{.Label}}</code></td>{{range .Cells}}<td>{{if .Class}}<span class="tag {{.Class}}">{{.Text}}</span>{{else}}{{.Text}}{{end}}</td>{{end}}</tr>
{{- end}}
</tbody>
</table>
{{- end}}
{{- if .OutOfScope}}

<h2>Refused as out of scope</h2>
<p class="meta">These requests were never sent: their hosts are not in target.scope.</p>
<ul>
{{- range .OutOfScope}}
<li><code>{{.}}</code></li>
{{- end}}
</ul>
{{- end}}
{{- if .NoConsent}}

<h2>Refused without consent</h2>
<p class="meta">These requests were never sent: they write to, or belong to an intrusive check against, a host that is neither on loopback nor proven with <code>launchready token</code>.</p>
<ul>
{{- range .NoConsent}}
<li><code>{{.}}</code></li>
{{- end}}
</ul>
{{- end}}
{{- if .WrongPasswords}}

<h2>Wrong-password attempts</h2>
<p class="meta">One budget for every check that sends wrong passwords, printed before they ran; they went only to accounts the scan created or to unknown addresses.</p>
<p>{{.WrongPasswords}}</p>
{{- end}}

<h2>Not tested by launchready</h2>
<ul>
{{- range .NotTested}}
<li>{{.}}</li>
{{- end}}
{{- if .NotCovered}}
<li>areas no check covered in this run (NOT COVERED): {{.NotCovered}}</li>
{{- end}}
</ul>

<footer>
{{.Tool}} {{.Version}} · target {{.Target}} · started {{.Started}} · took {{.Duration}} · fail-on {{.FailOn}} · intrusive checks {{if .Intrusive}}allowed{{else}}not allowed{{end}}
</footer>
</main>
</body>
</html>
`
