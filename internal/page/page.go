// Package page reads HTML and JSON bodies from the target: forms (for
// logging in) and the text segments used to tell one page's content from
// another's. Bodies come from untrusted servers: every function is bounded
// and never panics.
package page

import (
	"bytes"
	"encoding/json"
	"net/url"
	"sort"
	"strings"

	"golang.org/x/net/html"
)

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

// maxNodes bounds the work on a hostile document.
const maxNodes = 200_000

// Forms returns the forms of an HTML document, actions resolved against base.
func Forms(body []byte, base *url.URL) []Form {
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		return nil
	}
	var forms []Form
	walk(doc, func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "form" {
			forms = append(forms, readForm(n, base))
		}
	})
	return forms
}

// LoginForm returns the form holding a password input, if any.
func LoginForm(body []byte, base *url.URL) (Form, bool) {
	for _, f := range Forms(body, base) {
		if f.HasPassword {
			return f, true
		}
	}
	return Form{}, false
}

// HasPasswordInput reports whether an HTML body shows a password field: the
// sign that a page is a login form rather than member content.
func HasPasswordInput(body []byte) bool {
	_, ok := LoginForm(body, &url.URL{})
	return ok
}

func readForm(n *html.Node, base *url.URL) Form {
	f := Form{Method: strings.ToUpper(attr(n, "method")), Action: base.String()}
	if f.Method == "" {
		f.Method = "GET"
	}
	if a := attr(n, "action"); a != "" {
		if u, err := base.Parse(a); err == nil {
			f.Action = u.String()
		}
	}
	walk(n, func(c *html.Node) {
		if c.Type != html.ElementNode {
			return
		}
		name := attr(c, "name")
		switch c.Data {
		case "input":
			typ := strings.ToLower(attr(c, "type"))
			if typ == "password" {
				f.HasPassword = true
			}
			if name != "" && typ != "submit" && typ != "button" && typ != "image" {
				f.Fields = append(f.Fields, Field{Name: name, Type: typ, Value: attr(c, "value")})
			}
		case "textarea", "select":
			if name != "" {
				f.Fields = append(f.Fields, Field{Name: name, Type: c.Data})
			}
		}
	})
	return f
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

// walk visits nodes depth-first, at most maxNodes of them.
func walk(n *html.Node, fn func(*html.Node)) {
	count := 0
	var rec func(*html.Node)
	rec = func(n *html.Node) {
		if count >= maxNodes {
			return
		}
		count++
		fn(n)
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			rec(c)
		}
	}
	rec(n)
}

// maxSegment caps one text segment's length.
const maxSegment = 200

// Segments returns the distinct visible text segments of a body: text nodes
// of HTML (scripts and styles left out), or string and number values of
// JSON. Segments are whitespace-normalised; ones shorter than 3 characters
// carry no signal and are dropped.
func Segments(body []byte) []string {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') && json.Valid(trimmed) {
		return jsonSegments(trimmed)
	}
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		s = strings.Join(strings.Fields(s), " ")
		if len(s) > maxSegment {
			s = s[:maxSegment]
		}
		if len(s) >= 3 && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	var rec func(*html.Node, int)
	count := 0
	rec = func(n *html.Node, depth int) {
		if count >= maxNodes || depth > 512 {
			return
		}
		count++
		if n.Type == html.ElementNode && (n.Data == "script" || n.Data == "style" || n.Data == "noscript" || n.Data == "template") {
			return
		}
		if n.Type == html.TextNode {
			add(n.Data)
		}
		if n.Type == html.ElementNode && n.Data == "input" {
			if v := attr(n, "value"); v != "" && strings.ToLower(attr(n, "type")) != "hidden" {
				add(v)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			rec(c, depth+1)
		}
	}
	rec(doc, 0)
	return out
}

func jsonSegments(body []byte) []string {
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	var rec func(any, int)
	rec = func(v any, depth int) {
		if depth > 64 || len(out) > 10_000 {
			return
		}
		switch x := v.(type) {
		case map[string]any:
			for _, e := range x {
				rec(e, depth+1)
			}
		case []any:
			for _, e := range x {
				rec(e, depth+1)
			}
		case string:
			s := strings.Join(strings.Fields(x), " ")
			if len(s) > maxSegment {
				s = s[:maxSegment]
			}
			if len(s) >= 3 && !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		case json.Number:
			if s := x.String(); len(s) >= 3 && !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	rec(v, 0)
	sort.Strings(out) // map order is random; evidence must be stable
	return out
}

// Link is one link of an HTML page.
type Link struct {
	// URL is absolute (resolved against the page URL), fragment removed.
	URL string
	// Text is the link's visible text, whitespace-normalised.
	Text string
}

// maxLinks bounds the links read from one page.
const maxLinks = 2000

// Links returns the distinct <a href> links of an HTML document, resolved
// against base, with their text; only http(s) links are kept.
func Links(body []byte, base *url.URL) []Link {
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		return nil
	}
	seen := map[string]bool{}
	var out []Link
	walk(doc, func(n *html.Node) {
		if len(out) >= maxLinks || n.Type != html.ElementNode || n.Data != "a" {
			return
		}
		u := resolve(base, attr(n, "href"))
		if u == "" || seen[u] {
			return
		}
		seen[u] = true
		out = append(out, Link{URL: u, Text: strings.Join(strings.Fields(textOf(n)), " ")})
	})
	return out
}

// Scripts returns the absolute URLs of a document's <script src> elements.
func Scripts(body []byte, base *url.URL) []string {
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	walk(doc, func(n *html.Node) {
		if len(out) >= maxLinks || n.Type != html.ElementNode || n.Data != "script" {
			return
		}
		if u := resolve(base, attr(n, "src")); u != "" && !seen[u] {
			seen[u] = true
			out = append(out, u)
		}
	})
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

// textOf concatenates the text under n, bounded.
func textOf(n *html.Node) string {
	var b strings.Builder
	walk(n, func(c *html.Node) {
		if c.Type == html.TextNode && b.Len() < maxSegment {
			b.WriteString(c.Data)
			b.WriteByte(' ')
		}
	})
	return b.String()
}
