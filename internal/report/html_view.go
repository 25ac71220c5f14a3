package report

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file holds the HTML report's text helpers: anchors, check IDs made
// links, the first sentence of a text, and Meta.Fix split into what is
// prose and what is code.

// htmlSpan is a run of text; with Anchor set it is a link to that element
// of the page, with Code it is shown in monospace.
type htmlSpan struct {
	Text, Anchor string
	Code         bool
}

// checkAnchor is the element id of a check's card (or Passed row). IDs
// read back from JSON are not ours to trust, so anything beyond letters,
// digits, '-' and '_' becomes '_': the id and every link to it agree, and
// neither needs escaping.
func checkAnchor(id string) string { return "check-" + anchorSafe(id) }

func anchorSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_') {
			return r
		}
		return '_'
	}, s)
}

// idPattern matches what looks like a check ID; only IDs of checks on the
// page become links (CWE-614 looks the same and stays text).
var idPattern = regexp.MustCompile(`\b[A-Z][A-Z0-9]*-[0-9]{3,4}\b`)

// linkIDs splits s into spans, each check ID in onPage a link to its card.
func linkIDs(s string, onPage map[string]bool) []htmlSpan {
	var spans []htmlSpan
	at := 0
	for _, m := range idPattern.FindAllStringIndex(s, -1) {
		id := s[m[0]:m[1]]
		if !onPage[id] {
			continue
		}
		if m[0] > at {
			spans = append(spans, htmlSpan{Text: s[at:m[0]]})
		}
		spans = append(spans, htmlSpan{Text: id, Anchor: checkAnchor(id)})
		at = m[1]
	}
	if at < len(s) {
		spans = append(spans, htmlSpan{Text: s[at:]})
	}
	return spans
}

// abbreviations end in a full stop that does not end a sentence.
var abbreviations = []string{"e.g", "i.e", "etc", "vs", "cf"}

// firstSentence is s up to its first full stop, question or exclamation
// mark that is followed by a space and a word that does not start lower
// case (so "e.g. a cookie" and "5.0" do not end it); all of s when none.
func firstSentence(s string) string {
	s = strings.TrimSpace(s)
	for i, r := range s {
		if r != '.' && r != '!' && r != '?' {
			continue
		}
		rest := s[i+1:]
		if rest != "" && !unicode.IsSpace(rune(rest[0])) {
			continue
		}
		next, _ := utf8.DecodeRuneInString(strings.TrimLeft(rest, " \t\n"))
		if unicode.IsLower(next) || (r == '.' && endsWithAbbreviation(s[:i])) {
			continue
		}
		return s[:i+1]
	}
	return s
}

func endsWithAbbreviation(s string) bool {
	lower := strings.ToLower(s)
	for _, a := range abbreviations {
		if strings.HasSuffix(lower, a) && (len(s) == len(a) || !unicode.IsLetter(rune(s[len(s)-len(a)-1]))) {
			return true
		}
	}
	return false
}

// htmlFixBlock is a run of a fix paragraph: prose lines, or indented lines
// (commands, config) kept as code.
type htmlFixBlock struct {
	Code  bool
	Text  string
	Spans []htmlSpan
}

// fixBlocks splits a fix paragraph into prose and code: Meta.Fix indents
// the lines that are meant to be copied ("  nginx: add_header …"). In
// prose, `backticks` mark inline code.
func fixBlocks(para string) []htmlFixBlock {
	var blocks []htmlFixBlock
	for _, line := range strings.Split(para, "\n") {
		code := strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t")
		if code {
			line = strings.TrimPrefix(strings.TrimPrefix(line, "  "), "\t")
		}
		if n := len(blocks); n > 0 && blocks[n-1].Code == code {
			blocks[n-1].Text += "\n" + line
			continue
		}
		blocks = append(blocks, htmlFixBlock{Code: code, Text: line})
	}
	for i := range blocks {
		if !blocks[i].Code {
			blocks[i].Spans = backtickSpans(blocks[i].Text)
		}
	}
	return blocks
}

// backtickSpans marks `quoted` runs as code; an odd count of backticks is
// not markup, so then the text stays one span.
func backtickSpans(s string) []htmlSpan {
	parts := strings.Split(s, "`")
	if len(parts)%2 == 0 {
		return []htmlSpan{{Text: s}}
	}
	var spans []htmlSpan
	for i, p := range parts {
		if p != "" {
			spans = append(spans, htmlSpan{Text: p, Code: i%2 == 1})
		}
	}
	return spans
}

// htmlFixPara is one paragraph of a finding's fix: shown in full (Blocks)
// the first time the report prints it, else a link to the finding that
// showed it (SameID), with the paragraph's start as Excerpt when only
// part of the fix is shared.
type htmlFixPara struct {
	Blocks             []htmlFixBlock
	SameID, SameAnchor string
	Excerpt            string
}

// fixSharer prints each fix text in full once: several checks share one
// fix (the authorization reads, the secret rotations), and a report that
// repeats it ten times hides what differs.
type fixSharer struct {
	whole, para map[string]string
}

func newFixSharer() *fixSharer {
	return &fixSharer{whole: map[string]string{}, para: map[string]string{}}
}

// paras returns the check's fix, in full or as references to the check
// that first showed each part, and remembers what it showed.
func (s *fixSharer) paras(id, fix string) []htmlFixPara {
	fix = strings.TrimSpace(htmlClean(fix))
	if fix == "" {
		return nil
	}
	if first, ok := s.whole[fix]; ok {
		return []htmlFixPara{{SameID: first, SameAnchor: checkAnchor(first)}}
	}
	s.whole[fix] = id
	var out []htmlFixPara
	for _, p := range strings.Split(fix, "\n\n") {
		key := strings.TrimSpace(p)
		if key == "" {
			continue
		}
		if first, ok := s.para[key]; ok && first != id {
			out = append(out, htmlFixPara{SameID: first, SameAnchor: checkAnchor(first), Excerpt: excerpt(key, 60)})
			continue
		}
		s.para[key] = id
		out = append(out, htmlFixPara{Blocks: fixBlocks(strings.Trim(p, "\n"))})
	}
	return out
}

// excerpt is the first line of s cut at max runes.
func excerpt(s string, max int) string {
	s, _, cut := strings.Cut(s, "\n")
	if utf8.RuneCountInString(s) > max {
		return string([]rune(s)[:max]) + "…"
	}
	if cut {
		return s + " …"
	}
	return s
}
