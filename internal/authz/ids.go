package authz

import (
	"math/big"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// ID shapes, from an object ID's text.
var (
	uuidRe   = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-([0-9a-fA-F])[0-9a-fA-F]{3}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	hexRe    = regexp.MustCompile(`^[0-9a-fA-F]{8,}$`)
	digitsRe = regexp.MustCompile(`^[0-9]{1,19}$`)
	// prefixedRe is a type prefix and a random part: inv_3f9a…, cus-Ab12…
	prefixedRe = regexp.MustCompile(`^[A-Za-z]{1,12}[_-]([0-9A-Za-z]{6,})$`)
	// prefixedIntRe is a type prefix over an integer: inv_1001, INV-1001.
	prefixedIntRe = regexp.MustCompile(`^[A-Za-z]{1,12}[_-]?([0-9]{1,19})$`)
	// tokenRe is an opaque ID: letters and digits mixed, 16+ characters.
	tokenRe = regexp.MustCompile(`^[0-9A-Za-z_-]{16,}$`)
)

// LooksLikeID reports whether a path segment or parameter value reads as an
// object ID rather than a word: digits, a UUID, long hex, a prefixed random
// part, or a long opaque token with digits in it.
func LooksLikeID(s string) bool {
	switch {
	case len(s) == 0 || len(s) > 128:
		return false
	case digitsRe.MatchString(s), uuidRe.MatchString(s), hexRe.MatchString(s) && hasDigit(s):
		return true
	case prefixedRe.MatchString(s):
		return hasDigit(prefixedRe.FindStringSubmatch(s)[1])
	case tokenRe.MatchString(s):
		return hasDigit(s) && hasLetter(s)
	}
	return false
}

func hasDigit(s string) bool  { return strings.ContainsAny(s, "0123456789") }
func hasLetter(s string) bool { return strings.IndexFunc(s, isLetter) >= 0 }
func isLetter(r rune) bool    { return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') }

// Guess is how guessable a set of IDs is.
type Guess struct {
	// Guessable is true for sequential or small integer IDs.
	Guessable bool
	// TimeBased is true for UUID version 1 (time and node, not random).
	TimeBased bool
	// Why says what was seen.
	Why string
}

// JudgeIDs tells whether object IDs can be guessed: integers (or a type
// prefix over integers) that sit close together or are short; version-1
// UUIDs are time-based. Random IDs (UUIDv4, long hex, opaque tokens) are
// not guessable.
func JudgeIDs(ids []string) Guess {
	var nums []*big.Int
	v1 := 0
	for _, id := range ids {
		core := id
		if m := prefixedIntRe.FindStringSubmatch(id); m != nil {
			core = m[1]
		}
		if digitsRe.MatchString(core) {
			n, _ := new(big.Int).SetString(core, 10)
			nums = append(nums, n)
			continue
		}
		if m := uuidRe.FindStringSubmatch(id); m != nil && m[1] == "1" {
			v1++
		}
	}
	if len(nums) > 0 && len(nums) == len(ids) {
		slices.SortFunc(nums, func(a, b *big.Int) int { return a.Cmp(b) })
		span := new(big.Int).Sub(nums[len(nums)-1], nums[0])
		short := nums[len(nums)-1].BitLen() <= 32
		// Sequential: the IDs of two members' objects sit within a small
		// range, so counting up or down from one reaches the others.
		close := len(nums) > 1 && span.Cmp(big.NewInt(int64(1000*len(nums)))) <= 0
		if close || short {
			why := "integer IDs"
			if close {
				why += " within " + span.String() + " of each other"
			}
			if short {
				why += " of at most 32 bits"
			}
			return Guess{Guessable: true, Why: why + ": " + quoteIDs(ids)}
		}
		return Guess{Why: "large, spread-out integer IDs: " + quoteIDs(ids)}
	}
	if v1 > 0 {
		return Guess{TimeBased: true, Why: strconv.Itoa(v1) + " version-1 (time-based) UUIDs: " + quoteIDs(ids)}
	}
	return Guess{Why: "random-looking IDs: " + quoteIDs(ids)}
}

func quoteIDs(ids []string) string {
	if len(ids) > 6 {
		ids = append(slices.Clone(ids[:6]), "…")
	}
	return strings.Join(ids, ", ")
}

// Template is a URL with one place for an object ID: in a path segment or
// in a query parameter.
type Template struct {
	// Raw is the template as written, with {id}.
	Raw string
	// Via is "path" or "query".
	Via string
}

// Fill puts an ID into the template, escaped for where it goes.
func (t Template) Fill(id string) string {
	esc := url.PathEscape(id)
	if t.Via == "query" {
		esc = url.QueryEscape(id)
	}
	return strings.Replace(t.Raw, "{id}", esc, 1)
}

// Match extracts the ID from a URL made from the template, or "".
func (t Template) Match(raw string) string {
	pre, post, ok := strings.Cut(t.Raw, "{id}")
	if !ok || !strings.HasPrefix(raw, pre) || !strings.HasSuffix(raw, post) || len(raw) <= len(pre)+len(post) {
		return ""
	}
	id := raw[len(pre) : len(raw)-len(post)]
	if strings.ContainsAny(id, "/?#&") {
		return ""
	}
	if dec, err := url.PathUnescape(id); err == nil {
		id = dec
	}
	return id
}

// templatesOf proposes the templates a URL is an instance of: one per path
// segment or query value that looks like an ID.
func templatesOf(u *url.URL) []Template {
	var out []Template
	segs := strings.Split(u.EscapedPath(), "/")
	for i, s := range segs {
		dec, err := url.PathUnescape(s)
		if err != nil || !LooksLikeID(dec) {
			continue
		}
		parts := slices.Clone(segs)
		parts[i] = "{id}"
		out = append(out, Template{Raw: origin(u) + strings.Join(parts, "/") + query(u), Via: "path"})
	}
	q := u.Query()
	for _, k := range sortedKeys(q) {
		if len(q[k]) != 1 || !LooksLikeID(q[k][0]) {
			continue
		}
		c := url.Values{}
		for k2, v := range q {
			c[k2] = v
		}
		c.Set(k, "ID_PLACEHOLDER")
		raw := origin(u) + u.EscapedPath() + "?" + strings.Replace(c.Encode(), "ID_PLACEHOLDER", "{id}", 1)
		out = append(out, Template{Raw: raw, Via: "query"})
	}
	return out
}

func origin(u *url.URL) string { return u.Scheme + "://" + u.Host }

func query(u *url.URL) string {
	if u.RawQuery == "" {
		return ""
	}
	return "?" + u.RawQuery
}

func sortedKeys(v url.Values) []string {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
