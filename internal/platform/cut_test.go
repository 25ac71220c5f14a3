package platform

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestBoundedCutsWholeCharacters: the part of a bundle searched for a
// Clerk key ends on a whole character when the cap falls inside one.
func TestBoundedCutsWholeCharacters(t *testing.T) {
	for _, tc := range []struct {
		char string
		skew int
	}{{"€", 1}, {"€", 2}, {"é", 1}, {"😀", 3}} {
		s := bounded(strings.Repeat("a", maxScan-tc.skew) + tc.char)
		if !utf8.ValidString(s) || len(s) != maxScan-tc.skew {
			t.Errorf("%q at the cap: %d bytes ending %q, want %d valid bytes", tc.char, len(s), s[len(s)-4:], maxScan-tc.skew)
		}
	}
}
