// Package page reads HTML and JSON bodies from the target: forms (for
// logging in), links, scripts and the text segments used to tell one
// page's content from another's. Bodies come from untrusted servers: every
// function reads the document as a stream of tokens, never as a tree (the
// HTML tree builder turns 9 MB of nested inline tags into a gigabyte of
// nodes), does work linear in the body, holds bounded results, and never
// panics. A read that leaves part of a document out says so with a
// *CutError next to what it did read.
package page

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"

	"golang.org/x/net/html"
)

// Bounds of one read.
const (
	// MaxTokens caps the HTML tokens (tags, texts, comments) read from one
	// document: a 10 MiB body holds at most about 5 million.
	MaxTokens = 8_000_000
	// maxLinks bounds the links, or scripts, read from one page.
	maxLinks = 2000
	// maxForms bounds the forms Forms returns, maxFields each form's fields.
	maxForms  = 64
	maxFields = 256
)

// CutError says a bounded read left part of a document unread: the results
// returned with it cover only the part that was read, so a judgement
// resting on the whole document cannot rest on them.
type CutError struct {
	// What says what was left out.
	What string
}

func (e *CutError) Error() string { return e.What }

func cutf(format string, a ...any) *CutError { return &CutError{What: fmt.Sprintf(format, a...)} }

// errTooManyTokens is the cut of a document longer than MaxTokens.
var errTooManyTokens = cutf("the document is longer than %d HTML tokens; the rest was not read", MaxTokens)

// tokens feeds the document's tokens to fn until fn returns false or the
// document ends; past MaxTokens it stops and returns errTooManyTokens.
func tokens(body []byte, fn func(z *html.Tokenizer, tt html.TokenType) bool) error {
	z := html.NewTokenizer(bytes.NewReader(body))
	for n := 0; ; n++ {
		tt := z.Next()
		if tt == html.ErrorToken {
			return nil
		}
		if n >= MaxTokens {
			return errTooManyTokens
		}
		if !fn(z, tt) {
			return nil
		}
	}
}

// tagName returns the current tag's name when it is one of names, else
// "". It reads the name from the raw token, without copying: the
// tokenizer's own TagName copies every name, and a hostile page is
// millions of tags.
func tagName(z *html.Tokenizer, names ...string) string {
	raw := z.Raw()
	i := 1
	if i < len(raw) && raw[i] == '/' {
		i++
	}
	j := i
	for j < len(raw) && !strings.ContainsRune("\t\n\f\r />", rune(raw[j])) {
		j++
	}
	for _, n := range names {
		if equalFoldASCII(raw[i:j], n) {
			return n
		}
	}
	return ""
}

// equalFoldASCII compares b with the lower-case ASCII name s, ignoring
// case.
func equalFoldASCII(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

// attr reads one attribute of the current tag (the first of its name),
// without reading the others into memory.
func attr(z *html.Tokenizer, key string) string {
	for more := true; more; {
		var k, v []byte
		k, v, more = z.TagAttr()
		if k == nil {
			break
		}
		if string(k) == key {
			return string(v)
		}
	}
	return ""
}

// attrs reads the current tag's attributes, keys lower-cased; the first
// of a repeated attribute wins, as in browsers.
func attrs(z *html.Tokenizer) map[string]string {
	out := map[string]string{}
	for more := true; more; {
		var k, v []byte
		k, v, more = z.TagAttr()
		if k == nil {
			break
		}
		if _, dup := out[string(k)]; !dup {
			out[string(k)] = string(v)
		}
	}
	return out
}

// resolve makes ref absolute against base; "" for empty, unparsable or
// non-http(s) references (javascript:, mailto:, data:).
func resolve(base *url.URL, ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" || base == nil {
		return ""
	}
	r, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	u := base.ResolveReference(r)
	if u.Scheme != "http" && u.Scheme != "https" {
		return ""
	}
	u.Fragment, u.RawFragment = "", ""
	return u.String()
}
