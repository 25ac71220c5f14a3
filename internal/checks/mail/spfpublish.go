package mail

import (
	"slices"
	"strings"

	"github.com/launchready/launchready/internal/mailauth"
)

// suggestSPF is the record to publish: the current record's terms
// without ptr, all and modifiers, the provider's include, and -all. With
// the walk e it also drops terms whose lookup was void or whose include
// is broken or loops, and, while over 10 lookups, replaces the largest
// includes (never the provider's) by the addresses they list.
func suggestSPF(rec *mailauth.SPFRecord, provider string, e *mailauth.SPFEval) string {
	terms := []string{"v=spf1"}
	if rec != nil {
		terms = append(terms, keptTerms(rec, provider, e)...)
	}
	switch {
	case provider != "":
		terms = append(terms, "include:"+provider)
	case len(terms) == 1:
		terms = append(terms, "include:<your mail provider's SPF domain>")
	}
	return strings.Join(append(terms, "-all"), " ")
}

// keptTerms is rec's terms as suggestSPF keeps them.
func keptTerms(rec *mailauth.SPFRecord, provider string, e *mailauth.SPFEval) []string {
	drop := map[string]bool{}
	flat := map[string][]string{}
	if e != nil {
		for _, n := range e.VoidNames {
			drop[n] = true
		}
		for _, c := range e.Root.Children {
			if len(brokenIncludes(&mailauth.SPFNode{Children: []*mailauth.SPFNode{c}})) > 0 || loops(c) {
				drop[strings.ToLower(c.Domain)] = true
			}
		}
		flat = flattenUntilFits(e, provider)
	}
	var out []string
	for _, t := range rec.Terms {
		dom := strings.ToLower(strings.TrimSuffix(t.Domain, "."))
		switch {
		case t.Modifier || t.Name == "all" || t.Name == "ptr":
		case t.Name == "include" && provider != "" && dom == provider:
		case drop[dom] && t.Domain != "":
		case t.Name == "include" && flat[dom] != nil:
			out = append(out, flat[dom]...)
		default:
			out = append(out, strings.TrimPrefix(t.Text, "+"))
		}
	}
	return out
}

// flattenUntilFits picks the root's includes to replace by their
// addresses, largest subtree first, until the count is within 10.
func flattenUntilFits(e *mailauth.SPFEval, provider string) map[string][]string {
	out := map[string][]string{}
	total := e.Lookups
	kids := slices.Clone(e.Root.Children)
	slices.SortStableFunc(kids, func(a, b *mailauth.SPFNode) int { return b.Total - a.Total })
	for _, c := range kids {
		if total <= mailauth.SPFLookupLimit {
			break
		}
		dom := strings.ToLower(strings.TrimSuffix(c.Domain, "."))
		if c.Via != "include" || dom == provider {
			continue
		}
		terms, ok := mailauth.Flatten(c)
		if !ok || len(terms) == 0 {
			// Its hosts' addresses need lookups of their own (a, mx): the
			// record to publish names them for the owner to fill in,
			// rather than keeping an include that stays over the limit.
			terms = []string{"ip4:<the addresses " + dom + " lists>"}
		}
		out[dom] = terms
		total -= c.Total + 1
	}
	return out
}

// mergeSPF merges several records' terms into one suggestion.
func mergeSPF(recs []string, provider string) string {
	merged := &mailauth.SPFRecord{}
	seen := map[string]bool{}
	for _, raw := range recs {
		p, err := mailauth.ParseSPF(raw)
		if err != nil {
			continue
		}
		for _, t := range p.Terms {
			if !seen[strings.ToLower(t.Text)] {
				seen[strings.ToLower(t.Text)] = true
				merged.Terms = append(merged.Terms, t)
			}
		}
	}
	return suggestSPF(merged, provider, nil)
}
