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
// that hold only white space are left out. Past maxLinks scripts, or
// MaxTokens, it returns those read with a *CutError.
func ScriptElements(body []byte, base *url.URL) ([]Script, error) {
	seen := map[string]bool{}
	var out []Script
	// line is the line the current token starts on, counted as the
	// tokens go by so a long page is read once.
	line := 1
	var open *Script // the <script> whose text comes next
	var cut error
	err := tokens(body, func(z *html.Tokenizer, tt html.TokenType) bool {
		if len(out) >= maxLinks {
			cut = cutf("the page holds more than %d scripts; the rest were not read", maxLinks)
			return false
		}
		raw := z.Raw()
		switch tt {
		case html.StartTagToken, html.SelfClosingTagToken:
			open = nil
			name, attrs := tagOf(z, "script", "link")
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
			if open != nil && len(bytes.TrimSpace(raw)) > 0 {
				open.Text = string(raw)
				open.Line = line
				out = append(out, *open)
			}
			open = nil
		default:
			open = nil
		}
		line += bytes.Count(raw, []byte("\n"))
		return true
	})
	if cut != nil {
		return out, cut
	}
	return out, err
}

// tagOf reads the current tag's lower-case name and, when it is one of
// want, its attributes (nil for other tags: most of a page's tags need
// no more than their name).
func tagOf(z *html.Tokenizer, want ...string) (string, map[string]string) {
	if name := tagName(z, want...); name != "" {
		return name, attrs(z)
	}
	return "", nil
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
