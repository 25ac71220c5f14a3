package safetext

import (
	"testing"
	"unicode/utf8"
)

func TestPrefix(t *testing.T) {
	for _, tc := range []struct {
		s    string
		n    int
		want string
	}{
		{"price 12€", 9, "price 12"},   // € is 3 bytes: 9 is its second
		{"price 12€", 10, "price 12"},  // its third
		{"price 12€", 11, "price 12€"}, // past it: whole
		{"price 12€", 8, "price 12"},
		{"€€€", 4, "€"},
		{"€€€", 6, "€€"},
		{"naïve", 3, "na"},
		{"日本語テキスト", 7, "日本"},
		{"emoji 😀 end", 8, "emoji "},
		{"emoji 😀 end", 10, "emoji 😀"},
		{"ascii only", 5, "ascii"},
		{"short", 50, "short"},
		{"€", 0, ""},
		{"€", -1, ""},
		{"bad \xff\xfe bytes", 6, "bad \xff\xfe"}, // already invalid: cut where asked
	} {
		got := Prefix(tc.s, tc.n)
		if got != tc.want {
			t.Errorf("Prefix(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
		if utf8.ValidString(tc.s) && !utf8.ValidString(got) {
			t.Errorf("Prefix(%q, %d) = %q: invalid UTF-8", tc.s, tc.n, got)
		}
	}
}

func TestRuneFloorAndCeil(t *testing.T) {
	s := "a€b😀c" // a=0, €=1..3, b=4, 😀=5..8, c=9
	for _, tc := range []struct{ i, floor, ceil int }{
		{-3, 0, 0}, {0, 0, 0}, {1, 1, 1}, {2, 1, 4}, {3, 1, 4}, {4, 4, 4},
		{5, 5, 5}, {6, 5, 9}, {8, 5, 9}, {9, 9, 9}, {10, 10, 10}, {42, 10, 10},
	} {
		if got := RuneFloor(s, tc.i); got != tc.floor {
			t.Errorf("RuneFloor(%q, %d) = %d, want %d", s, tc.i, got, tc.floor)
		}
		if got := RuneFloor([]byte(s), tc.i); got != tc.floor {
			t.Errorf("RuneFloor([]byte(%q), %d) = %d, want %d", s, tc.i, got, tc.floor)
		}
		if got := RuneCeil(s, tc.i); got != tc.ceil {
			t.Errorf("RuneCeil(%q, %d) = %d, want %d", s, tc.i, got, tc.ceil)
		}
		lo, hi := RuneCeil(s, tc.i), RuneFloor(s, 10)
		if lo <= hi && !utf8.ValidString(s[lo:hi]) {
			t.Errorf("s[RuneCeil(%d):] = %q: invalid UTF-8", tc.i, s[lo:hi])
		}
	}
}

func FuzzPrefix(f *testing.F) {
	f.Add("price 12€", 9)
	f.Add("日本語", 4)
	f.Fuzz(func(t *testing.T, s string, n int) {
		got := Prefix(s, n)
		if len(got) > max(n, 0) || got != s[:len(got)] {
			t.Fatalf("Prefix(%q, %d) = %q: not a start of at most n bytes", s, n, got)
		}
		if utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Fatalf("Prefix(%q, %d) = %q: invalid UTF-8", s, n, got)
		}
		if n >= 0 && n < len(s) && len(got) < n-utf8.UTFMax+1 {
			t.Fatalf("Prefix(%q, %d) = %q: cut more than one rune short", s, n, got)
		}
	})
}
