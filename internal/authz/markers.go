package authz

import (
	"bytes"
	"slices"
	"strings"

	"github.com/launchready/launchready/internal/page"
)

// Marker bounds.
const (
	// minMarker is the shortest segment kept as a marker: shorter values
	// ("Paid", "€12") turn up anywhere.
	minMarker = 6
	// maxMarkers caps the markers kept per object.
	maxMarkers = 12
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
}

// MarkersOf picks the markers of a's response: its segments that are not in
// the baseline (what b, anonymous visitors, a missing page and the login
// page show), that are long enough, and that do not contain an excluded
// value (the object's own ID, which an error page may echo back).
func MarkersOf(body []byte, canary string, baseline map[string]bool, exclude []string) Markers {
	m := Markers{Canary: canary}
	for _, s := range page.Segments(body) {
		if len(s) < minMarker || baseline[s] || s == canary || containsAny(s, exclude) {
			continue
		}
		m.Values = append(m.Values, s)
	}
	slices.SortStableFunc(m.Values, func(a, b string) int { return strength(b) - strength(a) })
	if len(m.Values) > maxMarkers {
		m.Values = m.Values[:maxMarkers]
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

func containsAny(s string, subs []string) bool {
	for _, x := range subs {
		if x != "" && strings.Contains(s, x) {
			return true
		}
	}
	return false
}

// Empty reports whether there is nothing to look for.
func (m Markers) Empty() bool { return m.Canary == "" && len(m.Values) == 0 }

// Find returns the markers a body carries: the canary (matched in the raw
// bytes too, since it is plain ASCII) and the values (matched against the
// body's segments, so JSON escapes and HTML entities do not hide them).
func (m Markers) Find(body []byte) []string {
	var out []string
	if m.Canary != "" && bytes.Contains(body, []byte(m.Canary)) {
		out = append(out, m.Canary)
	}
	if len(m.Values) == 0 {
		return out
	}
	segs := page.Segments(body)
	for _, v := range m.Values {
		for _, s := range segs {
			if strings.Contains(s, v) {
				out = append(out, v)
				break
			}
		}
	}
	return out
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

// excerpt quotes the part of a body around the first matched marker.
func excerpt(body []byte, marker string) string {
	const around = 60
	text := string(body)
	i := strings.Index(text, marker)
	if i < 0 {
		// Matched through a segment (escaped JSON, entities): quote it.
		for _, s := range page.Segments(body) {
			if strings.Contains(s, marker) {
				return clip(s, 2*around+len(marker))
			}
		}
		return clip(marker, 2*around)
	}
	lo, hi := max(0, i-around), min(len(text), i+len(marker)+around)
	out := strings.Join(strings.Fields(text[lo:hi]), " ")
	if lo > 0 {
		out = "…" + out
	}
	if hi < len(text) {
		out += "…"
	}
	return out
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
