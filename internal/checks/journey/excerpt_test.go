package journey

import (
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestExcerptCutsWholeCharacters: a matched value quoted at its 80-byte
// limit inside a multi-byte character stays valid UTF-8.
func TestExcerptCutsWholeCharacters(t *testing.T) {
	for _, tc := range []struct {
		name, value, want string
	}{
		{"euro at the limit's second byte", strings.Repeat("a", 79) + "€", strings.Repeat("a", 79) + "…"},
		{"euro at the limit's third byte", strings.Repeat("a", 78) + "€€", strings.Repeat("a", 78) + "…"},
		{"CJK", strings.Repeat("a", 79) + "請求書", strings.Repeat("a", 79) + "…"},
		{"four-byte emoji", strings.Repeat("a", 77) + "😀😀", strings.Repeat("a", 77) + "…"},
		{"fits", "Invoice total 12,00 €", "Invoice total 12,00 €"},
	} {
		got := Excerpt([]string{tc.value}, 3)
		if got != strconv.Quote(tc.want) {
			t.Errorf("%s: Excerpt = %s, want %q", tc.name, got, tc.want)
		}
		if s, err := strconv.Unquote(got); err != nil || !utf8.ValidString(s) {
			t.Errorf("%s: Excerpt = %s: want valid UTF-8 (%v)", tc.name, got, err)
		}
	}
}
