package authz

import (
	"bytes"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/launchready/launchready/internal/page"
	"github.com/launchready/launchready/internal/safetext"
)

// Marker bounds.
const (
	// minMarker is the shortest segment kept as a marker: shorter values
	// ("Paid", "€12") turn up anywhere.
	minMarker = 6
	// maxMarkers caps the markers kept per object.
	maxMarkers = 12
	// maxCandidates caps the values of a's response kept, strongest
	// first, while the baseline they are judged against still grows.
	maxCandidates = 256
)

// Markers are the values that prove a response shows one of member a's
// objects: the canary a planted in it, and values of a's response that no
// other identity's pages show.
type Markers struct {
	// Canary is the unique value a wrote into the object in this run; ""
	// when the object was found, not created.
	Canary string
	// Values are a-unique segments of a's response, strongest first.
	Values []string
	// Owner names whose copy the markers come from, as evidence says it
	// ("the admin"); empty means member a.
	Owner string
}

// MarkersOf picks the markers of a's response: its segments that are not in
// the baseline (what b, anonymous visitors, a missing page and the login
// page show), that are long enough, and that do not hold an excluded value
// as a token (the object's own ID, which an error page may echo back). A
// *page.CutError says they come from the part of the body that was read.
func MarkersOf(body []byte, canary string, baseline map[string]bool, exclude []string) (Markers, error) {
	vals, err := candidates(body, canary, baseline, exclude)
	return markersFrom(canary, vals, baseline), err
}

// candidates are the values of a body that may become markers once the
// baseline is complete: at most maxCandidates, strongest first (document
// order among equals), read without holding the body's segments.
func candidates(body []byte, canary string, baseline map[string]bool, exclude []string) ([]string, error) {
	var out []string
	kept := map[string]bool{}
	err := page.EachSegment(body, func(s string) bool {
		if len(s) < minMarker || baseline[s] || s == canary || kept[s] || holdsToken(s, exclude) {
			return true
		}
		kept[s] = true
		out = append(out, s)
		if len(out) >= 4*maxCandidates {
			// A value cut here has maxCandidates at least as strong
			// before it: it could never be chosen.
			out = strongest(out, maxCandidates)
			kept = map[string]bool{}
			for _, v := range out {
				kept[v] = true
			}
		}
		return true
	})
	return strongest(out, maxCandidates), err
}

// strongest sorts values by strength, stably, and keeps the first n.
func strongest(vals []string, n int) []string {
	slices.SortStableFunc(vals, func(a, b string) int { return strength(b) - strength(a) })
	return vals[:min(len(vals), n)]
}

// markersFrom picks the markers among candidates still absent from the
// (now complete) baseline.
func markersFrom(canary string, cands []string, baseline map[string]bool) Markers {
	m := Markers{Canary: canary}
	for _, s := range cands {
		if !baseline[s] && len(m.Values) < maxMarkers {
			m.Values = append(m.Values, s)
		}
	}
	return m
}

// strength ranks a marker: values with digits and letters, or an @, are
// specific (invoice numbers, emails); long ones more than short ones.
func strength(s string) int {
	n := min(len(s), 40)
	if strings.Contains(s, "@") || (hasDigit(s) && hasLetter(s)) {
		n += 100
	}
	return n
}

// strong reports whether one marker alone is proof enough.
func strong(s string) bool { return strength(s) >= 100 || len(s) >= 16 }

// holdsToken reports whether s holds one of xs as a token: an occurrence
// with no letter or digit right before or after it. An ID is excluded as
// the page that echoes it shows it ("Invoice 12 not found", "/notes/12"),
// not as a substring: with small integer IDs every line of a's object
// ("Total 120.00", "12 licences") holds the ID's digits somewhere.
func holdsToken(s string, xs []string) bool {
	for _, x := range xs {
		if tokenIndex(s, x) >= 0 {
			return true
		}
	}
	return false
}

// tokenIndex is the index of the first occurrence of x in s as a token,
// or -1.
func tokenIndex(s, x string) int {
	for i := 0; x != "" && i < len(s); {
		j := strings.Index(s[i:], x)
		if j < 0 {
			break
		}
		j += i
		before, _ := utf8.DecodeLastRuneInString(s[:j])
		after, _ := utf8.DecodeRuneInString(s[j+len(x):])
		if !isAlnum(before) && !isAlnum(after) {
			return j
		}
		i = j + 1
	}
	return -1
}

// isAlnum reports a letter or a digit, in any script: an ID written next
// to one is part of a longer word or number.
func isAlnum(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// Empty reports whether there is nothing to look for.
func (m Markers) Empty() bool { return m.Canary == "" && len(m.Values) == 0 }

// Find returns the markers a body carries: the canary (matched in the raw
// bytes too, since it is plain ASCII) and the values (matched against the
// body's segments, so JSON escapes and HTML entities do not hide them). A
// *page.CutError says the body was not read to its end: markers may sit
// in the rest.
func (m Markers) Find(body []byte) ([]string, error) {
	var out []string
	if m.Canary != "" && bytes.Contains(body, []byte(m.Canary)) {
		out = append(out, m.Canary)
	}
	if len(m.Values) == 0 {
		return out, nil
	}
	found := make([]bool, len(m.Values))
	err := page.EachSegment(body, func(s string) bool {
		for i, v := range m.Values {
			if !found[i] && strings.Contains(s, v) {
				found[i] = true
			}
		}
		return true
	})
	for i, v := range m.Values {
		if found[i] {
			out = append(out, v)
		}
	}
	return out, err
}

// Proves reports whether the matched markers prove exposure: the canary,
// or two values, or one strong value when a's object gave only one.
func (m Markers) Proves(matched []string) bool {
	if len(matched) == 0 {
		return false
	}
	if m.Canary != "" && slices.Contains(matched, m.Canary) {
		return true
	}
	if len(matched) >= 2 {
		return true
	}
	return strong(matched[0]) && (len(m.Values) == 1 || len(matched[0]) >= 24)
}

// excerptToken quotes the part of a body around an ID, found as a token
// (the 1 of "id":1, not of 2026).
func excerptToken(body []byte, id string) string {
	if i := tokenIndex(string(body), id); i >= 0 {
		return around(body, i, len(id))
	}
	return excerpt(body, id)
}

// excerpt quotes the part of a body around the first matched marker.
func excerpt(body []byte, marker string) string {
	i := bytes.Index(body, []byte(marker))
	if i < 0 {
		// Matched through a segment (escaped JSON, entities): quote it.
		quote := clip(marker, 2*aroundBytes)
		_ = page.EachSegment(body, func(s string) bool {
			if strings.Contains(s, marker) {
				quote = clip(s, 2*aroundBytes+len(marker))
				return false
			}
			return true
		})
		return quote
	}
	return around(body, i, len(marker))
}

// aroundBytes is how much of the body an excerpt shows on each side.
const aroundBytes = 60

// around quotes body[i:i+n] with up to aroundBytes either side, white
// space collapsed; the window ends on whole characters (a € cut in two
// is invalid UTF-8 in every report).
func around(body []byte, i, n int) string {
	lo, hi := max(0, i-aroundBytes), min(len(body), i+n+aroundBytes)
	lo, hi = safetext.RuneCeil(body, lo), safetext.RuneFloor(body, hi)
	out := strings.Join(strings.Fields(string(body[lo:hi])), " ")
	if lo > 0 {
		out = "…" + out
	}
	if hi < len(body) {
		out += "…"
	}
	return out
}

// clip cuts s to at most n bytes, on a rune boundary, marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return safetext.Prefix(s, n) + "…"
}
