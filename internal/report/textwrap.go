package report

import (
	"regexp"
	"strings"

	"github.com/mattn/go-runewidth"
)

// sgr matches the ANSI colour sequences the terminal format adds; they
// take no columns.
var sgr = regexp.MustCompile("\x1b\\[[0-9;]*m")

// displayWidth is how many terminal columns s takes: wide (East Asian)
// runes count two, combining marks none, colour sequences none.
func displayWidth(s string) int { return runewidth.StringWidth(sgr.ReplaceAllString(s, "")) }

// wrap breaks s into lines of at most width display columns, between words
// where it can: the first line starts with first, the others with rest. A
// word wider than a line (a long URL) is broken where it must be. s is one
// line; an empty s gives the bare prefix.
func wrap(s string, width int, first, rest string) []string {
	var lines []string
	line, lineW := first, displayWidth(first)
	empty := true // nothing but the prefix on line yet
	flush := func() {
		lines = append(lines, line)
		line, lineW, empty = rest, displayWidth(rest), true
	}
	pending := 0 // extra spaces before the next word (aligned columns)
	for _, word := range strings.Split(s, " ") {
		if word == "" {
			pending++
			continue
		}
		w := displayWidth(word)
		sep := 0
		if !empty {
			sep = 1 + pending
		}
		pending = 0
		if lineW+sep+w <= width {
			line += strings.Repeat(" ", sep) + word
			lineW += sep + w
			empty = false
			continue
		}
		if !empty {
			flush()
		}
		// The word alone is too wide for a line: break it by runes.
		for displayWidth(word) > width-lineW {
			room := max(width-lineW, 1)
			head := runewidth.Truncate(word, room, "")
			if head == "" {
				head = string([]rune(word)[:1])
			}
			line += head
			word = word[len(head):]
			flush()
		}
		line += word
		lineW += displayWidth(word)
		empty = word == ""
	}
	lines = append(lines, strings.TrimRight(line, " "))
	return lines
}

// TermWidth is the widest line launchready prints on a terminal.
const TermWidth = termWidth

// Wrap breaks text (several lines) to TermWidth columns, continuation lines
// indented by indent; for notes printed around the scorecard.
func Wrap(text, indent string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		out = append(out, wrap(l, termWidth, "", indent)...)
	}
	return strings.Join(out, "\n")
}

// Fit shortens one line to width columns at a word boundary, ending it
// with "…" when anything was left out; for one-line pointers (progress,
// "why") whose full text is printed elsewhere.
func Fit(s string, width int) string {
	if displayWidth(s) <= width {
		return s
	}
	cut := runewidth.Truncate(s, width-1, "")
	// Back to the last word boundary, unless the cut is at one already.
	if next := s[len(cut):]; !strings.HasPrefix(next, " ") {
		if i := strings.LastIndex(cut, " "); i > width/2 {
			cut = cut[:i]
		}
	}
	return strings.TrimRight(cut, " ,;:") + "…"
}

// shellLines breaks a shell command (a repro) into lines of at most width
// columns that a shell still reads as the same command: between words with
// a trailing " \", and inside a single-quoted word that is too long by
// closing the quote, continuing the line and reopening it ('ab'\⏎'cd' is
// the word abcd; such a continuation starts the next line, unindented,
// since a space there would end the word). first and rest prefix the
// lines.
func shellLines(cmd string, width int, first, rest string) []string {
	words := shellWords(cmd)
	var lines []string
	line := first
	empty := true
	for i, w := range words {
		// Room for the word and, unless it is the last, " \".
		tail := 2
		if i == len(words)-1 {
			tail = 0
		}
		sep := " "
		if empty {
			sep = ""
		}
		if displayWidth(line+sep+w)+tail <= width {
			line += sep + w
			empty = false
			continue
		}
		if !empty {
			lines = append(lines, line+" \\")
			line, empty = rest, true
		}
		for displayWidth(line+w)+tail > width {
			cut := quotedCut(w, width-displayWidth(line)-2)
			if cut <= 0 {
				break // nothing safe to cut: leave the line long
			}
			lines = append(lines, line+w[:cut]+"'\\")
			w = "'" + w[cut:]
			line = ""
		}
		line += w
		empty = false
	}
	return append(lines, line)
}

// shellWords splits a command at spaces outside single quotes.
func shellWords(cmd string) []string {
	var words []string
	var cur strings.Builder
	quoted := false
	for _, r := range cmd {
		switch {
		case r == '\'':
			quoted = !quoted
		case r == ' ' && !quoted:
			if cur.Len() > 0 {
				words = append(words, cur.String())
				cur.Reset()
			}
			continue
		}
		cur.WriteRune(r)
	}
	if cur.Len() > 0 {
		words = append(words, cur.String())
	}
	return words
}

// quotedCut is the largest byte offset at most max columns into w that
// lies inside a single-quoted part, after at least one quoted character,
// on a rune boundary: where the quote can be closed and reopened. 0 when
// there is none.
func quotedCut(w string, max int) int {
	quoted, cut, col, since := false, 0, 0, 0
	for i, r := range w {
		if col >= max {
			break
		}
		if quoted && r != '\'' && since > 0 {
			cut = i
		}
		if r == '\'' {
			quoted = !quoted
			since = 0
		} else if quoted {
			since++
		}
		col += runewidth.RuneWidth(r)
	}
	return cut
}
