package report

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/safetext"
	"github.com/launchready/launchready/internal/score"
)

// Terminal writes the scorecard for a person at a terminal: the headline,
// the area table, each finding with its evidence and fix, what could not be
// verified, what passed and what launchready does not test; then the
// verdict again and "Fix first", so the last screen says what to do.
// No line is wider than termWidth display columns.
type Terminal struct {
	// Color adds ANSI colours; without it the output is plain text with no
	// escape sequences at all.
	Color bool
	// Verbose adds each evidence item's repro command (curl, git); the
	// HTML, JSON and Markdown reports always carry them.
	Verbose bool
}

var _ Reporter = Terminal{}

// Terminal limits keep one finding readable on a screen; the HTML and JSON
// reports carry everything.
const (
	termEvidence = 3
	// termDetailLines is how many wrapped lines of one evidence detail are
	// shown; whole lines of the detail are kept (the first always), so
	// prose is never cut mid-sentence.
	termDetailLines = 6
	termWidth       = 100
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
	p := &termPrinter{color: t.Color, verbose: t.Verbose, idWidth: idWidth(r.Outcomes), fixes: map[string]string{}, run: r}
	p.verdict(r)
	p.printf("%s\n", p.wrapLine(fmt.Sprintf("Target %s · scanned %s in %s · %s %s",
		safetext.Line(r.Target), startedText(r.Started), durationText(r.Duration), toolName, safetext.Line(r.ToolVersion)), ""))
	p.areas(r)
	p.findings(orderedFindings(r))
	p.fixed(r.Baseline)
	p.unverified(unverified(r.Outcomes))
	p.passed(withStatus(r.Outcomes, check.Pass))
	p.closing(r)
	p.printf("\n%s\n", strings.Repeat("─", termWidth))
	p.verdict(r)
	p.fixFirst(r)
	_, err := io.WriteString(w, p.b.String())
	return err
}

// termPrinter accumulates the scorecard so it is written in one call.
type termPrinter struct {
	b       strings.Builder
	color   bool
	verbose bool
	idWidth int
	run     *Run
	// fixes maps each fix paragraph already printed to the check it was
	// printed under, so a shared fix is printed once and referenced.
	fixes map[string]string
}

func (p *termPrinter) printf(format string, a ...any) { fmt.Fprintf(&p.b, format, a...) }

// paint wraps s in an SGR sequence when colour is on.
func (p *termPrinter) paint(code, s string) string {
	if !p.color || code == "" {
		return s
	}
	return code + s + ansiReset
}

// wrapLine wraps one line of text to the terminal width, continuation lines
// indented by indent, and joins them with newlines.
func (p *termPrinter) wrapLine(s, indent string) string {
	return strings.Join(wrap(s, termWidth, "", indent), "\n")
}

// block prints text (several lines) with every line wrapped: first is
// the prefix of the first line, indent that of the others and of the
// continuations.
func (p *termPrinter) block(first, indent, text string) {
	for i, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		prefix := indent
		if i == 0 {
			prefix = first
		}
		// A line already indented (an example under a fix) keeps its
		// indent, and its continuations go two further.
		lead := line[:len(line)-len(strings.TrimLeft(line, " "))]
		cont := indent
		if lead != "" {
			cont = indent + lead + "  "
		}
		for _, l := range wrap(strings.TrimLeft(line, " "), termWidth, prefix+lead, cont) {
			p.printf("%s\n", strings.TrimRight(l, " "))
		}
	}
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
	case score.AreaNotCovered, score.AreaNotRun, string(check.NA):
		return ansiDim
	}
	return ""
}

// verdict prints the headline, wrapped, the verdict word coloured.
func (p *termPrinter) verdict(r *Run) {
	verdict := string(r.Summary.Verdict)
	lines := wrap(safetext.Line(r.Headline()), termWidth, "", "  ")
	if rest, ok := strings.CutPrefix(lines[0], verdict); ok {
		lines[0] = p.paint(ansiBold+statusCode(verdict), verdict) + rest
	}
	p.printf("%s\n", strings.Join(lines, "\n"))
}

func (p *termPrinter) areas(r *Run) {
	p.printf("\nScorecard\n  %-32s %-14s %s\n", "AREA", "STATUS", "RESULT")
	for _, row := range r.Summary.Areas {
		count := areaCount(r, row)
		if row.Status == score.AreaNotCovered || row.Status == score.AreaNotRun {
			p.printf("%s\n", p.paint(ansiDim, fmt.Sprintf("  %-32s %-14s %s", safetext.Line(row.Area), row.Status, count)))
			continue
		}
		status := p.paint(statusCode(row.Status), fmt.Sprintf("%-14s", row.Status))
		p.printf("  %-32s %s %s\n", safetext.Line(row.Area), status, count)
	}
}

// areaCount says how an area's checks went: "3 of 11 failed", "2 passed".
func areaCount(r *Run, row score.AreaRow) string {
	switch row.Status {
	case score.AreaNotCovered:
		return "no check yet"
	case score.AreaNotRun:
		return "not run this time"
	}
	var failed, warned, passed, na int
	for _, o := range r.Outcomes {
		if o.Meta.Area != row.Area {
			continue
		}
		switch o.Result.Status {
		case check.Fail:
			failed++
		case check.Warn:
			warned++
		case check.Pass:
			passed++
		case check.NA:
			na++
		}
	}
	var parts []string
	if failed > 0 {
		parts = append(parts, fmt.Sprintf("%d of %d failed", failed, row.Checks))
	}
	if warned > 0 {
		parts = append(parts, fmt.Sprintf("%d warned", warned))
	}
	if left := row.Checks - failed - warned - passed - na; left > 0 {
		parts = append(parts, fmt.Sprintf("%d not verified", left))
	}
	if na > 0 {
		parts = append(parts, fmt.Sprintf("%d N/A", na))
	}
	if failed == 0 {
		parts = append([]string{fmt.Sprintf("%d of %d passed", passed, row.Checks)}, parts...)
	}
	return strings.Join(parts, ", ")
}

// label is a check status padded to one width and coloured.
func (p *termPrinter) label(st check.Status) string {
	return p.paint(statusCode(string(st)), fmt.Sprintf("%-5s", st))
}

func (p *termPrinter) checkLine(o check.Outcome) {
	head := fmt.Sprintf("%s  %-*s  %-7s  ", p.label(o.Result.Status), p.idWidth, safetext.Line(o.Meta.ID), o.Meta.Severity)
	title := safetext.Line(o.Meta.Title)
	if c := p.run.ChangeOf(o.Meta.ID); c != "" {
		title += " [" + string(c) + "]"
	}
	// The head's printed width, colour codes aside.
	indent := strings.Repeat(" ", 5+2+p.idWidth+2+7+2)
	lines := wrap(title, termWidth, indent, indent)
	lines[0] = head + strings.TrimPrefix(lines[0], indent)
	p.printf("%s\n", strings.Join(lines, "\n"))
}

// orderedFindings lists the FAIL and WARN outcomes: the verdict's failures
// in "Fix first" order, then the other failures and the warnings, the most
// severe first.
func orderedFindings(r *Run) []check.Outcome {
	first := fixFirst(r)
	out := append([]check.Outcome(nil), first...)
	for _, o := range findings(r.Outcomes) {
		if o.Result.Status == check.Fail && o.Meta.Severity >= r.Summary.FailOn {
			continue
		}
		out = append(out, o)
	}
	return out
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
		p.block("  ", "  ", safetext.Line(o.Result.Summary))
		for i, e := range o.Result.Evidence {
			if i == termEvidence {
				p.printf("  (%s in the HTML and JSON reports)\n", moreEvidence(len(o.Result.Evidence)-i))
				break
			}
			p.evidence(e)
		}
		p.fix(o)
	}
}

// fix prints a finding's fix path, each paragraph only the first time: a
// paragraph another finding printed already is referenced by its ID.
func (p *termPrinter) fix(o check.Outcome) {
	if o.Meta.Fix == "" {
		return
	}
	paras := strings.Split(strings.TrimRight(safetext.Lines(o.Meta.Fix), "\n"), "\n\n")
	var same []string
	printed := false
	for _, para := range paras {
		if id, ok := p.fixes[para]; ok {
			if !slices.Contains(same, id) {
				same = append(same, id)
			}
			continue
		}
		p.fixes[para] = o.Meta.ID
		if !printed {
			p.block("  Fix: ", "    ", para)
			printed = true
			continue
		}
		p.block("    ", "    ", para)
	}
	if len(same) == 0 {
		return
	}
	ref := "as printed under " + strings.Join(same, ", ") + " above"
	if !printed {
		p.block("  Fix: ", "    ", "the same as "+strings.Join(same, ", ")+" (printed above).")
		return
	}
	p.block("    ", "    ", "Then the shared steps "+ref+".")
}

func (p *termPrinter) evidence(e check.Evidence) {
	p.block("  Evidence: ", "    ", safetext.Line(evidenceHead(e)))
	if e.Detail != "" {
		lines, dropped := detailLines(safetext.Lines(e.Detail), termDetailLines)
		for _, l := range lines {
			p.printf("%s\n", strings.TrimRight(l, " \t"))
		}
		if dropped > 0 {
			p.printf("    (%d more %s in the HTML and JSON reports)\n", dropped, plural(dropped, "line", "lines"))
		}
	}
	if e.Repro != "" && p.verbose {
		p.printf("    repro:\n")
		for _, l := range shellLines(safetext.Line(e.Repro), termWidth, "      ", "        ") {
			p.printf("%s\n", l)
		}
	}
}

// detailLines wraps an evidence detail for the terminal, indented by four,
// keeping whole lines of it (the first always, however long) while the
// wrapped total stays within max; dropped counts the detail's lines left
// out.
func detailLines(detail string, max int) (lines []string, dropped int) {
	src := strings.Split(strings.TrimRight(detail, "\n"), "\n")
	for i, l := range src {
		lead := l[:len(l)-len(strings.TrimLeft(l, " "))]
		w := wrap(strings.TrimLeft(l, " "), termWidth, "    "+lead, "      "+lead)
		if i > 0 && len(lines)+len(w) > max {
			return lines, len(src) - i
		}
		lines = append(lines, w...)
	}
	return lines, 0
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

// fixed lists the baseline's findings this run found fixed.
func (p *termPrinter) fixed(b *Baseline) {
	if b == nil || len(b.Fixed)+len(b.NotRechecked) == 0 {
		return
	}
	if len(b.Fixed) > 0 {
		p.printf("\nFixed since the baseline of %s\n", startedText(b.Started))
		for _, f := range b.Fixed {
			text := safetext.Line(f.Title)
			if f.Partly {
				text += fmt.Sprintf(" (%d of its findings gone; others remain above)", f.Identities)
			}
			p.block(fmt.Sprintf("%s  %-*s  %-7s  ", p.paint(ansiGreen, "FIXED"), p.idWidth, safetext.Line(f.ID), f.Severity),
				strings.Repeat(" ", 7+p.idWidth+2+7+2), text)
		}
	}
	if len(b.NotRechecked) > 0 {
		p.block("\nNot re-checked since the baseline (did not run or could not verify): ", "  ",
			strings.Join(b.NotRechecked, ", "))
	}
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
		p.block("       ", "       ", safetext.Line(reason))
		if o.Result.Status == check.Skip && o.Result.Enable != "" {
			p.block("       to enable: ", "         ", safetext.Line(o.Result.Enable))
		}
	}
}

func (p *termPrinter) passed(ps []check.Outcome) {
	if len(ps) == 0 {
		return
	}
	p.printf("\nPassed\n")
	indent := strings.Repeat(" ", 5+2+p.idWidth+2)
	for _, o := range ps {
		lines := wrap(safetext.Line(o.Result.Summary), termWidth, indent, indent)
		lines[0] = fmt.Sprintf("%s  %-*s  ", p.label(check.Pass), p.idWidth, safetext.Line(o.Meta.ID)) + strings.TrimPrefix(lines[0], indent)
		p.printf("%s\n", strings.Join(lines, "\n"))
	}
}

func (p *termPrinter) closing(r *Run) {
	if len(r.OutOfScope) > 0 {
		p.printf("\nRefused as out of scope (never contacted):\n")
		for _, u := range r.OutOfScope {
			p.block("  - ", "    ", safetext.Line(u))
		}
	}
	if len(r.NoConsent) > 0 {
		p.printf("\nRefused without consent (never sent; the host is not proven):\n")
		for _, u := range r.NoConsent {
			p.block("  - ", "    ", safetext.Line(u))
		}
	}
	if w := r.WrongPasswords; w != nil {
		p.block("\nWrong-password attempts (one budget): ", "  ", safetext.Line(w.Text()))
	}
	p.printf("\nNot tested by launchready:\n")
	for _, n := range r.NotTested {
		p.block("  - ", "    ", safetext.Line(n))
	}
	if nc := notCovered(r.Summary.Areas); len(nc) > 0 {
		p.block("  - ", "    ", "areas no check covers yet (NOT COVERED): "+safetext.Line(strings.Join(nc, ", ")))
	}
}

// fixFirst closes the scorecard with the verdict's failures in the order
// to fix them, each with one line of why and the commands to re-check.
func (p *termPrinter) fixFirst(r *Run) {
	ff := fixFirst(r)
	if len(ff) == 0 {
		return
	}
	what := plural(len(ff), "blocker", "blockers")
	if r.Summary.FailOn != check.Blocker {
		what = plural(len(ff), "failure", "failures") + " at or above " + r.Summary.FailOn.String()
	}
	p.printf("\nFix first (%d %s, most urgent first)\n", len(ff), what)
	num := len(fmt.Sprint(len(ff)))
	indent := strings.Repeat(" ", num+4)
	for i, o := range ff {
		title := safetext.Line(o.Meta.Title)
		if c := p.run.ChangeOf(o.Meta.ID); c != "" {
			title += " [" + string(c) + "]"
		}
		p.block(fmt.Sprintf("%*d. %s  ", num+1, i+1, p.paint(ansiBold, safetext.Line(o.Meta.ID))), indent, title)
		if why := firstSentence(strings.ReplaceAll(o.Meta.Why, "\n", " ")); why != "" {
			// One line: `explain` prints the whole of it.
			p.printf("%s\n", Fit(indent+"why: "+safetext.Line(why), termWidth))
		}
		p.block(indent+"re-check: ", indent+"  ", rerunCommand(r, o.Meta.ID)+" · explain: launchready explain "+o.Meta.ID)
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
