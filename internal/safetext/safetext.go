// Package safetext is the one sanitiser for text a target chose (a server's
// error message, a page title, a header, a URL) before it reaches a
// terminal or a report: a hostile portal must not be able to clear the
// screen, move the cursor, rewrite a line ("GO"), set a window title or
// reorder what is shown.
package safetext

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Line returns s safe to print on one line: line breaks (\n, \r) become
// spaces, and every other control character is written out as an escape
// (see Lines).
func Line(s string) string { return clean(s, false) }

// Lines returns s safe to print where the layout keeps its line breaks:
// \n is kept; \r becomes a space (a carriage return rewrites the line it
// ends); tabs are kept. Every other C0 or C1 control character, DEL, and
// so every ESC, CSI, OSC or DCS sequence, is written out as \xNN (the
// sequence's remaining bytes are then plain text); bidirectional controls
// (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C), line and
// paragraph separators and the non-characters U+FFFE and U+FFFF (not
// allowed in XML) as \uNNNN; an invalid UTF-8 byte as "?".
func Lines(s string) string { return clean(s, true) }

func clean(s string, keepNewlines bool) string {
	if isClean(s, keepNewlines) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for _, r := range s {
		switch {
		case r == '\n' && keepNewlines, r == '\t':
			b.WriteRune(r)
		case r == '\n' || r == '\r':
			b.WriteByte(' ')
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			fmt.Fprintf(&b, `\x%02x`, r)
		case escapedRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		case r == utf8.RuneError:
			b.WriteByte('?')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// escapedRune reports the printable-looking runes that still change how
// text is shown: direction overrides make a terminal show text in an
// order other than the bytes'; U+2028 and U+2029 break lines in some
// viewers; U+FFFE and U+FFFF are not allowed in XML.
func escapedRune(r rune) bool {
	return unicode.Is(unicode.Bidi_Control, r) || r == 0x2028 || r == 0x2029 || r == 0xfffe || r == 0xffff
}

// isClean reports whether clean would return s unchanged: the common
// case, checked without allocating.
func isClean(s string, keepNewlines bool) bool {
	for _, r := range s {
		switch {
		case r == '\t', r == '\n' && keepNewlines:
		case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0, escapedRune(r), r == utf8.RuneError:
			return false
		}
	}
	return true
}
