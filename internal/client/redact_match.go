package client

import (
	"slices"
	"sort"
	"strings"
)

// valueSet finds known values in a text in one pass, whatever their number.
// Each value (at least anchorLen bytes) is indexed by its first anchorLen
// bytes; at each position of the text a bitset of two-byte prefixes skips
// most positions, the anchor map finds the lengths of the values that start
// that way, and one map look-up per length (longest first) finds the value.
// Adding is O(1) and never re-sorts; a search costs one pass over the text
// plus, where an anchor matches, one look-up per distinct length under it.
type valueSet struct {
	pairs   [1 << 16 / 64]uint64
	anchors map[string][]int32
	values  map[string]struct{}
}

// anchorLen is the prefix length values are indexed by: no value is
// shorter.
const anchorLen = minSecretLen

func (s *valueSet) add(v string) bool {
	if len(v) < anchorLen {
		return false
	}
	if s.values == nil {
		s.values, s.anchors = map[string]struct{}{}, map[string][]int32{}
	}
	if _, ok := s.values[v]; ok {
		return false
	}
	s.values[v] = struct{}{}
	p := uint16(v[0])<<8 | uint16(v[1])
	s.pairs[p/64] |= 1 << (p % 64)
	a := v[:anchorLen]
	lens := s.anchors[a]
	n := int32(len(v))
	// Longest first: the first length that matches is the longest match.
	i := sort.Search(len(lens), func(i int) bool { return lens[i] <= n })
	if i == len(lens) || lens[i] != n {
		s.anchors[strings.Clone(a)] = slices.Insert(lens, i, n)
	}
	return true
}

func (s *valueSet) len() int { return len(s.values) }

// find calls fn with the longest value starting at each position of t.
func (s *valueSet) find(t string, fn func(a, b int)) {
	if len(s.values) == 0 {
		return
	}
	for i := 0; i+anchorLen <= len(t); i++ {
		p := uint16(t[i])<<8 | uint16(t[i+1])
		if s.pairs[p/64]&(1<<(p%64)) == 0 {
			continue
		}
		lens, ok := s.anchors[t[i:i+anchorLen]]
		if !ok {
			continue
		}
		for _, n := range lens {
			end := i + int(n)
			if end > len(t) {
				continue
			}
			if _, ok := s.values[t[i:end]]; ok {
				fn(i, end)
				break
			}
		}
	}
}

// findShort calls fn for each occurrence in t of a short value that stands
// where a credential stands: a form, query or fragment parameter's value,
// a JSON member's string value, a header's value.
func findShort(t string, values []string, fn func(a, b int)) {
	for _, v := range values {
		for from := 0; from < len(t); {
			i := strings.Index(t[from:], v)
			if i < 0 {
				break
			}
			a := from + i
			b := a + len(v)
			if credentialPosition(t, a, b) {
				fn(a, b)
			}
			from = a + 1
		}
	}
}

// credentialPosition reports whether t[a:b] is a whole parameter, JSON or
// header value: after "=", after a quote that follows ":" or "=", or after
// ":" and blanks; and up to a delimiter or the end.
func credentialPosition(t string, a, b int) bool {
	if b < len(t) && !strings.ContainsRune("&#;'\",}]) \t\r\n", rune(t[b])) {
		return false
	}
	if a == 0 {
		return false
	}
	switch t[a-1] {
	case '=', ':':
		return true
	case '"', '\'':
		j := skipBlanksBack(t, a-2)
		return j >= 0 && (t[j] == ':' || t[j] == '=')
	case ' ', '\t':
		j := skipBlanksBack(t, a-1)
		return j >= 0 && t[j] == ':'
	}
	return false
}

func skipBlanksBack(t string, j int) int {
	for j >= 0 && (t[j] == ' ' || t[j] == '\t') {
		j--
	}
	return j
}

// maskSpans replaces each run of overlapping or touching spans of s with
// one Mask: a secret overlapping another is masked whole, never in part.
func maskSpans(s string, spans []span) string {
	if len(spans) == 0 {
		return s
	}
	slices.SortFunc(spans, func(x, y span) int { return int(x.start - y.start) })
	var b strings.Builder
	b.Grow(len(s))
	last := 0
	cur := spans[0]
	flush := func() {
		b.WriteString(s[last:cur.start])
		b.WriteString(Mask)
		last = int(cur.end)
	}
	for _, sp := range spans[1:] {
		if sp.start <= cur.end {
			cur.end = max(cur.end, sp.end)
			continue
		}
		flush()
		cur = sp
	}
	flush()
	b.WriteString(s[last:])
	return b.String()
}
