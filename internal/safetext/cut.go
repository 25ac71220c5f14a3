package safetext

import "unicode/utf8"

// Prefix returns the longest start of s at most n bytes long that ends on
// a rune boundary: cutting text the target chose (an excerpt, a header, a
// message) by bytes alone can split a multi-byte character such as €
// into invalid UTF-8.
func Prefix(s string, n int) string {
	return s[:RuneFloor(s, n)]
}

// RuneFloor returns i moved back to the start of the UTF-8 sequence it
// falls inside, so s[:i] and s[i:] both keep whole runes; i is clamped to
// [0, len(s)]. Bytes that are not valid UTF-8 are cut where asked.
func RuneFloor[T ~string | ~[]byte](s T, i int) int {
	if i <= 0 {
		return 0
	}
	if i >= len(s) {
		return len(s)
	}
	if start, ok := runeAround(s, i); ok {
		return start
	}
	return i
}

// RuneCeil returns i moved forward to the end of the UTF-8 sequence it
// falls inside: the start of a window cut at RuneCeil(s, lo) drops the
// tail of a character rather than splitting it. i is clamped to
// [0, len(s)].
func RuneCeil[T ~string | ~[]byte](s T, i int) int {
	if i <= 0 {
		return 0
	}
	if i >= len(s) {
		return len(s)
	}
	if start, ok := runeAround(s, i); ok {
		_, size := utf8.DecodeRune([]byte(s[start:min(len(s), start+utf8.UTFMax)]))
		return start + size
	}
	return i
}

// runeAround finds the start of the valid UTF-8 sequence that holds byte
// i past its first byte; ok is false when i starts a rune or sits in
// invalid bytes.
func runeAround[T ~string | ~[]byte](s T, i int) (start int, ok bool) {
	for j := i; j > 0 && j > i-utf8.UTFMax; {
		j--
		if !utf8.RuneStart(s[j]) {
			continue
		}
		r, size := utf8.DecodeRune([]byte(s[j:min(len(s), j+utf8.UTFMax)]))
		return j, !(r == utf8.RuneError && size <= 1) && j+size > i
	}
	return 0, false
}
