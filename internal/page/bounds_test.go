package page

import (
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strings"
	"testing"
)

// TestHostileDocumentsBounded reads documents built to blow up an HTML
// tree builder: every function reads each whole and allocates a small
// multiple of its size (the tree builder allocated about 100 times the
// size of nested inline tags: 1 GB for a 9 MB page), and a login form at
// the very end is still seen.
func TestHostileDocumentsBounded(t *testing.T) {
	const size = 2 << 20
	repeat := func(unit string) string { return strings.Repeat(unit, size/len(unit)) }
	login := `<form method=post action=/login><input name=email><input type=password name=password></form>`
	tests := []struct {
		name string
		body string
	}{
		{"nested inline tags around paragraphs", repeat("<b><i><p>x")},
		{"formatting elements reopened in every cell", repeat("<a href=/x><table><td>x")},
		{"100k nested divs", strings.Repeat("<div>", 100_000) + "deep" + strings.Repeat("</div>", 100_000)},
		{"100k links", repeat(`<a href="/things/1">thing</a>`)},
		{"one huge inline script", "<script>" + repeat("var a = 1;\n") + "</script>"},
		{"json nested 100k deep", strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000)},
	}
	base, _ := url.Parse("https://portal.test/")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := []byte(tt.body + login)
			for _, read := range []struct {
				name string
				fn   func()
			}{
				{"Forms", func() { Forms(body, base) }},
				{"HasPasswordInput", func() {
					if !HasPasswordInput(body) {
						t.Error("the login form at the end was not seen")
					}
				}},
				{"Links", func() { Links(body, base) }},
				{"Scripts", func() { Scripts(body, base) }},
				{"ScriptElements", func() { ScriptElements(body, base) }},
				{"Segments", func() { Segments(body) }},
			} {
				if got, limit := allocated(read.fn), uint64(5*len(body)+(8<<20)); got > limit {
					t.Errorf("%s allocated %d MiB for a %d MiB body, want at most %d MiB", read.name, got>>20, len(body)>>20, limit>>20)
				}
			}
		})
	}
}

// allocated is the bytes fn allocates.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestCutSaysWhatWasLeftOut: a read that stops at a bound returns what it
// read and a *CutError naming the bound, never a silent partial answer.
func TestCutSaysWhatWasLeftOut(t *testing.T) {
	base, _ := url.Parse("https://portal.test/")
	var links, scripts, segs strings.Builder
	for i := range maxLinks + 5 {
		fmt.Fprintf(&links, `<a href="/t/%d">t%d</a>`, i, i)
		fmt.Fprintf(&scripts, `<script src="/s/%d.js"></script>`, i)
	}
	for i := range maxSegments + 5 {
		fmt.Fprintf(&segs, "<p>segment %d</p>", i)
	}
	tests := []struct {
		name string
		read func() (int, error)
		want int
		cut  string
	}{
		{"links", func() (int, error) { l, err := Links([]byte(links.String()), base); return len(l), err }, maxLinks, "more than 2000 links"},
		{"scripts", func() (int, error) { s, err := Scripts([]byte(scripts.String()), base); return len(s), err }, maxLinks, "more than 2000 scripts"},
		{"script elements", func() (int, error) { s, err := ScriptElements([]byte(scripts.String()), base); return len(s), err }, maxLinks, "more than 2000 scripts"},
		{"segments", func() (int, error) { s, err := Segments([]byte(segs.String())); return len(s), err }, maxSegments, "more than 100000 distinct text segments"},
		{"whole links", func() (int, error) {
			l, err := Links([]byte(`<a href=/a>a</a><a href=/b>b</a>`), base)
			return len(l), err
		}, 2, ""},
	}
	for _, tt := range tests {
		n, err := tt.read()
		var cut *CutError
		switch {
		case n != tt.want:
			t.Errorf("%s: read %d, want %d", tt.name, n, tt.want)
		case tt.cut == "" && err != nil:
			t.Errorf("%s: %v, want no cut", tt.name, err)
		case tt.cut != "" && (!errors.As(err, &cut) || !strings.Contains(err.Error(), tt.cut)):
			t.Errorf("%s: error %v, want a *CutError saying %q", tt.name, err, tt.cut)
		}
	}
}

// TestTokensBounded: past MaxTokens a read stops and says so.
func TestTokensBounded(t *testing.T) {
	body := []byte(strings.Repeat("<i>", MaxTokens+1))
	_, err := Segments(body)
	var cut *CutError
	if !errors.As(err, &cut) || !strings.Contains(err.Error(), "HTML tokens") {
		t.Fatalf("Segments of %d tokens: %v, want a cut", MaxTokens+1, err)
	}
}
