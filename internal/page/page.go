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

// Form is an HTML form with its fields' default values.
type Form struct {
	// Action is absolute (resolved against the page URL).
	Action string
	Method string
	// Fields holds every named input, select and textarea in order.
	Fields []Field
	// HasPassword is true when the form has a password input.
	HasPassword bool
}

// Field is one named form control.
type Field struct {
	Name, Type, Value string
}

// Forms returns the forms of an HTML document, actions resolved against
// base: the first maxForms, with at most maxFields fields each.
func Forms(body []byte, base *url.URL) []Form {
	var forms []Form
	eachForm(body, base, func(f Form) bool {
		forms = append(forms, f)
		return len(forms) < maxForms
	})
	return forms
}

// LoginForm returns the first form holding a password input, if any.
func LoginForm(body []byte, base *url.URL) (Form, bool) {
	var found Form
	ok := false
	eachForm(body, base, func(f Form) bool {
		if f.HasPassword {
			found, ok = f, true
		}
		return !ok
	})
	return found, ok
}

// HasPasswordInput reports whether an HTML body shows a password field in
// a form: the sign that a page is a login form rather than member content.
// It reads the whole document (up to MaxTokens).
func HasPasswordInput(body []byte) bool {
	_, ok := LoginForm(body, &url.URL{})
	return ok
}

// eachForm calls fn with each form of the document, in order, until fn
// returns false. As in the HTML tree, a <form> inside an open form is
// ignored and controls outside every form belong to none.
func eachForm(body []byte, base *url.URL, fn func(Form) bool) {
	var open *Form
	templates := 0
	_ = tokens(body, func(z *html.Tokenizer, tt html.TokenType) bool {
		switch tt {
		case html.StartTagToken, html.SelfClosingTagToken:
			switch name := tagName(z, "template", "form", "input", "textarea", "select"); name {
			case "template":
				// A template's content is inert: not part of the page.
				if tt == html.StartTagToken {
					templates++
				}
			case "form":
				if open == nil && templates == 0 {
					open = newForm(attrs(z), base)
				}
			case "input", "textarea", "select":
				if open != nil && templates == 0 {
					addField(open, name, attrs(z))
				}
			}
		case html.EndTagToken:
			switch tagName(z, "template", "form") {
			case "template":
				templates = max(templates-1, 0)
			case "form":
				if open != nil && templates == 0 {
					f := *open
					open = nil
					return fn(f)
				}
			}
		}
		return true
	})
	if open != nil {
		// An unclosed form still holds what was read of it, as browsers
		// close it at the end of the document.
		fn(*open)
	}
}

func newForm(a map[string]string, base *url.URL) *Form {
	f := &Form{Method: strings.ToUpper(a["method"]), Action: base.String()}
	if f.Method == "" {
		f.Method = "GET"
	}
	if act := a["action"]; act != "" {
		if u, err := base.Parse(act); err == nil {
			f.Action = u.String()
		}
	}
	return f
}

func addField(f *Form, tag string, a map[string]string) {
	name := a["name"]
	if tag == "input" {
		typ := strings.ToLower(a["type"])
		if typ == "password" {
			f.HasPassword = true
		}
		if name != "" && typ != "submit" && typ != "button" && typ != "image" && len(f.Fields) < maxFields {
			f.Fields = append(f.Fields, Field{Name: name, Type: typ, Value: a["value"]})
		}
		return
	}
	if name != "" && len(f.Fields) < maxFields {
		f.Fields = append(f.Fields, Field{Name: name, Type: tag})
	}
}

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
