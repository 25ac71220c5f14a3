package page

import (
	"net/url"
	"strings"

	"golang.org/x/net/html"
)

// Link is one link of an HTML page.
type Link struct {
	// URL is absolute (resolved against the page URL), fragment removed.
	URL string
	// Text is the link's visible text, whitespace-normalised.
	Text string
}

// Links returns the distinct <a href> links of an HTML document, resolved
// against base, with their text; only http(s) links are kept. Past
// maxLinks distinct links, or MaxTokens, it returns those read with a
// *CutError.
func Links(body []byte, base *url.URL) ([]Link, error) {
	// seen holds the links read, by their href as written and resolved.
	seen := map[string]bool{}
	var out []Link
	var cur *Link
	var text strings.Builder
	flush := func() {
		if cur != nil {
			cur.Text = normalise(text.String())
			out = append(out, *cur)
			cur = nil
		}
	}
	var cut error
	err := tokens(body, func(z *html.Tokenizer, tt html.TokenType) bool {
		switch tt {
		case html.TextToken:
			if cur != nil && text.Len() < maxSegment {
				text.Write(z.Text())
				text.WriteByte(' ')
			}
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			if tagName(z, "a") == "" {
				return true
			}
			// A link ends at its end tag or, as the tree builder closes
			// it, where the next one starts.
			flush()
			if tt == html.EndTagToken {
				return true
			}
			href := attr(z, "href")
			if seen["href "+href] {
				return true
			}
			u := resolve(base, href)
			if u == "" || seen[u] {
				return true
			}
			if len(out) >= maxLinks {
				cut = cutf("the page holds more than %d links; the rest were not read", maxLinks)
				return false
			}
			seen["href "+href], seen[u] = true, true
			cur = &Link{URL: u}
			text.Reset()
		}
		return true
	})
	flush()
	if cut != nil {
		return out, cut
	}
	return out, err
}

// Scripts returns the absolute URLs of a document's <script src> elements,
// each once; past maxLinks of them, or MaxTokens, those read with a
// *CutError.
func Scripts(body []byte, base *url.URL) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	var cut error
	err := tokens(body, func(z *html.Tokenizer, tt html.TokenType) bool {
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			return true
		}
		if tagName(z, "script") == "" {
			return true
		}
		src := attr(z, "src")
		if seen["src "+src] {
			return true
		}
		u := resolve(base, src)
		if seen["src "+src] = true; u == "" || seen[u] {
			return true
		}
		if len(out) >= maxLinks {
			cut = cutf("the page loads more than %d scripts; the rest were not read", maxLinks)
			return false
		}
		seen[u] = true
		out = append(out, u)
		return true
	})
	if cut != nil {
		return out, cut
	}
	return out, err
}
