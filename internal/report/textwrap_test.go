package report

import (
	"os/exec"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mattn/go-runewidth"
)

func TestWrap(t *testing.T) {
	tests := []struct {
		in          string
		width       int
		first, rest string
		want        []string
	}{
		{"one two three", 9, "", "  ", []string{"one two", "  three"}},
		{"short", 80, "> ", "  ", []string{"> short"}},
		{"https://portal.test/a/very/long/url", 12, "", "", []string{"https://port", "al.test/a/ve", "ry/long/url"}},
		{"€€€€ €€", 6, "", "", []string{"€€€€", "€€"}},
		// Wide runes take two columns.
		{"日本語 日本語", 8, "", "", []string{"日本語", "日本語"}},
		{"", 10, "", "", []string{""}},
		{"a  b", 10, "", "", []string{"a  b"}},
	}
	for _, tt := range tests {
		got := wrap(tt.in, tt.width, tt.first, tt.rest)
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("wrap(%q, %d) = %q, want %q", tt.in, tt.width, got, tt.want)
		}
		for _, l := range got {
			if displayWidth(l) > tt.width && len(tt.first) < tt.width {
				t.Errorf("wrap(%q): line %q is %d columns, over %d", tt.in, l, displayWidth(l), tt.width)
			}
		}
	}
}

func TestFit(t *testing.T) {
	for _, tt := range []struct {
		in    string
		width int
		want  string
	}{
		{"fits", 10, "fits"},
		{"the session still works after logout, everywhere", 30, "the session still works after…"},
		{"€€€€€€€€€€€€€€€€€€€€", 10, "€€€€€€€€€…"},
	} {
		if got := Fit(tt.in, tt.width); got != tt.want || displayWidth(got) > tt.width {
			t.Errorf("Fit(%q, %d) = %q, want %q", tt.in, tt.width, got, tt.want)
		}
	}
}

// TestShellLines: a repro broken to the terminal width is still the same
// command for a shell: sh prints the same words for the wrapped and the
// original text.
func TestShellLines(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	cmds := []string{
		"curl -sS -i -H 'Cookie: pm=[redacted]; pl_csrf=[redacted]' --resolve portal.test:38199:127.0.0.1 'https://portal.test:38199/files/1001/download'",
		"curl -sS -X POST --data-binary '_csrf=[redacted]&email=launchready%2Blr36bb749d16%40portal.test&name=Launchready+Test&password=[redacted]&more=" + strings.Repeat("x", 150) + "' 'https://portal.test/signup'",
		"git log --all --oneline -- '.env'",
		"printf '%s\\n' 'it'\\''s' 'a€b'",
	}
	for _, cmd := range cmds {
		lines := shellLines(cmd, 40, "", "  ")
		for _, l := range lines {
			if displayWidth(l) > 40 {
				t.Errorf("line %q is %d columns", l, displayWidth(l))
			}
		}
		want := shellEcho(t, sh, cmd)
		if got := shellEcho(t, sh, strings.Join(lines, "\n")); got != want {
			t.Errorf("wrapped command reads differently:\n%s\ngot  %q\nwant %q", strings.Join(lines, "\n"), got, want)
		}
	}
}

// shellEcho prints, one per line, the words sh reads from cmd with its
// first word replaced by printf.
func shellEcho(t *testing.T, sh, cmd string) string {
	t.Helper()
	out, err := exec.Command(sh, "-c", "set -- "+cmd+"\nshift; printf '%s\\n' \"$@\"").Output()
	if err != nil {
		t.Fatalf("sh: %v on %q", err, cmd)
	}
	return string(out)
}

// FuzzWrap: whatever text a target puts in a finding, the terminal lines
// stay within the width and no character is lost or invented.
func FuzzWrap(f *testing.F) {
	for _, s := range []string{"", "a b c", "https://portal.test/" + strings.Repeat("x", 300), "€€€ 日本語 \u0301x", "a  b   c", " lead", "tail "} {
		f.Add(s, 20)
	}
	f.Fuzz(func(t *testing.T, s string, width int) {
		if width < 4 || width > 200 {
			return
		}
		s = strings.Map(func(r rune) rune {
			if r < ' ' || r == 0x7f || !utf8.ValidRune(r) || runewidth.RuneWidth(r) > 2 {
				return -1
			}
			return r
		}, strings.ToValidUTF8(s, ""))
		lines := wrap(s, width, "", "  ")
		for _, l := range lines {
			if displayWidth(l) > width {
				t.Fatalf("wrap(%q, %d): line %q is %d columns", s, width, l, displayWidth(l))
			}
		}
		squeeze := func(x string) string { return strings.Join(strings.Fields(x), "") }
		if got, want := squeeze(strings.Join(lines, "")), squeeze(s); got != want {
			t.Fatalf("wrap(%q, %d) changed the text: %q", s, width, lines)
		}
	})
}
