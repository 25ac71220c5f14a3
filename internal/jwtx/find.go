package jwtx

import (
	"slices"
	"strings"
)

// MaxFind is the most tokens Find returns from one text.
const MaxFind = 32

// maxCandidates bounds the JWT-shaped runs Find fully parses, so a body
// full of near-misses costs milliseconds, not seconds.
const maxCandidates = 1024

// Find returns the distinct JWTs found in arbitrary text (a Cookie or
// Authorization header, a JSON body, HTML), in order of appearance, at most
// MaxFind of them. A candidate is a whole run of base64url characters and
// dots shaped eyJ….eyJ….signature (the signature may be empty; one trailing
// sentence dot is ignored) that Parse accepts. Work is linear in len(s), and
// Find gives up after parsing 1024 candidates.
func Find(s string) []string {
	var out []string
	tried := 0
	for i := 0; i < len(s) && len(out) < MaxFind && tried < maxCandidates; {
		if !isTokenByte(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isTokenByte(s[j]) {
			j++
		}
		if run, ok := shaped(s[i:j]); ok && !slices.Contains(out, run) {
			tried++
			if _, err := Parse(run); err == nil {
				out = append(out, run)
			}
		}
		i = j
	}
	return out
}

// shaped reports whether a maximal run of token bytes is shaped like a JWT,
// and returns it without a trailing sentence dot. Runs are maximal, so a
// token glued to other base64 text is not split off it.
func shaped(run string) (string, bool) {
	if len(run) > MaxSize+1 || !strings.HasPrefix(run, "eyJ") {
		return "", false
	}
	if strings.Count(run, ".") == 3 && strings.HasSuffix(run, ".") {
		run = run[:len(run)-1]
	}
	if strings.Count(run, ".") != 2 {
		return "", false
	}
	_, rest, _ := strings.Cut(run, ".")
	return run, strings.HasPrefix(rest, "eyJ")
}

// isTokenByte reports whether c may appear in a compact JWT: the base64url
// alphabet and the segment separator.
func isTokenByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.'
}
