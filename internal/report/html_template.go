package report

// htmlTemplate is the page. The Content-Security-Policy forbids every
// network load and every script, so a hostile string that escaped
// escaping still could not run or call home; base-uri and form-action do
// not fall back to default-src, so they are named. Styles are inline (the
// only thing 'unsafe-inline' allows). The summary header is sticky, so
// the verdict stays in view while reading a finding; print turns that off
// and opens the evidence.
const htmlTemplate = `
{{- define "span"}}{{if .Anchor}}<a href="#{{.Anchor}}">{{.Text}}</a>{{else if .Code}}<code>{{.Text}}</code>{{else}}{{.Text}}{{end}}{{end}}
{{- define "spans"}}{{range .}}{{template "span" .}}{{end}}{{end}}
{{- define "list"}}{{range $i, $s := .}}{{if $i}}, {{end}}{{template "span" $s}}{{end}}{{end}}
{{- define "table"}}
<section class="matrix" id="{{.Anchor}}">
<h2>{{.Title}}</h2>
<p class="meta">One matrix for every check that reports it: {{template "list" .Checks}}.</p>
<div class="scroll">
<table>
<thead><tr><th></th>{{range .Columns}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>
{{- range .Rows}}
<tr><td><code>{{.Label}}</code></td>{{range .Cells}}<td>{{if .Class}}<span class="tag {{.Class}}">{{.Text}}</span>{{else}}{{.Text}}{{end}}</td>{{end}}</tr>
{{- end}}
</tbody>
</table>
</div>
</section>
{{- end}}
{{- define "tableref"}}{{with .Table}}
<p class="meta">Matrix: <a href="#{{.Anchor}}">{{.Title}}</a> (shown once for every check that reports it).</p>
{{- end}}{{end}}
{{- define "evidence"}}{{with .Evidence}}
<h4>Evidence</h4>
{{- range .}}
<details class="ev">
<summary>{{if .Request}}<code>{{.Request}}</code>{{if .Status}} → <strong>{{.Status}}</strong>{{end}}{{else if .Location}}<code>{{.Location}}</code>{{else}}observation{{end}}</summary>
{{- if and .Request .Location}}<div><code>{{.Location}}</code></div>{{end}}
{{- if .Detail}}<pre>{{.Detail}}</pre>{{end}}
{{- if .Repro}}<div class="meta">Reproduce:</div><pre>{{.Repro}}</pre>{{end}}
</details>
{{- end}}
{{- end}}{{end}}
{{- define "fix"}}{{with .Fix}}
<div class="fix"><h4>Fix</h4>
{{- range .}}
{{- if .SameID}}
<p class="same">{{if .Excerpt}}Same as in the fix for <a href="#{{.SameAnchor}}">{{.SameID}}</a>: “{{.Excerpt}}”{{else}}Same fix as <a href="#{{.SameAnchor}}">{{.SameID}}</a>.{{end}}</p>
{{- else}}
{{- range .Blocks}}
{{if .Code}}<pre>{{.Text}}</pre>{{else}}<p class="prose">{{template "spans" .Spans}}</p>{{end}}
{{- end}}
{{- end}}
{{- end}}
</div>
{{- end}}{{end}}
{{- define "change"}}{{if .Change}} <span class="badge ch-{{.Change}}">{{.Change}}{{if .ChangeNote}}: {{.ChangeNote}}{{end}}</span>{{end}}{{end -}}
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'">
<title>launchready: {{.Verdict}} for {{.Target}}</title>
<style>
html{scroll-padding-top:7rem}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1d2125;background:#f6f7f9;margin:0}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:.85em;overflow-wrap:anywhere}
pre{background:#f3f4f6;border-radius:4px;padding:8px;margin:4px 0;overflow-x:auto;white-space:pre-wrap}
a{color:#0550ae}
.summary{position:sticky;top:0;z-index:10;color:#fff;padding:6px 16px;box-shadow:0 1px 4px rgba(0,0,0,.3)}
.summary.s-pass{background:#1a7f37}.summary.s-fail{background:#cf222e}.summary.s-nv{background:#9a6700}.summary.s-none{background:#57606a}
.summary h1{display:inline;font-size:1.3em;margin:0 .5em 0 0}
.summary span{margin-right:.9em;overflow-wrap:anywhere}
.summary a{color:#fff}
.summary p{margin:.1em 0 0;font-size:.9em;overflow-wrap:anywhere}
main{max-width:960px;margin:0 auto;padding:12px 12px 32px}
h2{font-size:1.2em;margin:1.6em 0 .5em;border-bottom:1px solid #d0d5db;padding-bottom:.2em}
h3{font-size:1.05em;margin:0 0 .3em;overflow-wrap:anywhere}
h4{font-size:.95em;margin:.8em 0 .2em}
.banner{background:#fff;border:1px solid #d0d5db;border-left:6px solid #8c959f;border-radius:6px;padding:10px 14px}
.banner p{margin:0;overflow-wrap:anywhere}
.banner.s-pass{border-left-color:#1a7f37}.banner.s-fail{border-left-color:#cf222e}.banner.s-nv{border-left-color:#9a6700}
.toc ol{margin:.2em 0}.toc ul.ids{list-style:none;padding:0;margin:.2em 0 .4em;display:flex;flex-wrap:wrap;gap:4px 10px}
.toc ul.ids a.s-fail{color:#cf222e}.toc ul.ids a.s-warn{color:#7d4e00}
ol.fix-first{padding-left:1.6em}
ol.fix-first li{background:#fff;border:1px solid #d0d5db;border-radius:6px;padding:8px 12px;margin:8px 0}
.cmds{margin-top:.3em;font-size:.9em}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e3e6ea;vertical-align:top}
.scroll{overflow-x:auto}
.tag,.badge{display:inline-block;border-radius:4px;padding:0 6px;font-weight:600;font-size:.85em;white-space:nowrap}
.tag.s-pass{background:#dafbe1;color:#1a7f37}.tag.s-fail,.tag.s-error{background:#ffebe9;color:#cf222e}
.tag.s-warn,.tag.s-nv{background:#fff8c5;color:#7d4e00}.tag.s-none{background:#eaeef2;color:#57606a}
.badge{font-weight:500;border:1px solid #8c959f;color:#57606a}.badge.ch-new{border-color:#cf222e;color:#cf222e}
tr.s-none td{color:#6e7781}
.chart{display:block;width:100%;height:auto;max-width:760px;background:#fff;border:1px solid #d0d5db;border-radius:6px}
.chart text{font-size:12px;fill:#1d2125}.chart text.empty{fill:#57606a;font-style:italic}
.b-fail{fill:#cf222e}.b-warn{fill:#d4a72c}.b-nv{fill:#8250df}.b-pass{fill:#2da44e}.b-na{fill:#afb8c1}
.nc{fill:none;stroke:#6e7781;stroke-dasharray:5 3}.nr{fill:#f6f8fa;stroke:#6e7781;stroke-dasharray:1 3}
figure{margin:0 0 12px}figcaption{margin-top:4px}
.card{background:#fff;border:1px solid #d0d5db;border-left-width:5px;border-radius:6px;padding:12px 14px;margin:12px 0}
.card:target{outline:2px solid #0969da}
.card.s-fail,.card.s-error{border-left-color:#cf222e}.card.s-warn,.card.s-nv{border-left-color:#bf8700}.card.s-none{border-left-color:#8c959f}
.meta{color:#57606a;font-size:.9em}
details.ev{border-top:1px dashed #d0d5db;padding:4px 0}
details.ev summary{cursor:pointer;overflow-wrap:anywhere}
.fix{border-top:1px dashed #d0d5db;margin-top:8px}
.fix p{margin:.3em 0;white-space:pre-line}
ul{padding-left:1.2em}li{margin:.2em 0;overflow-wrap:anywhere}
footer{margin-top:2em;color:#57606a;font-size:.85em;overflow-wrap:anywhere}
@media print{
html{scroll-padding-top:0}
body{background:#fff}
.summary{position:static;box-shadow:none}
.summary,.tag,.badge,.chart rect{-webkit-print-color-adjust:exact;print-color-adjust:exact}
.toc{display:none}
details.ev summary{cursor:auto}
}
@media print{details::details-content{content-visibility:visible;display:block}}
</style>
</head>
<body>
<header class="summary {{.VerdictClass}}" id="summary">
<div><h1>{{.Verdict}}</h1>
<span>{{.Target}}</span>
<span><time datetime="{{.Started}}">{{.Date}}</time></span>
{{- if .Partial}}
<span>{{.Partial}}</span>
{{- end}}
<span><a href="#contents">Contents</a>{{if .FixFirst}} · <a href="#fix-first">Fix first</a>{{end}}</span></div>
{{- if .BaselineText}}
<p>{{.BaselineText}}</p>
{{- end}}
</header>
<main>
<section class="banner {{.VerdictClass}}" id="verdict">
<p>{{template "spans" .Headline}}</p>
</section>

<nav class="toc" id="contents" aria-label="Contents">
<h2>Contents</h2>
<ol>
{{- range .Contents}}
<li><a href="#{{.Anchor}}">{{.Label}}</a>
{{- with .Checks}}
<ul class="ids">
{{- range .}}
<li><a class="{{.Class}}" href="#{{.Anchor}}" title="{{.Title}}">{{.ID}}</a></li>
{{- end}}
</ul>
{{- end}}
</li>
{{- end}}
</ol>
</nav>
{{- if .FixFirst}}

<section id="fix-first">
<h2>Fix first</h2>
<p class="meta">The failures that decide the verdict, in the order to fix them: what exposes member data or accounts first. After each fix, re-check that one check.</p>
<ol class="fix-first">
{{- range .FixFirst}}
<li><a href="#{{.Anchor}}"><strong>{{.ID}}</strong> {{.Title}}</a>{{template "change" .}}
{{- if .Why}}
<div>{{.Why}}</div>
{{- end}}
<div class="cmds">Re-check: <code>{{.Rerun}}</code> · Explain: <code>{{.Explain}}</code></div>
</li>
{{- end}}
</ol>
</section>
{{- end}}

<section id="scorecard">
<h2>Scorecard</h2>
<figure>
{{- $c := .Chart}}
<svg class="chart" id="area-chart" viewBox="0 0 {{$c.Width}} {{$c.Height}}" role="img" aria-labelledby="area-chart-title area-chart-desc">
<title id="area-chart-title">Checks per area and how they ended</title>
<desc id="area-chart-desc">{{$c.Desc}}</desc>
{{- range $c.Keys}}
<rect class="{{.Class}}" x="{{.X}}" y="6" width="12" height="12"/><text x="{{.TextX}}" y="16">{{.Label}}</text>
{{- end}}
{{- range $c.Rows}}
<g class="area" data-area="{{.Area}}" data-status="{{.Status}}"><title>{{.Title}}</title>
<text x="{{$c.LabelX}}" y="{{.TextY}}">{{.Area}}</text>
{{- if .Empty}}
<rect class="{{.Empty}}" x="{{$c.BarX}}" y="{{.Y}}" width="{{$c.BarW}}" height="{{$c.BarH}}"/><text class="empty" x="{{$c.BarX}}" dx="8" y="{{.TextY}}">{{.Detail}}</text>
{{- else}}
{{- range .Segs}}
<rect class="{{.Class}}" x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{$c.BarH}}"><title>{{.Title}}</title></rect>
{{- end}}
{{- end}}
<text x="{{$c.NoteX}}" y="{{.TextY}}">{{.Status}}</text>
</g>
{{- end}}
</svg>
<figcaption class="meta">One bar per area, every bar on the same scale: its length is the checks that ran there. A dashed outline is an area no check covers; a dotted one, an area this scan did not run.</figcaption>
</figure>
<table>
<thead><tr><th>Area</th><th>Status</th><th>Checks</th></tr></thead>
<tbody>
{{- range .Areas}}
<tr class="{{.Class}}"><td>{{.Area}}</td><td><span class="tag {{.Class}}">{{.Status}}</span></td><td>{{.Counts}}</td></tr>
{{- end}}
</tbody>
</table>
</section>

<section id="findings">
<h2>Findings</h2>
{{- range .Findings}}
<article class="card {{.Class}}" id="{{.Anchor}}">
<h3><span class="tag {{.Class}}">{{.Status}}</span> {{.ID}} {{.Title}}{{template "change" .}}</h3>
<div class="meta">severity {{.Severity}}{{if .Impact}} · impact {{.Impact}}{{end}}{{range .Refs}} · {{.}}{{end}}</div>
<p>{{.Summary}}</p>
{{- if .Why}}
<p class="meta">Why it matters: {{.Why}}</p>
{{- end}}
{{- template "tableref" .}}
{{- template "evidence" .}}
{{- template "fix" .}}
</article>
{{- else}}
<p>No check failed or warned.</p>
{{- end}}
</section>
{{- range .Tables}}
{{template "table" .}}
{{- end}}
{{- with .Baseline}}

<section id="fixed">
<h2>Fixed since the baseline</h2>
<p class="meta">Compared with the run of {{.Started}} ({{.Verdict}}): its findings this run verified gone.</p>
{{- if .Fixed}}
<ul>
{{- range .Fixed}}
<li>{{if .Anchor}}<a href="#{{.Anchor}}">{{.ID}}</a>{{else}}{{.ID}}{{end}} {{.Title}} <span class="meta">({{.Severity}}{{if .Note}}; {{.Note}}{{end}})</span><div class="meta">was: {{.Summary}}</div></li>
{{- end}}
</ul>
{{- else}}
<p>None of the baseline's findings is fixed.</p>
{{- end}}
{{- if .NotRechecked}}
<p>Not re-checked in this run, so neither fixed nor still there: {{template "list" .NotRechecked}}.</p>
{{- end}}
</section>
{{- end}}
{{- if .Unverified}}

<section id="not-verified">
<h2>Not verified or not applicable</h2>
{{- range .Unverified}}
<article class="card {{.Class}}" id="{{.Anchor}}">
<h3><span class="tag {{.Class}}">{{.Status}}</span> {{.ID}} {{.Title}}</h3>
<div class="meta">severity {{.Severity}}</div>
<p>{{if .Reason}}{{.Reason}}{{else}}{{.Summary}}{{end}}</p>
{{- if .Enable}}
<p>To enable: <code>{{.Enable}}</code></p>
{{- end}}
{{- template "tableref" .}}
</article>
{{- end}}
</section>
{{- end}}
{{- if .Passed}}

<section id="passed">
<h2>Passed</h2>
<table>
<tbody>
{{- range .Passed}}
<tr id="{{.Anchor}}"><td><span class="tag s-pass">PASS</span></td><td>{{.ID}}</td><td>{{.Summary}}{{with .Table}} · <a href="#{{.Anchor}}">{{.Title}}</a>{{end}}</td></tr>
{{- end}}
</tbody>
</table>
</section>
{{- end}}
{{- if or .OutOfScope .NoConsent}}

<section id="refused">
<h2>Refused requests</h2>
{{- if .OutOfScope}}
<h3>Out of scope</h3>
<p class="meta">These requests were never sent: their hosts are not in target.scope.</p>
<ul>
{{- range .OutOfScope}}
<li><code>{{.}}</code></li>
{{- end}}
</ul>
{{- end}}
{{- if .NoConsent}}
<h3>Without consent</h3>
<p class="meta">These requests were never sent: they write to, or belong to an intrusive check against, a host that is neither on loopback nor proven with <code>launchready token</code>.</p>
<ul>
{{- range .NoConsent}}
<li><code>{{.}}</code></li>
{{- end}}
</ul>
{{- end}}
</section>
{{- end}}
{{- if .WrongPasswords}}

<section id="wrong-passwords">
<h2>Wrong-password attempts</h2>
<p class="meta">One budget for every check that sends wrong passwords, printed before they ran; they went only to accounts the scan created or to unknown addresses.</p>
<p>{{.WrongPasswords}}</p>
</section>
{{- end}}

<section id="not-tested">
<h2>Not tested by launchready</h2>
<ul>
{{- range .NotTested}}
<li>{{.}}</li>
{{- end}}
{{- if .NotCovered}}
<li>areas no check covered in this run (NOT COVERED): {{.NotCovered}}</li>
{{- end}}
</ul>
</section>

<footer>
{{.Tool}} {{.Version}} · target {{.Target}} · started {{.Started}} · took {{.Duration}} · fail-on {{.FailOn}} · intrusive checks {{if .Intrusive}}allowed{{else}}not allowed{{end}}
</footer>
</main>
</body>
</html>
`
