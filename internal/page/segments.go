package page

import (
	"bytes"
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"

	"github.com/launchready/launchready/internal/safetext"
)

// maxSegment caps one text segment's length.
const maxSegment = 200

// maxSegments caps the distinct segments Segments returns.
const maxSegments = 100_000

// Segments returns the distinct visible text segments of a body: text of
// HTML (scripts, styles, noscript and templates left out) and the values
// of visible inputs, in document order; or the string and number values
// of JSON, sorted. Segments are whitespace-normalised and cut to
// maxSegment bytes; ones shorter than 3 characters carry no signal and
// are dropped. Past maxSegments distinct segments, or MaxTokens, it
// returns what it read with a *CutError.
func Segments(body []byte) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	var cut error
	add := func(s string) bool {
		if seen[s] {
			return true
		}
		if len(out) >= maxSegments {
			cut = cutf("the body holds more than %d distinct text segments; the rest were not read", maxSegments)
			return false
		}
		seen[s] = true
		out = append(out, s)
		return true
	}
	if trimmed := bytes.TrimSpace(body); isJSON(trimmed) {
		err := jsonSegments(trimmed, add)
		sort.Strings(out) // evidence must read the same run after run
		return out, errors.Join(cut, err)
	}
	err := htmlSegments(body, add)
	return out, errors.Join(cut, err)
}

// EachSegment calls fn with each visible text segment of a body (as
// Segments defines them, repeats included) until fn returns false. It
// holds nothing but the segment at hand, so it reads a whole capped body
// (up to MaxTokens) whatever it holds.
func EachSegment(body []byte, fn func(string) bool) error {
	if trimmed := bytes.TrimSpace(body); isJSON(trimmed) {
		return jsonSegments(trimmed, fn)
	}
	return htmlSegments(body, fn)
}

// isJSON reports whether a trimmed body is a JSON object or array. The
// standard library refuses nesting past 10,000 levels, so JSON nested
// deeper reads as text.
func isJSON(trimmed []byte) bool {
	return len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') && json.Valid(trimmed)
}

func htmlSegments(body []byte, fn func(string) bool) error {
	templates := 0
	// hidden is set after a <script>, <style> or <noscript> start tag,
	// whose text the tokenizer returns next, raw.
	hidden := false
	return tokens(body, func(z *html.Tokenizer, tt html.TokenType) bool {
		if tt == html.TextToken {
			if hidden || templates > 0 {
				hidden = false
				return true
			}
			return emitBytes(z.Text(), fn)
		}
		hidden = false
		if tt != html.StartTagToken && tt != html.EndTagToken && tt != html.SelfClosingTagToken {
			return true
		}
		name := tagName(z, "template", "script", "style", "noscript", "input")
		switch {
		case name == "template" && tt == html.StartTagToken:
			templates++
		case name == "template" && tt == html.EndTagToken:
			templates = max(templates-1, 0)
		case tt == html.EndTagToken:
		case name == "script" || name == "style" || name == "noscript":
			hidden = tt == html.StartTagToken
		case name == "input" && templates == 0:
			a := attrs(z)
			if v := a["value"]; v != "" && strings.ToLower(a["type"]) != "hidden" {
				return emit(v, fn)
			}
		}
		return true
	})
}

// emitBytes is emit for text the tokenizer holds, normalised without
// copying it first.
func emitBytes(b []byte, fn func(string) bool) bool {
	if len(b) < 3 {
		return true // too short to carry a signal, whatever it holds
	}
	if s := normalise(b); len(s) >= 3 {
		return fn(s)
	}
	return true
}

// emit normalises one piece of text and hands it to fn when it is long
// enough to carry a signal.
func emit(s string, fn func(string) bool) bool {
	if len(s) < 3 {
		return true
	}
	if s = normalise(s); len(s) >= 3 {
		return fn(s)
	}
	return true
}

// normalise collapses white space (Unicode's, as strings.Fields does) to
// single spaces, trims it, and keeps at most maxSegment bytes, reading no
// more of a long text than that takes.
func normalise[T ~string | ~[]byte](s T) string {
	var b strings.Builder
	space := false
	for i := 0; i < len(s) && b.Len() < maxSegment; {
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			var buf [utf8.UTFMax]byte
			n := copy(buf[:], s[i:])
			r, size = utf8.DecodeRune(buf[:n])
		}
		if unicode.IsSpace(r) {
			space = b.Len() > 0
		} else {
			if space {
				b.WriteByte(' ')
				space = false
			}
			for k := i; k < i+size; k++ {
				b.WriteByte(s[k])
			}
		}
		i += size
	}
	// Whole runes are written, so the cut must not split the last one.
	return safetext.Prefix(b.String(), maxSegment)
}

// jsonSegments streams a JSON document's string and number values (object
// keys left out) without building it in memory.
func jsonSegments(body []byte, fn func(string) bool) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	type frame struct{ object, expectKey bool }
	var stack []frame
	for n := 0; n < MaxTokens; n++ {
		tok, err := dec.Token()
		if err != nil {
			return nil // the end (isJSON said it is valid)
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			continue
		}
		if top := len(stack) - 1; top >= 0 && stack[top].object {
			// Keys and values alternate in an object.
			stack[top].expectKey = !stack[top].expectKey
			if !stack[top].expectKey {
				continue // this token was a key
			}
		}
		switch t := tok.(type) {
		case json.Delim:
			stack = append(stack, frame{object: t == '{', expectKey: t == '{'})
		case string:
			if !emit(t, fn) {
				return nil
			}
		case json.Number:
			if s := t.String(); len(s) >= 3 && !fn(s) {
				return nil
			}
		}
	}
	return errTooManyTokens
}
