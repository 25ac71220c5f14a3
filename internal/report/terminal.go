package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/safetext"
	"github.com/launchready/launchready/internal/score"
)

// Terminal writes the scorecard for a person at a terminal: the headline,
// the area table, each finding with its evidence and fix, what could not be
// verified, what passed, and what launchready does not test.
type Terminal struct {
	// Color adds ANSI colours; without it the output is plain text with no
	// escape sequences at all.
	Color bool
}

var _ Reporter = Terminal{}

// Terminal limits keep one finding readable on a screen; the HTML and JSON
// reports carry everything.
const (
	termEvidence    = 3
	termDetailLines = 6
	termLineWidth   = 160
)

// ANSI SGR sequences used when Color is set.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
)

// Write renders the scorecard. Text that came from the target is cleaned of
// control characters so a hostile page cannot drive the terminal.
func (t Terminal) Write(w io.Writer, r *Run) error {
	if r == nil {
		return errNilRun
	}
	p := &termPrinter{color: t.Color, idWidth: idWidth(r.Outcomes)}
	p.header(r)
	p.areas(r.Summary.Areas)
	p.findings(findings(r.Outcomes))
	p.unverified(unverified(r.Outcomes))
	p.passed(withStatus(r.Outcomes, check.Pass))
	p.closing(r)
	_, err := io.WriteString(w, p.b.String())
	return err
}

// termPrinter accumulates the scorecard so it is written in one call.
type termPrinter struct {
	b       strings.Builder
	color   bool
	idWidth int
}

func (p *termPrinter) printf(format string, a ...any) { fmt.Fprintf(&p.b, format, a...) }

// paint wraps s in an SGR sequence when colour is on.
func (p *termPrinter) paint(code, s string) string {
	if !p.color || code == "" {
		return s
	}
	return code + s + ansiReset
}

// statusCode picks the colour of a verdict, area or check status.
func statusCode(status string) string {
	switch status {
	case string(score.Go), score.AreaPass:
		return ansiGreen
	case string(score.NoGo), score.AreaFail, string(check.Error):
		return ansiRed
	case string(score.NotVerified), score.AreaWarn, string(check.Skip):
		return ansiYellow
	case score.AreaNotCovered, string(check.NA):
		return ansiDim
	}
	return ""
}

func (p *termPrinter) header(r *Run) {
	verdict := string(r.Summary.Verdict)
	headline := safetext.Line(r.Headline())
	if rest, ok := strings.CutPrefix(headline, verdict); ok {
		headline = p.paint(ansiBold+statusCode(verdict), verdict) + rest
	}
	p.printf("%s\n", headline)
	p.printf("Target %s, scanned %s in %s by %s %s\n",
		safetext.Line(r.Target), startedText(r.Started), durationText(r.Duration), toolName, safetext.Line(r.ToolVersion))
}

func (p *termPrinter) areas(rows []score.AreaRow) {
	p.printf("\nScorecard\n  %-32s %-14s %s\n", "AREA", "STATUS", "CHECKS")
	for _, row := range rows {
		if row.Status == score.AreaNotCovered {
			p.printf("%s\n", p.paint(ansiDim, fmt.Sprintf("  %-32s %-14s %d", safetext.Line(row.Area), row.Status, row.Checks)))
			continue
		}
		status := p.paint(statusCode(row.Status), fmt.Sprintf("%-14s", row.Status))
		p.printf("  %-32s %s %d\n", safetext.Line(row.Area), status, row.Checks)
	}
}

// label is a check status padded to one width and coloured.
func (p *termPrinter) label(st check.Status) string {
	return p.paint(statusCode(string(st)), fmt.Sprintf("%-5s", st))
}

func (p *termPrinter) checkLine(o check.Outcome) {
	p.printf("%s  %-*s  %-7s  %s\n", p.label(o.Result.Status), p.idWidth, safetext.Line(o.Meta.ID),
		o.Meta.Severity, safetext.Line(o.Meta.Title))
}

func (p *termPrinter) findings(fs []check.Outcome) {
	if len(fs) == 0 {
		p.printf("\nNo failed or warning checks.\n")
		return
	}
	p.printf("\nFindings\n")
	for _, o := range fs {
		p.printf("\n")
		p.checkLine(o)
		p.printf("  %s\n", safetext.Line(o.Result.Summary))
		for i, e := range o.Result.Evidence {
			if i == termEvidence {
				p.printf("  (%s in the HTML and JSON reports)\n", moreEvidence(len(o.Result.Evidence)-i))
				break
			}
			p.evidence(e)
		}
		if o.Meta.Fix != "" {
			p.printf("  Fix: %s\n", indentRest(safetext.Lines(o.Meta.Fix), "    "))
		}
	}
}

func (p *termPrinter) evidence(e check.Evidence) {
	p.printf("  Evidence: %s\n", safetext.Line(evidenceHead(e)))
	if e.Detail != "" {
		for _, l := range truncateLines(safetext.Lines(e.Detail), termDetailLines, termLineWidth) {
			p.printf("%s\n", strings.TrimRight("    "+l, " \t"))
		}
	}
	if e.Repro != "" {
		p.printf("    repro: %s\n", safetext.Line(e.Repro))
	}
}

// evidenceHead is the one-line "where": the request and its status, or the
// file, line and commit.
func evidenceHead(e check.Evidence) string {
	var parts []string
	if e.Request != "" {
		parts = append(parts, e.Request)
	}
	if e.Status != 0 {
		parts = append(parts, fmt.Sprintf("-> %d", e.Status))
	}
	if e.Location != nil {
		parts = append(parts, locationText(e.Location))
	}
	if len(parts) == 0 {
		return "(observed)"
	}
	return strings.Join(parts, " ")
}

// locationText spells a file location as file:line (commit abc).
func locationText(l *check.Location) string {
	s := l.File
	if l.Line > 0 {
		s += fmt.Sprintf(":%d", l.Line)
	}
	if l.Commit != "" {
		s += " (commit " + l.Commit + ")"
	}
	return s
}

func (p *termPrinter) unverified(us []check.Outcome) {
	if len(us) == 0 {
		return
	}
	p.printf("\nNot verified or not applicable\n")
	for _, o := range us {
		p.checkLine(o)
		reason := o.Result.Reason
		if reason == "" {
			reason = o.Result.Summary
		}
		p.printf("       %s\n", safetext.Line(reason))
		if o.Result.Status == check.Skip && o.Result.Enable != "" {
			p.printf("       to enable: %s\n", safetext.Line(o.Result.Enable))
		}
	}
}

func (p *termPrinter) passed(ps []check.Outcome) {
	if len(ps) == 0 {
		return
	}
	p.printf("\nPassed\n")
	for _, o := range ps {
		p.printf("%s  %-*s  %s\n", p.label(check.Pass), p.idWidth, safetext.Line(o.Meta.ID), safetext.Line(o.Result.Summary))
	}
}

func (p *termPrinter) closing(r *Run) {
	if len(r.OutOfScope) > 0 {
		p.printf("\nRefused as out of scope (never contacted):\n")
		for _, u := range r.OutOfScope {
			p.printf("  - %s\n", safetext.Line(u))
		}
	}
	if len(r.NoConsent) > 0 {
		p.printf("\nRefused without consent (never sent; the host is not proven):\n")
		for _, u := range r.NoConsent {
			p.printf("  - %s\n", safetext.Line(u))
		}
	}
	if w := r.WrongPasswords; w != nil {
		p.printf("\nWrong-password attempts (one budget): %s\n", safetext.Line(w.Text()))
	}
	p.printf("\nNot tested by launchready:\n")
	for _, n := range r.NotTested {
		p.printf("  - %s\n", safetext.Line(n))
	}
	if nc := notCovered(r.Summary.Areas); len(nc) > 0 {
		p.printf("  - areas no check covered in this run (NOT COVERED): %s\n", safetext.Line(strings.Join(nc, ", ")))
	}
}

// moreEvidence says how many evidence items a short format left out.
func moreEvidence(n int) string {
	if n == 1 {
		return "1 more evidence item"
	}
	return fmt.Sprintf("%d more evidence items", n)
}

// idWidth is the widest check ID, so columns line up.
func idWidth(outs []check.Outcome) int {
	w := 0
	for _, o := range outs {
		w = max(w, len(o.Meta.ID))
	}
	return w
}

// indentRest indents every line of s after the first.
func indentRest(s, indent string) string {
	return strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n"+indent)
}
