package safetext

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestLineAndLines(t *testing.T) {
	tests := []struct{ in, lines, line string }{
		{"a\x1b[31mb", `a\x1b[31mb`, `a\x1b[31mb`},
		{"line1\nline2\r\n", "line1\nline2 \n", "line1 line2  "},
		{"tab\tok", "tab\tok", "tab\tok"},
		{"bidi\u202eevil", `bidi\u202eevil`, `bidi\u202eevil`},
		{"iso\u2066x\u2069", `iso\u2066x\u2069`, `iso\u2066x\u2069`},
		{"c1\u009bx", `c1\x9bx`, `c1\x9bx`},
		{"raw c1 \x9b2J", "raw c1 ?2J", "raw c1 ?2J"},
		{"bad\xffutf8", "bad?utf8", "bad?utf8"},
		{"café", "café", "café"},
		// The reproduced attack: clear the screen, home, print a fake verdict.
		{"error\x1b[2J\x1b[H\x1b[32mGO\x1b[0m", `error\x1b[2J\x1b[H\x1b[32mGO\x1b[0m`, `error\x1b[2J\x1b[H\x1b[32mGO\x1b[0m`},
		{"osc\x1b]0;title\x07", `osc\x1b]0;title\x07`, `osc\x1b]0;title\x07`},
		{"dcs\x1bP1$r\x1b\\", `dcs\x1bP1$r\x1b\`, `dcs\x1bP1$r\x1b\`},
		{"back\bspace", `back\x08space`, `back\x08space`},
		{"cr\roverwrite", "cr overwrite", "cr overwrite"},
		{"sep\u2028x", `sep\u2028x`, `sep\u2028x`},
		{"nul\x00", `nul\x00`, `nul\x00`},
	}
	for _, tt := range tests {
		if got := Lines(tt.in); got != tt.lines {
			t.Errorf("Lines(%q) = %q, want %q", tt.in, got, tt.lines)
		}
		if got := Line(tt.in); got != tt.line {
			t.Errorf("Line(%q) = %q, want %q", tt.in, got, tt.line)
		}
	}
}

// FuzzSanitise: whatever a server sends, the output is valid UTF-8 with no
// control character but a tab (and a newline from Lines), no
// bidirectional control, and sanitising twice changes nothing more.
func FuzzSanitise(f *testing.F) {
	for _, s := range []string{"ok", "a\x1b[2Jb", "\x9b31m", "\u202e", "x\r\ny", "\xff\xfe", "\u2028"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for name, fn := range map[string]func(string) string{"Line": Line, "Lines": Lines} {
			out := fn(s)
			if !utf8.ValidString(out) {
				t.Fatalf("%s(%q) = %q: invalid UTF-8", name, s, out)
			}
			for _, r := range out {
				bad := r < 0x20 && r != '\t' && !(r == '\n' && name == "Lines") ||
					r == 0x7f || (r >= 0x80 && r < 0xa0) || unicode.Is(unicode.Bidi_Control, r) || r == 0x2028 || r == 0x2029
				if bad {
					t.Fatalf("%s(%q) = %q keeps %U", name, s, out, r)
				}
			}
			if again := fn(out); again != out {
				t.Fatalf("%s is not idempotent: %q then %q", name, out, again)
			}
			if name == "Line" && strings.ContainsAny(out, "\n\r") {
				t.Fatalf("Line(%q) = %q breaks the line", s, out)
			}
		}
	})
}
