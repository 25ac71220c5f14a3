package inbox

import (
	"net/url"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/launchready/launchready/internal/safetext"
)

// Link extraction limits.
const (
	maxLinks     = 200      // links Links returns
	maxLinkBytes = 8 << 10  // a longer candidate is not a link anyone clicks
	maxScanBytes = 16 << 20 // text and HTML looked at, together
)

// Links returns every absolute http or https link in m: first from the text
// part (bare URLs and <URL>, trailing punctuation trimmed), then from the HTML
// part (the href of each <a> and <area>, then bare URLs in the document's
// text). HTML entities are decoded, javascript:, mailto: and relative links
// are ignored, duplicates are kept once in order of first appearance, and at
// most 200 links are returned.
func Links(m *Message) []string {
	if m == nil {
		return nil
	}
	c := linkCollector{seen: make(map[string]bool)}
	text := m.Text
	text = safetext.Prefix(text, maxScanBytes)
	c.bare(text)
	doc := m.HTML
	doc = safetext.Prefix(doc, maxScanBytes-len(text))
	c.html(doc)
	return c.out
}

// linkCollector accumulates links, deduplicated, up to maxLinks.
type linkCollector struct {
	seen map[string]bool
	out  []string
}

func (c *linkCollector) full() bool { return len(c.out) >= maxLinks }

// add keeps s if it is an absolute http(s) URL not seen before. Browsers drop
// tabs and newlines inside URLs and spaces around them; so does add.
func (c *linkCollector) add(s string) {
	if c.full() {
		return
	}
	s = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, strings.TrimSpace(s))
	if s == "" || len(s) > maxLinkBytes || c.seen[s] {
		return
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return
	}
	c.seen[s] = true
	c.out = append(c.out, s)
}

// bare finds URLs in plain text: each run from "http://" or "https://" up to
// whitespace, a control character, or one of <>"` (so <URL> and "URL" work),
// with trailing punctuation trimmed.
func (c *linkCollector) bare(s string) {
	for !c.full() {
		i := indexScheme(s)
		if i < 0 {
			return
		}
		s = s[i:]
		end := strings.IndexFunc(s, func(r rune) bool {
			return r <= ' ' || r == 0x7f || r == '<' || r == '>' || r == '"' || r == '`' || r == '\u00a0'
		})
		if end < 0 {
			end = len(s)
		}
		if end <= 2*maxLinkBytes { // longer is no link, however much trimming leaves
			c.add(trimTrailing(s[:end]))
		}
		s = s[end:]
	}
}

// indexScheme returns the index of the first "http://" or "https://" in s,
// ASCII case-insensitively, that does not continue a word (so "xhttp://" is
// not one), or -1. It runs in linear time.
func indexScheme(s string) int {
	for i := 0; i+len("http://") <= len(s); i++ {
		if s[i]|0x20 != 'h' || (i > 0 && isWordByte(s[i-1])) {
			continue
		}
		if hasPrefixFold(s[i:], "http://") || hasPrefixFold(s[i:], "https://") {
			return i
		}
	}
	return -1
}

// hasPrefixFold is strings.HasPrefix with ASCII case folding; prefix must be
// lower case.
func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		b := s[i]
		if b >= 'A' && b <= 'Z' {
			b += 'a' - 'A'
		}
		if b != prefix[i] {
			return false
		}
	}
	return true
}

func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '_' || b == '-' || b == '+' || b == '.'
}

// trimTrailing drops sentence punctuation after a URL, and a closing bracket
// that has no opening partner inside the URL ("(see https://x.example/a)").
// It runs in linear time.
func trimTrailing(s string) string {
	balance := map[byte]int{ // closing minus opening, per bracket kind
		')': strings.Count(s, ")") - strings.Count(s, "("),
		']': strings.Count(s, "]") - strings.Count(s, "["),
		'}': strings.Count(s, "}") - strings.Count(s, "{"),
	}
	for s != "" {
		last := s[len(s)-1]
		switch {
		case strings.IndexByte(".,;:!?'*", last) >= 0:
		case strings.IndexByte(")]}", last) >= 0 && balance[last] > 0:
			balance[last]--
		default:
			return s
		}
		s = s[:len(s)-1]
	}
	return s
}

// html collects the href of every <a> and <area> in document order, then
// bare URLs in the document's text (script and style contents excluded).
func (c *linkCollector) html(doc string) {
	if doc == "" {
		return
	}
	var text strings.Builder
	z := html.NewTokenizer(strings.NewReader(doc))
	skip := 0 // inside <script>/<style>
	for !c.full() {
		switch z.Next() {
		case html.ErrorToken:
			c.bare(text.String())
			return
		case html.StartTagToken, html.SelfClosingTagToken:
			t := z.Token()
			switch t.DataAtom {
			case atom.A, atom.Area:
				c.add(attr(t, "href"))
			case atom.Script, atom.Style:
				if t.Type == html.StartTagToken {
					skip++
				}
			}
			text.WriteByte(' ')
		case html.EndTagToken:
			if t := z.Token(); (t.DataAtom == atom.Script || t.DataAtom == atom.Style) && skip > 0 {
				skip--
			}
			text.WriteByte(' ')
		case html.TextToken:
			if skip == 0 {
				text.Write(z.Text()) // entities decoded by the tokenizer
			}
		}
	}
}

func attr(t html.Token, name string) string {
	for _, a := range t.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}
