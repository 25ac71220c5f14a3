package report

import (
	"fmt"
	"html/template"
	"io"
	"strings"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/safetext"
	"github.com/launchready/launchready/internal/score"
)

// HTML writes one self-contained page: inline CSS and SVG, no scripts, no
// external assets, so it can be mailed or attached to a ticket and opened
// offline. Every string from the run goes through html/template's
// contextual escaping: evidence is copied from targets that may be hostile.
type HTML struct{}

var _ Reporter = HTML{}

// htmlPage is parsed once from a constant; a parse error is a bug caught by
// every test, never a user input problem.
var htmlPage = template.Must(template.New("report").Parse(htmlTemplate))

// htmlView is the run arranged for the template, so the template only
// iterates and prints.
type htmlView struct {
	Verdict, VerdictClass string
	// Headline is the summary's headline, each check ID in it a link.
	Headline []htmlSpan
	// Partial is "partial: 3 checks" for a run narrowed by --only.
	Partial string
	// BaselineText is the line comparing the run with its baseline.
	BaselineText                 string
	Contents                     []htmlTOCEntry
	FixFirst                     []htmlFixFirst
	Chart                        htmlChart
	Areas                        []htmlArea
	Findings, Unverified, Passed []htmlCheck
	Tables                       []htmlTable
	Baseline                     *htmlBaseline
	OutOfScope, NoConsent        []string
	NotTested                    []string
	NotCovered                   string
	WrongPasswords               string
	Tool, Version, Target        string
	Started, Duration, FailOn    string
	// Date is the start time for people, in the summary header.
	Date      string
	Intrusive bool
}

// htmlTOCEntry is a line of the table of contents; Checks are the
// findings listed under "Findings".
type htmlTOCEntry struct {
	Anchor, Label string
	Checks        []htmlTOCCheck
}

type htmlTOCCheck struct {
	ID, Anchor, Title, Class string
}

// htmlFixFirst is one of the verdict-deciding failures, in fix order.
type htmlFixFirst struct {
	ID, Anchor, Title, Why string
	Change, ChangeNote     string
	Rerun, Explain         string
}

type htmlArea struct {
	Area, Status, Class, Counts string
}

type htmlCheck struct {
	ID, Anchor, Title, Severity, Impact, Status, Class string
	Summary, Reason, Enable, Why                       string
	// Change is "new" or "unchanged" against the baseline; ChangeNote
	// counts a finding's new identities when only some are new.
	Change, ChangeNote string
	Refs               []string
	Evidence           []htmlEvidence
	Table              *htmlTableRef
	Fix                []htmlFixPara
}

type htmlEvidence struct {
	Request, Location, Detail, Repro string
	Status                           int
}

// htmlBaseline is the comparison with --baseline: its fixed findings and
// those this run did not re-check.
type htmlBaseline struct {
	Started, Verdict string
	Fixed            []htmlFixed
	NotRechecked     []htmlSpan
}

type htmlFixed struct {
	ID, Anchor, Title, Severity, Summary, Note string
}

// Write renders the page.
func (HTML) Write(w io.Writer, r *Run) error {
	if r == nil {
		return errNilRun
	}
	return htmlPage.Execute(w, newHTMLView(r))
}

func newHTMLView(r *Run) htmlView {
	onPage := map[string]bool{}
	for _, o := range r.Outcomes {
		onPage[o.Meta.ID] = true
	}
	v := htmlView{
		Verdict:      string(r.Summary.Verdict),
		VerdictClass: statusClass(string(r.Summary.Verdict)),
		Headline:     linkIDs(htmlClean(r.Summary.Headline), onPage),
		BaselineText: htmlClean(r.Baseline.Text(r)),
		FailOn:       r.Summary.FailOn.String(),
		OutOfScope:   htmlCleanAll(r.OutOfScope),
		NoConsent:    htmlCleanAll(r.NoConsent),
		NotTested:    r.NotTested,
		NotCovered:   strings.Join(notCovered(r.Summary.Areas), ", "),
		Tool:         toolName,
		Version:      r.ToolVersion,
		Target:       htmlClean(r.Target),
		Started:      startedText(r.Started),
		Date:         r.Started.UTC().Format("2006-01-02 15:04 UTC"),
		Duration:     durationText(r.Duration),
		Intrusive:    r.Intrusive,
	}
	if r.Summary.Partial() {
		v.Partial = fmt.Sprintf("partial: %d %s", len(r.Summary.Only), plural(len(r.Summary.Only), "check", "checks"))
	}
	if w := r.WrongPasswords; w != nil {
		v.WrongPasswords = w.Text()
	}
	counts := countByArea(r.Outcomes)
	for _, row := range r.Summary.Areas {
		v.Areas = append(v.Areas, htmlArea{Area: row.Area, Status: row.Status, Class: statusClass(row.Status),
			Counts: counts[row.Area].text(row.Status)})
	}
	v.Chart = newHTMLChart(r.Summary.Areas, counts)
	tables, refs := htmlTables(r.Outcomes)
	v.Tables = tables
	fixes := newFixSharer()
	v.Findings = htmlChecks(r, findings(r.Outcomes), refs, fixes)
	v.Unverified = htmlChecks(r, unverified(r.Outcomes), refs, nil)
	v.Passed = htmlChecks(r, withStatus(r.Outcomes, check.Pass), refs, nil)
	v.FixFirst = htmlFixFirsts(r)
	v.Baseline = newHTMLBaseline(r.Baseline, onPage)
	v.Contents = htmlContents(v)
	return v
}

// htmlFixFirsts lists the failures that decide the verdict, in the order
// to fix them, with the commands that re-check and explain each.
func htmlFixFirsts(r *Run) []htmlFixFirst {
	var ff []htmlFixFirst
	for _, o := range fixFirst(r) {
		id := o.Meta.ID
		ff = append(ff, htmlFixFirst{
			ID: htmlClean(id), Anchor: checkAnchor(id), Title: htmlClean(o.Meta.Title),
			Why:   htmlClean(firstSentence(o.Meta.Why)),
			Rerun: htmlClean(rerunCommand(r, id)), Explain: htmlClean("launchready explain " + id),
		})
		f := &ff[len(ff)-1]
		f.Change, f.ChangeNote = htmlChange(r, id)
	}
	return ff
}

// htmlChange is a finding's badge against the baseline ("new",
// "unchanged", "" without one) and, when only some of its identities
// (secrets) are new, how many.
func htmlChange(r *Run, id string) (change, note string) {
	ch, ok := r.Baseline.change(id)
	if !ok {
		return "", ""
	}
	if ch.Change == ChangeNew && ch.New > 0 && ch.New < ch.Total {
		note = fmt.Sprintf("%d of %d new", ch.New, ch.Total)
	}
	return string(ch.Change), note
}

// htmlChecks arranges outcomes as cards; fixes, when set, prints each
// fix text once across the cards it is given.
func htmlChecks(r *Run, outs []check.Outcome, tables map[string]htmlTableRef, fixes *fixSharer) []htmlCheck {
	var cs []htmlCheck
	for _, o := range outs {
		c := htmlCheck{
			ID: htmlClean(o.Meta.ID), Anchor: checkAnchor(o.Meta.ID), Title: htmlClean(o.Meta.Title),
			Severity: o.Meta.Severity.String(), Status: string(o.Result.Status), Class: statusClass(string(o.Result.Status)),
			Summary: htmlClean(o.Result.Summary), Reason: htmlClean(o.Result.Reason), Why: htmlClean(o.Meta.Why),
			Refs: o.Meta.Refs,
		}
		if o.Meta.Impact != check.ImpactUnset {
			c.Impact = o.Meta.Impact.String()
		}
		if o.Result.Status == check.Skip {
			c.Enable = htmlClean(o.Result.Enable)
		}
		c.Change, c.ChangeNote = htmlChange(r, o.Meta.ID)
		if t, ok := tables[o.Meta.ID]; ok {
			c.Table = &t
		}
		for _, e := range o.Result.Evidence {
			he := htmlEvidence{Request: htmlClean(e.Request), Status: e.Status, Detail: htmlClean(e.Detail), Repro: htmlClean(e.Repro)}
			if e.Location != nil {
				he.Location = htmlClean(locationText(e.Location))
			}
			c.Evidence = append(c.Evidence, he)
		}
		if fixes != nil {
			c.Fix = fixes.paras(o.Meta.ID, o.Meta.Fix)
		}
		cs = append(cs, c)
	}
	return cs
}

// newHTMLBaseline lists what the baseline had that this run fixed or did
// not re-check; nil without a baseline.
func newHTMLBaseline(b *Baseline, onPage map[string]bool) *htmlBaseline {
	if b == nil {
		return nil
	}
	hb := &htmlBaseline{Started: startedText(b.Started), Verdict: htmlClean(string(b.Verdict))}
	for _, f := range b.Fixed {
		hf := htmlFixed{ID: htmlClean(f.ID), Title: htmlClean(f.Title), Severity: f.Severity.String(), Summary: htmlClean(f.Summary)}
		if onPage[f.ID] {
			hf.Anchor = checkAnchor(f.ID)
		}
		if f.Partly {
			hf.Note = fmt.Sprintf("partly: %d %s gone, others remain", f.Identities, plural(f.Identities, "finding", "findings"))
		}
		hb.Fixed = append(hb.Fixed, hf)
	}
	for _, id := range b.NotRechecked {
		s := htmlSpan{Text: htmlClean(id)}
		if onPage[id] {
			s.Anchor = checkAnchor(id)
		}
		hb.NotRechecked = append(hb.NotRechecked, s)
	}
	return hb
}

// htmlContents is the table of contents: the page's sections in order,
// only those the page has, so every link leads somewhere.
func htmlContents(v htmlView) []htmlTOCEntry {
	var toc []htmlTOCEntry
	add := func(ok bool, anchor, label string) {
		if ok {
			toc = append(toc, htmlTOCEntry{Anchor: anchor, Label: label})
		}
	}
	add(len(v.FixFirst) > 0, "fix-first", "Fix first")
	add(true, "scorecard", "Scorecard")
	findings := htmlTOCEntry{Anchor: "findings", Label: fmt.Sprintf("Findings (%d)", len(v.Findings))}
	for _, c := range v.Findings {
		findings.Checks = append(findings.Checks, htmlTOCCheck{ID: c.ID, Anchor: c.Anchor, Title: c.Title, Class: c.Class})
	}
	toc = append(toc, findings)
	for _, t := range v.Tables {
		add(true, t.Anchor, t.Title)
	}
	if v.Baseline != nil {
		add(true, "fixed", fmt.Sprintf("Fixed since the baseline (%d)", len(v.Baseline.Fixed)))
	}
	add(len(v.Unverified) > 0, "not-verified", fmt.Sprintf("Not verified or not applicable (%d)", len(v.Unverified)))
	add(len(v.Passed) > 0, "passed", fmt.Sprintf("Passed (%d)", len(v.Passed)))
	add(len(v.OutOfScope)+len(v.NoConsent) > 0, "refused", "Refused requests")
	add(v.WrongPasswords != "", "wrong-passwords", "Wrong-password attempts")
	add(true, "not-tested", "Not tested")
	return toc
}

// htmlClean makes control characters in target text visible; escaping
// itself is html/template's job.
func htmlClean(s string) string { return safetext.Lines(s) }

func htmlCleanAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = htmlClean(s)
	}
	return out
}

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
