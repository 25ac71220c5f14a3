package inbox

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestScanCapsCutWholeCharacters: the text searched for a code, and for
// links, is cut at its byte cap without splitting a character, so a link
// ending at the cap is not left with half a €.
func TestScanCapsCutWholeCharacters(t *testing.T) {
	for _, tc := range []struct {
		name string
		char string
		skew int
	}{
		{"euro, cap at its second byte", "€", 1},
		{"euro, cap at its third byte", "€", 2},
		{"two-byte é", "é", 1},
		{"four-byte emoji", "😀", 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := capText(strings.Repeat("a", codeScan-tc.skew) + tc.char)
			if !utf8.ValidString(s) || len(s) != codeScan-tc.skew {
				t.Errorf("capText: %d bytes ending %q, want %d valid bytes", len(s), s[len(s)-4:], codeScan-tc.skew)
			}
			link := "https://portal.test/reset?note=" + strings.Repeat(tc.char, 4)
			text := strings.Repeat(" ", maxScanBytes-len(link)+len(tc.char)*4-len(tc.char)+tc.skew) + link
			got := Links(&Message{Text: text})
			if len(got) != 1 || got[0] != "https://portal.test/reset?note=" {
				t.Errorf("Links = %q, want the link with whole characters only", got)
			}
		})
	}
}
