package page

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestCutsKeepWholeCharacters: a text segment (maxSegment bytes) and a
// button's text (maxText bytes) cut where a multi-byte character straddles
// the limit stay valid UTF-8, the character left out whole.
func TestCutsKeepWholeCharacters(t *testing.T) {
	base, _ := url.Parse("https://portal.test/")
	for _, tc := range []struct {
		name string
		char string
		skew int
	}{
		{"euro, limit at its second byte", "€", 1},
		{"euro, limit at its third byte", "€", 2},
		{"two-byte é", "é", 1},
		{"CJK", "語", 2},
		{"four-byte emoji", "😀", 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := func(limit int) string {
				return strings.Repeat("a", limit-tc.skew) + strings.Repeat(tc.char, 4)
			}
			segs, err := Segments([]byte("<p>" + text(maxSegment) + "</p>"))
			if err != nil || len(segs) != 1 {
				t.Fatalf("Segments: %q, %v", segs, err)
			}
			if s := segs[0]; !utf8.ValidString(s) || len(s) > maxSegment || len(s) < maxSegment-utf8.UTFMax {
				t.Errorf("segment %q (%d bytes): want valid UTF-8 of about %d bytes", s, len(s), maxSegment)
			}
			forms := Forms([]byte("<form><button>"+text(maxText)+"</button></form>"), base)
			if len(forms) != 1 || len(forms[0].Buttons) != 1 {
				t.Fatalf("Forms: %+v", forms)
			}
			if s := forms[0].Buttons[0].Text; !utf8.ValidString(s) || len(s) > maxText || len(s) < maxText-utf8.UTFMax {
				t.Errorf("button text %q… (%d bytes): want valid UTF-8 of about %d bytes", s[:20], len(s), maxText)
			}
		})
	}
}
