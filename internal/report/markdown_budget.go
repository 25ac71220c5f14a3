package report

import (
	"fmt"
	"strings"
)

// This file keeps the Markdown report within what a pull-request comment
// can hold. GitHub refuses a comment body over 65,536 characters; the
// report stays under mdBudget, counted in UTF-16 code units (what a
// JavaScript string length counts, never fewer than runes: an emoji is
// two), so neither way of counting reaches the limit.

const (
	// mdCommentLimit is GitHub's limit on a comment body, in characters.
	mdCommentLimit = 65536
	// mdBudget is the most the report writes: the limit less a margin for
	// whatever a bot wraps around the comment.
	mdBudget = 60000
)

// mdSection is one part of the report: a heading written before its
// first item, and items written whole or not at all, in order. Findings
// marks the section whose left-out items the closing pointer counts. A
// section with a limit stops there, says with more(n) how many items it
// left out, and leaves the rest of the budget to the sections after it.
type mdSection struct {
	head     string
	items    []string
	findings bool
	limit    int
	more     func(n int) string
}

// mdDoc writes sections until the budget is spent. Once an item does not
// fit, nothing after it is written either, so what is shown is a prefix
// of the full report and the pointer at the end can say what is left.
type mdDoc struct {
	b strings.Builder
	// used and reserved count UTF-16 code units; reserved is kept for the
	// closing sections and the pointer.
	used, reserved  int
	cut             bool
	omittedFindings int
}

// mdUnits is the length of s in UTF-16 code units.
func mdUnits(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r > 0xFFFF {
			n++
		}
	}
	return n
}

// must writes s whatever the budget: the verdict, the closing sections and
// the pointer, all short and bounded.
func (d *mdDoc) must(s string) {
	d.b.WriteString(s)
	d.used += mdUnits(s)
}

// fits says whether n more units fit beside what is reserved.
func (d *mdDoc) fits(n int) bool { return !d.cut && d.used+n+d.reserved <= mdBudget }

// section writes as many items of s as fit, its heading with the first.
// An item past the budget cuts the report there; one past the section's
// own limit ends only the section.
func (d *mdDoc) section(s mdSection) {
	start := d.used
	for i, item := range s.items {
		if i == 0 {
			item = s.head + item
		}
		n := mdUnits(item)
		if s.limit > 0 && i > 0 && d.used-start+n > s.limit {
			if more := s.more(len(s.items) - i); d.fits(mdUnits(more)) {
				d.must(more)
				return
			}
		}
		if !d.fits(n) {
			d.cut = true
			if s.findings {
				d.omittedFindings += len(s.items) - i
			}
			return
		}
		d.must(item)
	}
}

// mdPointer closes a shortened report: how many findings are left out (or
// that the rest is) and where the full report is. An unshortened report
// links the full report when there is one.
func mdPointer(r *Run, d *mdDoc) string {
	where := "see the HTML/JSON report (`--out report.html`, `--out report.json`)"
	if r.ReportURL != "" {
		where = "[full report](" + mdURL(r.ReportURL) + ")"
	}
	if !d.cut {
		if r.ReportURL == "" {
			return ""
		}
		return "\n---\n\nFull report: " + where + "\n"
	}
	what := "The rest of this report is"
	if n := d.omittedFindings; n > 0 {
		what = fmt.Sprintf("… %d more %s", n, plural(n, "finding", "findings"))
	}
	return fmt.Sprintf("\n---\n\n**%s in the full report:** %s\n", what, where)
}

// mdURL is a link destination that holds any URL: in angle brackets, so
// spaces and parentheses stay in it, with the brackets and control
// characters that would end it percent-encoded.
func mdURL(u string) string {
	var b strings.Builder
	b.WriteByte('<')
	for _, c := range []byte(u) {
		if c == '<' || c == '>' || c == '\\' || c < 0x20 || c == 0x7f {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	b.WriteByte('>')
	return b.String()
}
