package baas

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestFbExcerptCutsWholeCharacters: an answer quoted at its 300-byte
// limit inside a multi-byte character stays valid UTF-8.
func TestFbExcerptCutsWholeCharacters(t *testing.T) {
	for _, tc := range []struct {
		name, body, want string
	}{
		{"euro at the limit's second byte", strings.Repeat("a", 299) + "€tail", strings.Repeat("a", 299) + "…"},
		{"euro at the limit's third byte", strings.Repeat("a", 298) + "€€", strings.Repeat("a", 298) + "…"},
		{"two-byte é", strings.Repeat("a", 299) + "éé", strings.Repeat("a", 299) + "…"},
		{"four-byte emoji", strings.Repeat("a", 297) + "😀", strings.Repeat("a", 297) + "…"},
		{"fits", `{"error": "Permission denied: 12€"}`, `{"error": "Permission denied: 12€"}`},
	} {
		if got := fbExcerpt([]byte(tc.body)); got != tc.want || !utf8.ValidString(got) {
			t.Errorf("%s: fbExcerpt = %q, want %q", tc.name, got, tc.want)
		}
	}
}
