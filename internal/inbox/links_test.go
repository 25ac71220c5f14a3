package inbox

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestLinks(t *testing.T) {
	tests := []struct {
		name       string
		text, html string
		want       []string
	}{
		{"trailing period", "Confirm at https://a.example/v?t=1.", "", []string{"https://a.example/v?t=1"}},
		{"unbalanced paren", "(see https://a.example/x)", "", []string{"https://a.example/x"}},
		{"balanced paren kept", "https://en.example/wiki/Go_(lang) rocks", "", []string{"https://en.example/wiki/Go_(lang)"}},
		{"angle brackets", "Click <https://a.example/verify?t=abc>, then log in", "", []string{"https://a.example/verify?t=abc"}},
		{"quotes and punctuation", `"https://a.example/q", 'https://b.example/r'! https://c.example/s?;`, "",
			[]string{"https://a.example/q", "https://b.example/r", "https://c.example/s"}},
		{"upper-case scheme, http", "HTTPS://A.example/X and http://b.example", "", []string{"HTTPS://A.example/X", "http://b.example"}},
		{"not a scheme", "xhttps://a.example/ https:// https://?q ftp://f.example/ www.example.com", "", nil},
		{"href entity decoded", "", `<a href="https://a.example/v?t=1&amp;u=2">go</a>`, []string{"https://a.example/v?t=1&u=2"}},
		{"ignored hrefs", "", `<a href="javascript:alert(1)">x</a><a href="mailto:qa@example.com">m</a>` +
			`<a href="/relative">r</a><a href="//cdn.example/x">p</a><a href="#top">t</a><a>none</a>`, nil},
		{"href then bare text", "", `<p>or paste https://b.example/paste&amp;x=1</p><a href=" https://a.example/click ">c</a>`,
			[]string{"https://a.example/click", "https://b.example/paste&x=1"}},
		{"script and style skipped", "", `<script>var u="https://evil.example/s"</script><style>@import url(https://evil.example/c);</style>ok`, nil},
		{"area and whitespace in href", "", "<map><area href=\"https://a.example/\r\nlong\"></map>", []string{"https://a.example/long"}},
		{"duplicates once, text first", "https://a.example/v https://a.example/v",
			`<a href="https://b.example/">b</a><a href="https://a.example/v">a</a> https://b.example/`,
			[]string{"https://a.example/v", "https://b.example/"}},
		{"broken html", "", `<a href="https://a.example/x`, nil},
		{"nbsp ends a url", "https://a.example/x\u00a0next", "", []string{"https://a.example/x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Links(&Message{Text: tt.text, HTML: tt.html})
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	if Links(nil) != nil {
		t.Error("Links(nil) != nil")
	}
}

func TestLinksCapped(t *testing.T) {
	var b strings.Builder
	for i := range 500 {
		fmt.Fprintf(&b, "https://a.example/%d ", i)
	}
	b.WriteString("https://a.example/" + strings.Repeat("x", maxLinkBytes))
	got := Links(&Message{Text: b.String()})
	if len(got) != maxLinks || got[0] != "https://a.example/0" || got[maxLinks-1] != "https://a.example/199" {
		t.Errorf("got %d links, first %q", len(got), got[:1])
	}
	long := Links(&Message{Text: "https://a.example/" + strings.Repeat("x", maxLinkBytes)})
	if len(long) != 0 {
		t.Errorf("an over-long URL was kept")
	}
}
