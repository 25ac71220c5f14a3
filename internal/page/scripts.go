package page

import (
	"bytes"
	"net/url"
	"strings"

	"golang.org/x/net/html"
)

// Script is one script a page loads or carries.
type Script struct {
	// Src is the absolute URL of an external script, or of a module the
	// page preloads (<link rel="modulepreload">); "" for an inline one.
	Src string
	// ID and Type are the element's attributes: id="__NEXT_DATA__",
	// type="application/json".
	ID, Type string
	// Text is an inline script's source, byte for byte as in the page.
	Text string
	// Line is the page line (1-based) where Text starts.
	Line int
}

// ScriptElements returns a page's scripts in document order: external
// ones (resolved against base; http(s) only, each once), preloaded
// modules and inline scripts with the line they start on. Inline scripts
// that hold only white space are left out.
func ScriptElements(body []byte, base *url.URL) []Script {
	z := html.NewTokenizer(bytes.NewReader(body))
	seen := map[string]bool{}
	var out []Script
	offset := 0
	var open *Script // the <script> whose text comes next
	for len(out) < maxLinks {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		raw := len(z.Raw())
		switch tt {
		case html.StartTagToken, html.SelfClosingTagToken:
			open = nil
			name, attrs := tagOf(z)
			switch {
			case name == "script" && attrs["src"] != "":
				if u := resolve(base, attrs["src"]); u != "" && !seen[u] {
					seen[u] = true
					out = append(out, Script{Src: u, ID: attrs["id"], Type: attrs["type"]})
				}
			case name == "script" && tt == html.StartTagToken:
				open = &Script{ID: attrs["id"], Type: attrs["type"]}
			case name == "link" && preloadsScript(attrs):
				if u := resolve(base, attrs["href"]); u != "" && !seen[u] {
					seen[u] = true
					out = append(out, Script{Src: u})
				}
			}
		case html.TextToken:
			if open != nil && strings.TrimSpace(string(z.Raw())) != "" {
				open.Text = string(z.Raw())
				open.Line = 1 + bytes.Count(body[:min(offset, len(body))], []byte("\n"))
				out = append(out, *open)
			}
			open = nil
		default:
			open = nil
		}
		offset += raw
	}
	return out
}

// tagOf reads the current tag's lower-case name and attributes (the first
// of a repeated attribute wins, as in browsers).
func tagOf(z *html.Tokenizer) (string, map[string]string) {
	name, more := z.TagName()
	attrs := map[string]string{}
	for more {
		var k, v []byte
		k, v, more = z.TagAttr()
		if _, dup := attrs[string(k)]; !dup {
			attrs[string(k)] = string(v)
		}
	}
	return string(name), attrs
}

// preloadsScript reports whether a <link> makes the browser fetch a
// script: rel=modulepreload, or rel=preload with as=script.
func preloadsScript(attrs map[string]string) bool {
	for _, rel := range strings.Fields(strings.ToLower(attrs["rel"])) {
		if rel == "modulepreload" || (rel == "preload" && strings.EqualFold(attrs["as"], "script")) {
			return true
		}
	}
	return false
}
