package inbox

import (
	"regexp"
	"slices"
	"sort"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/launchready/launchready/internal/safetext"
)

// codeWords are the words a one-time code is written next to.
var codeWords = []string{"code", "otp", "passcode", "one-time", "one time", "verification", "verify", "pin", "token"}

// Code limits: a candidate closer than codeNear bytes after a code word
// (or codeAfter bytes before one) counts as named by it.
const (
	codeNear  = 80
	codeAfter = 40
	minCode   = 6
	maxCode   = 8
	// codeScan caps the text searched: a code mail is a few kilobytes.
	codeScan = 256 << 10
)

// Code finds the one-time code in m, in its text part and then in the text
// of its HTML part. With re (one capturing group), the first match's group
// is the code. Without it, the code is a run of 6 to 8 digits that is not
// part of a date, a time, a phone number or a longer number, preferring the
// run closest after a word like code, OTP or verification; with no such
// word nearby, a lone candidate is taken and several distinct ones are
// ambiguous (ok false).
func Code(m *Message, re *regexp.Regexp) (string, bool) {
	if m == nil {
		return "", false
	}
	texts := []string{capText(m.Text), capText(HTMLText(m.HTML))}
	if re != nil {
		for _, t := range texts {
			if sm := re.FindStringSubmatch(t); len(sm) > 1 && strings.TrimSpace(sm[1]) != "" {
				return strings.TrimSpace(sm[1]), true
			}
		}
		return "", false
	}
	for _, t := range texts {
		if code, ok := defaultCode(t); ok {
			return code, true
		}
	}
	return "", false
}

// capText is the part of a text searched for a code: at most codeScan
// bytes, whole characters.
func capText(s string) string {
	return safetext.Prefix(s, codeScan)
}

// defaultCode scores the digit runs of one text.
func defaultCode(t string) (string, bool) {
	lower := strings.ToLower(t)
	words := wordPositions(lower)
	best, bestScore := "", -1
	distinct := map[string]bool{}
	first := ""
	for i := 0; i < len(t); {
		if !isDigit(t[i]) {
			i++
			continue
		}
		j := i
		for j < len(t) && isDigit(t[j]) {
			j++
		}
		if n := j - i; n >= minCode && n <= maxCode && standalone(t, i, j) {
			run := t[i:j]
			distinct[run] = true
			if first == "" {
				first = run
			}
			if s := nearness(words, i, j); s > bestScore {
				best, bestScore = run, s
			}
		}
		i = j
	}
	switch {
	case bestScore > 0:
		return best, true
	case len(distinct) == 1:
		return first, true
	}
	return "", false
}

// standalone reports whether t[i:j] is a number of its own: not glued to
// letters or to other digits by a separator (2026-11-29, 12:30:45,
// +1 555 123456, 1.234567).
func standalone(t string, i, j int) bool {
	if i > 0 {
		p := t[i-1]
		if isLetter(p) || p == '#' || p == '_' {
			return false
		}
		if strings.IndexByte("-/.:,+", p) >= 0 && i > 1 && isDigit(t[i-2]) {
			return false
		}
		if p == '+' {
			return false
		}
	}
	if j < len(t) {
		n := t[j]
		if isLetter(n) || n == '_' {
			return false
		}
		if strings.IndexByte("-/.:,", n) >= 0 && j+1 < len(t) && isDigit(t[j+1]) {
			return false
		}
	}
	return true
}

type span struct{ start, end int }

// wordPositions finds the code words as whole words in lower.
func wordPositions(lower string) []span {
	var out []span
	for _, w := range codeWords {
		for off := 0; off < len(lower); {
			k := strings.Index(lower[off:], w)
			if k < 0 {
				break
			}
			s, e := off+k, off+k+len(w)
			if (s == 0 || !isLetter(lower[s-1])) && (e == len(lower) || !isLetter(lower[e])) {
				out = append(out, span{s, e})
			}
			off = e
		}
	}
	slices.SortFunc(out, func(a, b span) int { return a.start - b.start })
	return out
}

// nearness scores a candidate by its distance to the closest code word
// (words sorted by start): after a word is best, shortly before one next;
// 0 when none is near.
func nearness(words []span, i, j int) int {
	best := 0
	// The last word starting before i, and the first starting at or after j.
	k := sort.Search(len(words), func(n int) bool { return words[n].start >= i })
	for n := k - 1; n >= 0 && n >= k-len(codeWords); n-- {
		if w := words[n]; w.end <= i && i-w.end <= codeNear {
			best = max(best, 2*codeNear-(i-w.end))
		}
	}
	if a := sort.Search(len(words), func(n int) bool { return words[n].start >= j }); a < len(words) && words[a].start-j <= codeAfter {
		best = max(best, codeNear-(words[a].start-j))
	}
	return best
}

// HTMLText is the visible text of an HTML document: tags become spaces,
// entities are decoded, script and style contents are dropped.
func HTMLText(doc string) string {
	if doc == "" {
		return ""
	}
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(doc))
	skip := 0
	for b.Len() < maxScanBytes {
		switch z.Next() {
		case html.ErrorToken:
			return b.String()
		case html.StartTagToken:
			if t := z.Token(); t.DataAtom == atom.Script || t.DataAtom == atom.Style {
				skip++
			}
			b.WriteByte(' ')
		case html.EndTagToken:
			if t := z.Token(); (t.DataAtom == atom.Script || t.DataAtom == atom.Style) && skip > 0 {
				skip--
			}
			b.WriteByte(' ')
		case html.SelfClosingTagToken:
			b.WriteByte(' ')
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		}
	}
	return b.String()
}

func isDigit(b byte) bool  { return b >= '0' && b <= '9' }
func isLetter(b byte) bool { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' }
