package edge

import (
	"testing"
	"unicode/utf8"
)

// TestTruncateCutsWholeCharacters: a header value cut at its byte limit
// inside a multi-byte character stays valid UTF-8.
func TestTruncateCutsWholeCharacters(t *testing.T) {
	for _, tc := range []struct {
		s    string
		n    int
		want string
	}{
		{"default-src 'self' €€", 20, "default-src 'self' …"},
		{"default-src 'self' €€", 21, "default-src 'self' …"},
		{"default-src 'self' €€", 22, "default-src 'self' €…"},
		{"report-uri /日本語", 14, "report-uri /…"},
		{"x 😀", 4, "x …"},
		{"short", 300, "short"},
	} {
		if got := truncate(tc.s, tc.n); got != tc.want || !utf8.ValidString(got) {
			t.Errorf("truncate(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
	}
}
