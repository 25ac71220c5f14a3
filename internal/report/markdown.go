package report

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/safetext"
)

// Markdown writes a summary sized for a pull-request comment: the verdict
// and headline, the blockers to fix first with the command that re-checks
// each, the area table, each finding with its evidence, repro and fix in a
// collapsed block, what changed since a baseline, what could not be
// verified, and what launchready does not test. Past GitHub's comment
// limit it stops at a whole section item and ends with a pointer to the
// full report (markdown_budget.go). Text from the target is escaped so it
// renders as text, never as markup.
type Markdown struct{}

var _ Reporter = Markdown{}

const (
	// mdEvidence bounds the evidence items shown per finding: a PR comment
	// is read, not searched; the JSON and HTML reports carry all of them.
	mdEvidence = 3
	// mdDetailLines and mdDetailWidth bound an evidence detail (a response
	// excerpt can be a whole page); mdReproWidth leaves a curl command
	// whole unless it carries a large body.
	mdDetailLines, mdDetailWidth = 20, 200
	mdReproLines, mdReproWidth   = 10, 1000
)

// Write renders the document.
func (Markdown) Write(w io.Writer, r *Run) error {
	if r == nil {
		return errNilRun
	}
	var d mdDoc
	tail := mdNotTested(r)
	// The closing sections and the pointer always fit: keep room for them.
	d.reserved = mdUnits(tail) + mdUnits(mdPointer(r, &mdDoc{cut: true, omittedFindings: len(r.Outcomes)}))
	d.must(mdHead(r))
	for _, s := range mdSections(r) {
		d.section(s)
	}
	d.reserved = 0
	d.must(tail)
	d.must(mdPointer(r, &d))
	_, err := io.WriteString(w, d.b.String())
	return err
}

// mdHead is the verdict, the headline (with what changed since the
// baseline) and what was scanned.
func mdHead(r *Run) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## launchready: %s\n\n%s\n\n", r.Summary.Verdict, mdPara(r.Headline()))
	fmt.Fprintf(&b, "Target %s, scanned %s in %s by %s %s.\n",
		mdCode(r.Target), startedText(r.Started), durationText(r.Duration), toolName, mdText(r.ToolVersion))
	if r.Summary.Partial() {
		n := len(r.Summary.Only)
		fmt.Fprintf(&b, "\n**partial: %d %s** (%s); the verdict covers only these.\n",
			n, plural(n, "check", "checks"), mdCode("--only "+strings.Join(r.Summary.Only, ",")))
	}
	return b.String()
}

// mdSections are the report's parts in reading order.
func mdSections(r *Run) []mdSection {
	// What a change fixed is read before what is still wrong: the fixed
	// list is short and is what a pull request's reviewer looks for.
	secs := []mdSection{mdFixFirst(r), mdAreas(r), mdBaseline(r), mdFindings(r, findings(r.Outcomes)),
		mdUnverified(unverified(r.Outcomes))}
	if ps := withStatus(r.Outcomes, check.Pass); len(ps) > 0 {
		ids := make([]string, len(ps))
		for i, o := range ps {
			ids[i] = mdText(o.Meta.ID)
		}
		secs = append(secs, mdSection{head: "\n### Passed\n\n", items: []string{fmt.Sprintf("%d checks: %s\n", len(ps), strings.Join(ids, ", "))}})
	}
	return append(secs, mdRefused(r)...)
}

// mdFixFirst lists the failures that decide the verdict, most urgent
// first, each with why it matters and the command that re-checks it.
func mdFixFirst(r *Run) mdSection {
	// A long list takes at most a quarter of the comment, leaving room for
	// the findings, which include the rest.
	s := mdSection{head: "\n### Fix first\n\n", limit: mdBudget / 4, more: func(n int) string {
		return fmt.Sprintf("\n… and %d more %s, each among the findings.\n", n, plural(n, "blocker", "blockers"))
	}}
	for i, o := range fixFirst(r) {
		item := fmt.Sprintf("%d. **%s** %s (%s)%s", i+1, mdText(o.Meta.ID), mdText(o.Meta.Title), o.Meta.Severity, mdBadge(r, o.Meta.ID))
		if why := firstSentence(safetext.Line(strings.ReplaceAll(o.Meta.Why, "\n", " "))); why != "" {
			item += ": " + mdText(why)
		}
		s.items = append(s.items, item+"\n   - re-check: "+mdCode(rerunCommand(r, o.Meta.ID))+"\n")
	}
	return s
}

// mdAreas is the scorecard: each area's status and how many of the checks
// that ran in it failed.
func mdAreas(r *Run) mdSection {
	s := mdSection{head: "\n### Scorecard\n\n| Area | Status | Checks |\n|---|---|---|\n"}
	for _, row := range r.Summary.Areas {
		checks := "none ran"
		if row.Checks > 0 {
			failed := 0
			for _, o := range r.Outcomes {
				if o.Meta.Area == row.Area && o.Result.Status == check.Fail {
					failed++
				}
			}
			checks = fmt.Sprintf("%d of %d failed", failed, row.Checks)
		}
		s.items = append(s.items, fmt.Sprintf("| %s | %s | %s |\n", mdText(row.Area), mdText(row.Status), checks))
	}
	return s
}

// mdBadge marks a finding new or unchanged since the baseline; empty
// without one.
func mdBadge(r *Run, id string) string {
	ch := r.ChangeOf(id)
	if ch == "" {
		return ""
	}
	c := r.Baseline.Changes[id]
	switch {
	case ch == ChangeUnchanged:
		return " · unchanged"
	case c.Total > 1 && c.New < c.Total:
		return fmt.Sprintf(" · 🆕 new (%d of %d new)", c.New, c.Total)
	}
	return " · 🆕 new"
}

func mdFindings(r *Run, fs []check.Outcome) mdSection {
	s := mdSection{head: "\n### Findings\n", findings: true}
	if len(fs) == 0 {
		return mdSection{head: s.head, items: []string{"\nNo check failed or warned.\n"}}
	}
	for _, o := range fs {
		s.items = append(s.items, mdFinding(r, o))
	}
	return s
}

// mdFinding is one finding: its heading and summary in view, its evidence,
// repros and fix in a collapsed block. The block's summary line is our own
// text; everything from the target inside it is escaped or fenced, so it
// cannot close the block.
func mdFinding(r *Run, o check.Outcome) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n#### %s %s: %s (%s)%s\n\n%s\n", o.Result.Status, mdText(o.Meta.ID),
		mdText(o.Meta.Title), o.Meta.Severity, mdBadge(r, o.Meta.ID), mdPara(o.Result.Summary))
	evs := o.Result.Evidence
	if len(evs) == 0 && o.Meta.Fix == "" {
		return b.String()
	}
	fmt.Fprintf(&b, "\n<details>\n<summary>%s</summary>\n", mdFindingLabel(o))
	for i, e := range evs {
		if i == mdEvidence {
			fmt.Fprintf(&b, "\n%s in the HTML and JSON reports.\n", moreEvidence(len(evs)-i))
			break
		}
		fmt.Fprintf(&b, "\nEvidence: %s\n", mdCode(evidenceHead(e)))
		if e.Detail != "" {
			b.WriteString("\n" + mdFence(strings.Join(truncateLines(e.Detail, mdDetailLines, mdDetailWidth), "\n")))
		}
		if e.Repro != "" {
			b.WriteString("\nReproduce:\n\n" + mdFence(strings.Join(truncateLines(e.Repro, mdReproLines, mdReproWidth), "\n")))
		}
	}
	if o.Meta.Fix != "" {
		b.WriteString("\n**Fix:**\n\n" + mdFence(o.Meta.Fix))
	}
	b.WriteString("\n</details>\n")
	return b.String()
}

// mdFindingLabel names what a finding's collapsed block holds
// ("Evidence (4), reproduction and fix"): our words and counts only.
func mdFindingLabel(o check.Outcome) string {
	var parts []string
	if n := len(o.Result.Evidence); n > 0 {
		parts = append(parts, fmt.Sprintf("evidence (%d)", n))
		if slices.ContainsFunc(o.Result.Evidence, func(e check.Evidence) bool { return e.Repro != "" }) {
			parts = append(parts, "reproduction")
		}
	}
	if o.Meta.Fix != "" {
		parts = append(parts, "fix")
	}
	label := strings.Join(parts, ", ")
	if i := strings.LastIndex(label, ", "); i >= 0 {
		label = label[:i] + " and " + label[i+2:]
	}
	return strings.ToUpper(label[:1]) + label[1:]
}

// mdBaseline lists the baseline's findings this run found fixed and those
// it did not re-check; nothing without a baseline.
func mdBaseline(r *Run) mdSection {
	b := r.Baseline
	if b == nil {
		return mdSection{}
	}
	s := mdSection{head: fmt.Sprintf("\n### Fixed since the baseline of %s\n\n", startedText(b.Started)),
		limit: mdBudget / 8, more: func(n int) string { return fmt.Sprintf("- … and %d more in the full report\n", n) }}
	for _, f := range b.Fixed {
		item := fmt.Sprintf("- ✅ %s: %s (%s)", mdText(f.ID), mdText(f.Title), f.Severity)
		if f.Partly {
			item += fmt.Sprintf(", %d of its findings; the check still reports others", f.Identities)
		}
		s.items = append(s.items, item+"\n")
	}
	if len(b.Fixed) == 0 {
		s.items = append(s.items, "Nothing.\n")
	}
	if len(b.NotRechecked) > 0 {
		ids := make([]string, len(b.NotRechecked))
		for i, id := range b.NotRechecked {
			ids[i] = mdText(id)
		}
		s.items = append(s.items, fmt.Sprintf("\nNot re-checked by this run (not run, SKIP or ERROR), so neither fixed nor still there: %s\n", strings.Join(ids, ", ")))
	}
	return s
}

func mdUnverified(us []check.Outcome) mdSection {
	s := mdSection{head: "\n### Not verified or not applicable\n\n"}
	for _, o := range us {
		reason := o.Result.Reason
		if reason == "" {
			reason = o.Result.Summary
		}
		item := fmt.Sprintf("- %s %s: %s (%s): %s", o.Result.Status, mdText(o.Meta.ID), mdText(o.Meta.Title),
			o.Meta.Severity, mdText(reason))
		if o.Result.Status == check.Skip && o.Result.Enable != "" {
			item += "; to enable: " + mdCode(o.Result.Enable)
		}
		s.items = append(s.items, item+"\n")
	}
	return s
}

// mdRefused lists what the scan refused to send and its wrong-password
// budget.
func mdRefused(r *Run) []mdSection {
	scope := mdSection{head: "\n### Refused as out of scope (never contacted)\n\n"}
	for _, u := range r.OutOfScope {
		scope.items = append(scope.items, "- "+mdCode(u)+"\n")
	}
	consent := mdSection{head: "\n### Refused without consent (never sent; the host is not proven)\n\n"}
	for _, u := range r.NoConsent {
		consent.items = append(consent.items, "- "+mdCode(u)+"\n")
	}
	secs := []mdSection{scope, consent}
	if w := r.WrongPasswords; w != nil {
		secs = append(secs, mdSection{head: "\n### Wrong-password attempts (one budget)\n\n", items: []string{mdText(w.Text()) + "\n"}})
	}
	return secs
}

// mdNotTested closes every report, shortened or not, so a GO is never read
// as more than it is.
func mdNotTested(r *Run) string {
	var b strings.Builder
	b.WriteString("\n### Not tested by launchready\n\n")
	for _, n := range r.NotTested {
		fmt.Fprintf(&b, "- %s\n", mdText(n))
	}
	if nc := notCovered(r.Summary.Areas); len(nc) > 0 {
		fmt.Fprintf(&b, "- areas no check covered in this run (NOT COVERED): %s\n", mdText(strings.Join(nc, ", ")))
	}
	return b.String()
}

// mdSpecial are the characters that could start markup inside a line.
const mdSpecial = "\\`*_[]<>|~"

// mdText makes one line of untrusted text render literally: newlines become
// spaces, control characters become visible, markup characters are
// backslash-escaped (CommonMark allows that for any ASCII punctuation), and
// so is an "&" that would start a character reference.
func mdText(s string) string {
	s = safetext.Line(s)
	var b strings.Builder
	for i, r := range s {
		if strings.ContainsRune(mdSpecial, r) || (r == '&' && entityAt(s[i+1:])) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// entityAt says whether s (what follows an "&") reads as the rest of a
// character reference such as "lt;" or "#60;".
func entityAt(s string) bool {
	name, _, ok := strings.Cut(s, ";")
	name = strings.TrimPrefix(name, "#")
	if !ok || name == "" || len(name) > 32 {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// mdPara is mdText for text that starts a line, where "#", "- ", "+ ",
// "= " or "1. " would otherwise open a heading or a list.
func mdPara(s string) string {
	t := mdText(strings.TrimSpace(s))
	if t != "" && strings.ContainsRune("#-+=", rune(t[0])) {
		return "\\" + t
	}
	digits := len(t) - len(strings.TrimLeft(t, "0123456789"))
	if digits > 0 && digits < len(t) && (t[digits] == '.' || t[digits] == ')') {
		return t[:digits] + "\\" + t[digits:]
	}
	return t
}

// mdCode is an inline code span that holds any text: the fence is one
// backtick longer than the longest backtick run inside, and spaces pad the
// content only when it starts or ends with a backtick, so that stays content.
func mdCode(s string) string {
	s = safetext.Line(s)
	if s == "" {
		return ""
	}
	fence := strings.Repeat("`", longestRun(s, '`')+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}

// mdFence is a fenced code block that holds any text, by the same rule:
// the fence is longer than any backtick run inside (and at least three).
func mdFence(s string) string {
	s = strings.TrimRight(safetext.Lines(s), "\n")
	fence := strings.Repeat("`", max(3, longestRun(s, '`')+1))
	return fence + "text\n" + s + "\n" + fence + "\n"
}

// longestRun is the length of the longest run of c in s.
func longestRun(s string, c rune) int {
	longest, run := 0, 0
	for _, r := range s {
		if r == c {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return longest
}
