package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/safetext"
)

// Markdown writes a summary for a pull-request comment or a handover
// document: the headline, the area table, each finding with its evidence
// and fix, what could not be verified, and what launchready does not test.
// Text from the target is escaped so it renders as text, never as markup.
type Markdown struct{}

var _ Reporter = Markdown{}

// mdEvidence bounds the evidence items shown per finding: a PR comment is
// read, not searched; the JSON and HTML reports carry all of them.
const mdEvidence = 3

// Write renders the document.
func (Markdown) Write(w io.Writer, r *Run) error {
	if r == nil {
		return errNilRun
	}
	var b strings.Builder
	fmt.Fprintf(&b, "## launchready: %s\n\n%s\n\n", r.Summary.Verdict, mdPara(r.Headline()))
	fmt.Fprintf(&b, "Target %s, scanned %s in %s by %s %s.\n",
		mdCode(r.Target), startedText(r.Started), durationText(r.Duration), toolName, mdText(r.ToolVersion))
	mdAreas(&b, r)
	mdFindings(&b, findings(r.Outcomes))
	mdUnverified(&b, unverified(r.Outcomes))
	if ps := withStatus(r.Outcomes, check.Pass); len(ps) > 0 {
		ids := make([]string, len(ps))
		for i, o := range ps {
			ids[i] = mdText(o.Meta.ID)
		}
		fmt.Fprintf(&b, "\n### Passed\n\n%d checks: %s\n", len(ps), strings.Join(ids, ", "))
	}
	mdNotTested(&b, r)
	_, err := io.WriteString(w, b.String())
	return err
}

func mdAreas(b *strings.Builder, r *Run) {
	b.WriteString("\n### Scorecard\n\n| Area | Status | Checks |\n|---|---|---:|\n")
	for _, row := range r.Summary.Areas {
		fmt.Fprintf(b, "| %s | %s | %d |\n", mdText(row.Area), mdText(row.Status), row.Checks)
	}
}

func mdFindings(b *strings.Builder, fs []check.Outcome) {
	b.WriteString("\n### Findings\n")
	if len(fs) == 0 {
		b.WriteString("\nNo check failed or warned.\n")
		return
	}
	for _, o := range fs {
		fmt.Fprintf(b, "\n#### %s %s: %s (%s)\n\n%s\n", o.Result.Status, mdText(o.Meta.ID),
			mdText(o.Meta.Title), o.Meta.Severity, mdPara(o.Result.Summary))
		for i, e := range o.Result.Evidence {
			if i == mdEvidence {
				fmt.Fprintf(b, "\n%s in the HTML and JSON reports.\n", moreEvidence(len(o.Result.Evidence)-i))
				break
			}
			fmt.Fprintf(b, "\nEvidence: %s\n", mdCode(evidenceHead(e)))
			if e.Detail != "" {
				b.WriteString("\n" + mdFence(e.Detail))
			}
			if e.Repro != "" {
				b.WriteString("\nReproduce:\n\n" + mdFence(e.Repro))
			}
		}
		if o.Meta.Fix != "" {
			b.WriteString("\n**Fix:**\n\n" + mdFence(o.Meta.Fix))
		}
	}
}

func mdUnverified(b *strings.Builder, us []check.Outcome) {
	if len(us) == 0 {
		return
	}
	b.WriteString("\n### Not verified or not applicable\n\n")
	for _, o := range us {
		reason := o.Result.Reason
		if reason == "" {
			reason = o.Result.Summary
		}
		fmt.Fprintf(b, "- %s %s: %s (%s): %s", o.Result.Status, mdText(o.Meta.ID), mdText(o.Meta.Title),
			o.Meta.Severity, mdText(reason))
		if o.Result.Status == check.Skip && o.Result.Enable != "" {
			fmt.Fprintf(b, "; to enable: %s", mdCode(o.Result.Enable))
		}
		b.WriteString("\n")
	}
}

func mdNotTested(b *strings.Builder, r *Run) {
	if len(r.OutOfScope) > 0 {
		b.WriteString("\n### Refused as out of scope (never contacted)\n\n")
		for _, u := range r.OutOfScope {
			fmt.Fprintf(b, "- %s\n", mdCode(u))
		}
	}
	if len(r.NoConsent) > 0 {
		b.WriteString("\n### Refused without consent (never sent; the host is not proven)\n\n")
		for _, u := range r.NoConsent {
			fmt.Fprintf(b, "- %s\n", mdCode(u))
		}
	}
	if w := r.WrongPasswords; w != nil {
		fmt.Fprintf(b, "\n### Wrong-password attempts (one budget)\n\n%s\n", mdText(w.Text()))
	}
	b.WriteString("\n### Not tested by launchready\n\n")
	for _, n := range r.NotTested {
		fmt.Fprintf(b, "- %s\n", mdText(n))
	}
	if nc := notCovered(r.Summary.Areas); len(nc) > 0 {
		fmt.Fprintf(b, "- areas no check covered in this run (NOT COVERED): %s\n", mdText(strings.Join(nc, ", ")))
	}
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
