package mailauth

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// RFC 7208 §4.6.4 limits, counted over the whole evaluation.
const (
	// SPFLookupLimit caps DNS-querying terms (include, a, mx, ptr,
	// exists, redirect).
	SPFLookupLimit = 10
	// SPFVoidLimit caps lookups that return NXDOMAIN or no answer.
	SPFVoidLimit = 2
	// spfStopAt stops the walk of a hostile tree long after the verdict
	// is known.
	spfStopAt = 40
)

// SPFNode is one record in the include/redirect tree, with its counts.
type SPFNode struct {
	Domain string
	// Via is how the parent reached it: "" for the root, "include" or
	// "redirect".
	Via string
	// Record is the SPF record found, "" when none.
	Record string
	// Parsed is nil when there is no record or it does not parse.
	Parsed *SPFRecord
	// Err is why the record could not be read or parsed: a lookup error,
	// *SPFSyntaxError, ErrNoSPF or ErrManySPF.
	Err error
	// Own counts this record's DNS-querying terms; Total adds its subtree's.
	Own, Total int
	// Children are the includes and the redirect, in record order.
	Children []*SPFNode
}

// SPFEval is the static evaluation of a domain's SPF: every term walked,
// as a receiver evaluating a message that matches nothing would.
type SPFEval struct {
	Root *SPFNode
	// Lookups is the DNS-querying terms of the whole tree.
	Lookups int
	// Voids lists the void lookups ("TYPE name: NXDOMAIN"), in order.
	Voids []string
	// VoidNames lists the names of the void lookups, lower-case.
	VoidNames []string
	// Loops lists include/redirect loops as "a → b → a".
	Loops []string
	// ManyMX lists mx terms whose name has more than 10 MX records, a
	// permerror (RFC 7208 §4.6.4).
	ManyMX []string
	// Ptr lists where ptr is used ("domain: term").
	Ptr []string
	// Macros lists terms whose macros were not expanded (counted, not
	// looked up).
	Macros []string
	// TempErrs are lookups that failed with SERVFAIL or a timeout inside
	// the tree.
	TempErrs []error
	// Truncated is true when the walk stopped at spfStopAt lookups.
	Truncated bool
}

// ErrNoSPF is a name with no v=spf1 record; ErrManySPF one with several
// (a permerror, RFC 7208 §4.5).
var (
	ErrNoSPF   = errors.New("no v=spf1 record")
	ErrManySPF = errors.New("more than one v=spf1 record (permerror, RFC 7208 §4.5)")
	// ErrSPFLoop marks an include or redirect back to a record above it.
	ErrSPFLoop = errors.New("loop")
)

// SPFRecords returns the v=spf1 records among name's TXT records.
func SPFRecords(ctx context.Context, r *Resolver, name string) ([]string, error) {
	txts, err := r.TXT(ctx, name)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, t := range txts {
		if IsSPF(t) {
			out = append(out, t)
		}
	}
	return out, nil
}

// EvaluateSPF fetches domain's SPF and walks its tree. The error is non-nil
// only when domain's own TXT lookup fails; everything below is in the
// result.
func EvaluateSPF(ctx context.Context, r *Resolver, domain string) (*SPFEval, error) {
	e := &SPFEval{}
	recs, err := SPFRecords(ctx, r, domain)
	if err != nil && !IsVoid(err) {
		return nil, err
	}
	e.Root = &SPFNode{Domain: domain}
	e.fill(e.Root, recs, err)
	if e.Root.Parsed != nil {
		e.walk(ctx, r, e.Root, []string{strings.ToLower(domain)})
	}
	e.Lookups = e.Root.Total
	return e, nil
}

// fill sets n's record from a lookup's answer.
func (e *SPFEval) fill(n *SPFNode, recs []string, err error) {
	var le *LookupError
	switch {
	case IsVoid(err) && errors.As(err, &le):
		n.Err = fmt.Errorf("%w (%s %s: %v)", ErrNoSPF, le.Type, le.Name, le.Kind)
	case err != nil:
		n.Err = err
	case len(recs) == 0:
		n.Err = ErrNoSPF
	case len(recs) > 1:
		n.Err = ErrManySPF
		n.Record = strings.Join(recs, " | ")
	default:
		n.Record = recs[0]
		n.Parsed, n.Err = ParseSPF(recs[0])
	}
}

// walk counts n's terms and descends into includes and the redirect;
// chain is the domains from the root to n, for loop detection.
func (e *SPFEval) walk(ctx context.Context, r *Resolver, n *SPFNode, chain []string) {
	_, hasAll := n.Parsed.All()
	for _, t := range n.Parsed.Terms {
		if !t.Lookup() || t.Modifier && hasAll {
			// redirect is ignored when the record has all (§6.1).
			continue
		}
		if e.count() >= spfStopAt {
			e.Truncated = true
			return
		}
		n.Own++
		n.Total++
		if t.Name == "ptr" {
			e.Ptr = append(e.Ptr, n.Domain+": "+t.Text)
		}
		target := t.Domain
		if target == "" {
			target = n.Domain
		}
		if t.HasMacro() {
			e.Macros = append(e.Macros, n.Domain+": "+t.Text)
			continue
		}
		switch t.Name {
		case "include", "redirect":
			e.descend(ctx, r, n, t, target, chain)
		case "a":
			_, err := r.Addrs(ctx, target)
			e.note(err)
		case "mx":
			mx, err := r.MX(ctx, target)
			e.note(err)
			if len(mx) > SPFLookupLimit {
				e.ManyMX = append(e.ManyMX, fmt.Sprintf("%s: %s has %d MX records", n.Domain, t.Text, len(mx)))
			}
		case "exists":
			_, err := r.Addrs(ctx, target)
			e.note(err)
		case "ptr":
			// ptr's lookups depend on the connecting IP: counted, not
			// queried.
		}
	}
}

// count is the lookups counted so far in the whole tree.
func (e *SPFEval) count() int {
	total := 0
	var add func(*SPFNode)
	add = func(n *SPFNode) {
		total += n.Own
		for _, c := range n.Children {
			add(c)
		}
	}
	add(e.Root)
	return total
}

func (e *SPFEval) descend(ctx context.Context, r *Resolver, n *SPFNode, t SPFTerm, target string, chain []string) {
	child := &SPFNode{Domain: target, Via: map[bool]string{true: "redirect", false: "include"}[t.Modifier]}
	n.Children = append(n.Children, child)
	lower := strings.ToLower(strings.TrimSuffix(target, "."))
	for _, d := range chain {
		if d == lower {
			e.Loops = append(e.Loops, strings.Join(append(chain, lower), " → "))
			child.Err = fmt.Errorf("%s %w back to %s", child.Via, ErrSPFLoop, target)
			return
		}
	}
	recs, err := SPFRecords(ctx, r, target)
	e.note(err)
	e.fill(child, recs, err)
	if child.Parsed != nil {
		e.walk(ctx, r, child, append(chain[:len(chain):len(chain)], lower))
	}
	n.Total += child.Total
}

// note records a lookup's failure: void (NXDOMAIN, NODATA) or temporary.
func (e *SPFEval) note(err error) {
	var le *LookupError
	switch {
	case err == nil:
	case IsVoid(err) && errors.As(err, &le):
		e.Voids = append(e.Voids, le.Type+" "+le.Name+": "+le.Kind.Error())
		e.VoidNames = append(e.VoidNames, strings.ToLower(le.Name))
	default:
		e.TempErrs = append(e.TempErrs, err)
	}
}

// Breakdown renders the tree as lines "domain (via): own N, subtree M".
func (e *SPFEval) Breakdown() []string {
	var out []string
	var add func(n *SPFNode, depth int)
	add = func(n *SPFNode, depth int) {
		via := ""
		if n.Via != "" {
			via = n.Via + ":"
		}
		line := fmt.Sprintf("%s%s%s: %d own, %d with its includes", strings.Repeat("  ", depth), via, n.Domain, n.Own, n.Total)
		if n.Err != nil {
			line += " (" + n.Err.Error() + ")"
		}
		out = append(out, line)
		for _, c := range n.Children {
			add(c, depth+1)
		}
	}
	add(e.Root, 0)
	return out
}

// Effective is the record whose all decides the result: the root's, or
// the end of its redirect chain when it has no all.
func (e *SPFEval) Effective() *SPFNode {
	n := e.Root
	for n.Parsed != nil {
		if _, ok := n.Parsed.All(); ok {
			return n
		}
		var next *SPFNode
		for _, c := range n.Children {
			if c.Via == "redirect" {
				next = c
			}
		}
		if next == nil {
			return n
		}
		n = next
	}
	return n
}

// Includes lists the domains the root includes directly (and those of the
// records its redirect chain leads to).
func (e *SPFEval) Includes() []string {
	var out []string
	for n := e.Root; n != nil; {
		var next *SPFNode
		for _, c := range n.Children {
			switch c.Via {
			case "include":
				out = append(out, strings.ToLower(strings.TrimSuffix(c.Domain, ".")))
			case "redirect":
				next = c
			}
		}
		n = next
	}
	return out
}

// Flatten lists the ip4 and ip6 terms of n's subtree when nothing in it
// but addresses and includes decides (no a, mx, exists, ptr, macro or
// redirect), so the include can be replaced by them; ok is false otherwise.
func Flatten(n *SPFNode) (terms []string, ok bool) {
	if n.Parsed == nil || n.Err != nil {
		return nil, false
	}
	for _, t := range n.Parsed.Terms {
		switch {
		case t.Name == "all" && !t.Modifier && t.Qualifier == '+':
			// The include always matches: no list of addresses says that.
			return nil, false
		case t.Modifier && t.Name == "exp", t.Name == "all" && !t.Modifier:
		case (t.Name == "ip4" || t.Name == "ip6") && t.Qualifier == '+':
			terms = append(terms, strings.TrimPrefix(t.Text, "+"))
		case t.Name == "include" && !t.Modifier && t.Qualifier == '+' && !t.HasMacro():
			var child *SPFNode
			for _, c := range n.Children {
				if c.Via == "include" && strings.EqualFold(c.Domain, t.Domain) {
					child = c
				}
			}
			if child == nil {
				return nil, false
			}
			sub, ok := Flatten(child)
			if !ok {
				return nil, false
			}
			terms = append(terms, sub...)
		default:
			return nil, false
		}
	}
	return terms, true
}
