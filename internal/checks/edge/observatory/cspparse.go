package observatory

import (
	"fmt"
	"slices"
	"strings"
)

// policy is one parsed Content-Security-Policy, or several merged into one:
// each directive's sources, lower-cased, and the report directives that were
// repeated.
type policy struct {
	dirs  map[string][]string
	dupes []string
}

// shortestPolicy is the Observatory's floor for a policy's length (one less
// than len("img-src")); anything shorter is invalid.
const shortestPolicy = len("img-src") - 1

// metaIgnored are the directives HTML does not allow in a <meta http-equiv>
// policy; browsers, and the Observatory, ignore them there.
var metaIgnored = []string{"frame-ancestors", "report-uri", "sandbox"}

// fallbackFetch are the directives the tests read that fall back to
// default-src when absent.
var fallbackFetch = []string{"script-src", "style-src", "object-src", "img-src", "media-src"}

// parsePolicies parses every policy of the header and meta values. A comma
// separates policies (RFC 9110 §5.3 joins repeated headers with one, and CSP3
// §2.2 keeps commas out of directive values), so several headers and a
// comma-joined header are read alike. Any invalid policy makes all invalid.
func parsePolicies(header, meta []string) ([]policy, error) {
	var out []policy
	for i, raw := range splitPolicies(header) {
		p, err := parsePolicy(raw)
		if err != nil {
			return nil, fmt.Errorf("policy %d: %w", i+1, err)
		}
		out = append(out, p)
	}
	for i, raw := range splitPolicies(meta) {
		p, err := parsePolicy(raw)
		if err != nil {
			return nil, fmt.Errorf("<meta> policy %d: %w", i+1, err)
		}
		for _, d := range metaIgnored {
			delete(p.dirs, d)
		}
		out = append(out, p)
	}
	return out, nil
}

func splitPolicies(values []string) []string {
	var out []string
	for _, v := range values {
		out = append(out, strings.Split(v, ",")...)
	}
	return out
}

// parsePolicy parses one policy. Like the Observatory it rejects an empty or
// too short policy and a repeated directive, except report-uri and report-to,
// whose repeats are only noted (browsers use the first).
func parsePolicy(raw string) (policy, error) {
	raw = strings.TrimSpace(strings.NewReplacer("\r", "", "\n", "").Replace(raw))
	if len(raw) < shortestPolicy {
		return policy{}, fmt.Errorf("%s is empty or too short to be a policy", quoted(raw))
	}
	p := policy{dirs: map[string][]string{}}
	for entry := range strings.SplitSeq(raw, ";") {
		f := strings.Fields(entry)
		if len(f) == 0 {
			continue
		}
		name := strings.ToLower(f[0])
		if _, seen := p.dirs[name]; !seen {
			p.dirs[name] = sourceList(f[1:])
			continue
		}
		if name != "report-uri" && name != "report-to" {
			return policy{}, fmt.Errorf("directive %s appears twice", show(name))
		}
		if !slices.Contains(p.dupes, name) {
			p.dupes = append(p.dupes, name)
		}
	}
	return p, nil
}

// sourceList lower-cases and de-duplicates sources; an empty list means
// 'none'.
func sourceList(fields []string) []string {
	out := make([]string, 0, len(fields))
	seen := make(map[string]bool, len(fields))
	for _, f := range fields {
		if s := strings.ToLower(f); !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return []string{"'none'"}
	}
	return out
}

// merge combines several enforced policies into the one a browser in effect
// applies: a resource must pass every policy, so a directive's sources are
// those its policies have in common, a path source counting as common with a
// longer path under it (as the Observatory's parser does). Nothing in common
// leaves 'none'.
//
// On purpose we depart from the Observatory in one way: it turns a directive
// that the first policy lacks into 'none', which can credit a weak second
// policy with default-src 'none'. A browser checks each policy on its own, so
// here a policy without a directive (nor default-src) does not restrict it,
// and default-src is expanded per policy before intersecting.
func merge(pols []policy) policy {
	if len(pols) == 1 {
		return pols[0]
	}
	out := policy{dirs: map[string][]string{}}
	for _, p := range pols {
		for _, d := range p.dupes {
			if !slices.Contains(out.dupes, d) {
				out.dupes = append(out.dupes, d)
			}
		}
		for name, list := range withFallbacks(p.dirs) {
			if prev, ok := out.dirs[name]; ok {
				list = intersect(prev, list)
			}
			out.dirs[name] = list
		}
	}
	return out
}

// withFallbacks copies dirs, giving each directive the tests read its
// default-src sources when the policy lacks it.
func withFallbacks(dirs map[string][]string) map[string][]string {
	out := make(map[string][]string, len(dirs)+len(fallbackFetch))
	for k, v := range dirs {
		out[k] = v
	}
	def, ok := dirs["default-src"]
	if !ok {
		return out
	}
	for _, name := range fallbackFetch {
		if _, set := out[name]; !set {
			out[name] = def
		}
	}
	return out
}

// intersect returns the sources a and b have in common: equal ones, and a
// source lying under a path source ending in "/" of the other list.
func intersect(a, b []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, pair := range [][2][]string{{a, b}, {b, a}} {
		other := newSourceSet(pair[1])
		for _, s := range pair[0] {
			if !seen[s] && other.covers(s) {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	if len(out) == 0 {
		return []string{"'none'"}
	}
	return out
}

// sourceSet indexes a source list for intersect. dirLens holds the distinct
// lengths of its sources ending in "/", so that covers costs a few map
// look-ups instead of a scan of the list, even for huge hostile headers.
type sourceSet struct {
	set     map[string]bool
	dirLens []int
}

func newSourceSet(list []string) sourceSet {
	x := sourceSet{set: make(map[string]bool, len(list))}
	lens := map[int]bool{}
	for _, s := range list {
		x.set[s] = true
		if strings.HasSuffix(s, "/") && !lens[len(s)] {
			lens[len(s)] = true
			x.dirLens = append(x.dirLens, len(s))
		}
	}
	return x
}

// covers reports whether the set has s, or a path source ending in "/"
// that s lies under.
func (x sourceSet) covers(s string) bool {
	if x.set[s] {
		return true
	}
	for _, l := range x.dirLens {
		if l < len(s) && s[l-1] == '/' && x.set[s[:l]] {
			return true
		}
	}
	return false
}
