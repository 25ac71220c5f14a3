package mailauth

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// SPFTerm is one directive or modifier of an SPF record (RFC 7208 §4.6.1).
type SPFTerm struct {
	// Pos is the term's 1-based character position in the record.
	Pos int
	// Text is the term as written.
	Text string
	// Qualifier is '+', '-', '~' or '?' for a mechanism ('+' when not
	// written), 0 for a modifier.
	Qualifier byte
	// Name is the mechanism or modifier name, lower-case (all, include, a,
	// mx, ptr, ip4, ip6, exists; redirect, exp or an unknown modifier).
	Name string
	// Modifier is true for name=value terms.
	Modifier bool
	// Domain is the domain-spec (after ':' or '='), "" when not written.
	Domain string
}

// Lookup reports whether the term costs a DNS-querying term under the
// limit of 10 (RFC 7208 §4.6.4).
func (t SPFTerm) Lookup() bool {
	switch t.Name {
	case "include", "a", "mx", "ptr", "exists":
		return !t.Modifier
	case "redirect":
		return t.Modifier
	}
	return false
}

// HasMacro reports whether the term's domain holds a macro, which cannot
// be expanded without a connecting IP and sender.
func (t SPFTerm) HasMacro() bool { return strings.Contains(t.Domain, "%") }

// SPFRecord is a parsed SPF record.
type SPFRecord struct {
	Raw   string
	Terms []SPFTerm
}

// All is the record's all mechanism, if any.
func (r *SPFRecord) All() (SPFTerm, bool) {
	for _, t := range r.Terms {
		if t.Name == "all" && !t.Modifier {
			return t, true
		}
	}
	return SPFTerm{}, false
}

// Redirect is the record's redirect modifier, if any.
func (r *SPFRecord) Redirect() (SPFTerm, bool) {
	for _, t := range r.Terms {
		if t.Modifier && t.Name == "redirect" {
			return t, true
		}
	}
	return SPFTerm{}, false
}

// SPFSyntaxError is a record that does not parse, with the offending term.
type SPFSyntaxError struct {
	Pos  int    // 1-based character position of Term
	Term string // the term as written
	Msg  string
}

func (e *SPFSyntaxError) Error() string {
	return fmt.Sprintf("SPF syntax error at position %d, term %q: %s", e.Pos, e.Term, e.Msg)
}

// IsSPF reports whether a TXT string is an SPF record: "v=spf1" alone or
// followed by a space (RFC 7208 §4.5).
func IsSPF(txt string) bool {
	return len(txt) >= 6 && strings.EqualFold(txt[:6], "v=spf1") && (len(txt) == 6 || txt[6] == ' ')
}

// ParseSPF parses an SPF record (RFC 7208 §4.6.1, §12 ABNF).
func ParseSPF(rec string) (*SPFRecord, error) {
	if !IsSPF(rec) {
		return nil, &SPFSyntaxError{Pos: 1, Term: firstWord(rec), Msg: `an SPF record starts with "v=spf1"`}
	}
	r := &SPFRecord{Raw: rec}
	seen := map[string]int{}
	for i := 6; i < len(rec); {
		if rec[i] == ' ' {
			i++
			continue
		}
		j := strings.IndexByte(rec[i:], ' ')
		if j < 0 {
			j = len(rec) - i
		}
		text := rec[i : i+j]
		t, msg := parseTerm(text)
		t.Pos = i + 1
		if msg == "" && t.Modifier && (t.Name == "redirect" || t.Name == "exp") {
			if first, dup := seen[t.Name]; dup {
				msg = fmt.Sprintf("%s= may appear only once (first at position %d)", t.Name, first)
			}
			seen[t.Name] = t.Pos
		}
		if msg != "" {
			return nil, &SPFSyntaxError{Pos: t.Pos, Term: text, Msg: msg}
		}
		r.Terms = append(r.Terms, t)
		i += j
	}
	return r, nil
}

func firstWord(s string) string {
	if i := strings.IndexByte(s, ' '); i >= 0 {
		return s[:i]
	}
	return s
}

// parseTerm parses one term; msg says what is wrong, "" when nothing.
func parseTerm(text string) (SPFTerm, string) {
	t := SPFTerm{Text: text}
	if eq := strings.IndexByte(text, '='); eq > 0 && !strings.ContainsAny(text[:eq], ":/") {
		t.Modifier, t.Name, t.Domain = true, strings.ToLower(text[:eq]), text[eq+1:]
		if !validModifierName(t.Name) {
			return t, "a modifier name is letters, digits, '-', '_' and '.'"
		}
		if (t.Name == "redirect" || t.Name == "exp") && t.Domain == "" {
			return t, t.Name + "= needs a domain"
		}
		if msg := macroProblem(t.Domain); msg != "" {
			return t, msg
		}
		return t, ""
	}
	t.Qualifier = '+'
	if strings.IndexByte("+-~?", text[0]) >= 0 {
		t.Qualifier, text = text[0], text[1:]
	}
	name, arg := text, ""
	if k := strings.IndexAny(text, ":/"); k >= 0 {
		name, arg = text[:k], text[k:]
	}
	t.Name = strings.ToLower(name)
	switch t.Name {
	case "all":
		if arg != "" {
			return t, "all takes no argument"
		}
	case "include", "exists":
		if !strings.HasPrefix(arg, ":") || len(arg) == 1 {
			return t, t.Name + " needs a domain (" + t.Name + ":example.com)"
		}
		if strings.Contains(arg, "/") && t.Name == "include" {
			return t, "include takes no CIDR length"
		}
		t.Domain = arg[1:]
	case "a", "mx", "ptr":
		dom, cidr := arg, ""
		if k := strings.IndexByte(arg, '/'); k >= 0 {
			dom, cidr = arg[:k], arg[k:]
		}
		if strings.HasPrefix(dom, ":") {
			if len(dom) == 1 {
				return t, "an empty domain after ':'"
			}
			t.Domain = dom[1:]
		}
		if cidr != "" && t.Name == "ptr" {
			return t, "ptr takes no CIDR length"
		}
		if msg := dualCIDRProblem(cidr); msg != "" {
			return t, msg
		}
	case "ip4", "ip6":
		return t, ipProblem(t.Name, arg)
	default:
		return t, fmt.Sprintf("unknown mechanism %q", name)
	}
	return t, macroProblem(t.Domain)
}

func validModifierName(n string) bool {
	if n == "" || !(n[0] >= 'a' && n[0] <= 'z') {
		return false
	}
	for _, c := range n {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// dualCIDRProblem checks "/n", "//m" or "/n//m" (ip4 ≤ 32, ip6 ≤ 128).
func dualCIDRProblem(c string) string {
	if c == "" {
		return ""
	}
	v4, v6, _ := strings.Cut(c[1:], "//")
	if strings.HasPrefix(c, "//") {
		v4, v6 = "", c[2:]
	}
	for _, p := range []struct {
		s   string
		max int
	}{{v4, 32}, {v6, 128}} {
		if p.s == "" {
			continue
		}
		n, err := strconv.Atoi(p.s)
		if err != nil || n < 0 || n > p.max || strconv.Itoa(n) != p.s {
			return fmt.Sprintf("bad CIDR length %q (0 to %d)", p.s, p.max)
		}
	}
	return ""
}

func ipProblem(kind, arg string) string {
	if !strings.HasPrefix(arg, ":") {
		return kind + " needs an address (" + kind + ":192.0.2.0/24)"
	}
	addr, bits, hasBits := strings.Cut(arg[1:], "/")
	ip, err := netip.ParseAddr(addr)
	if err != nil || (kind == "ip4") != ip.Is4() {
		return fmt.Sprintf("%q is not an %s address", addr, map[string]string{"ip4": "IPv4", "ip6": "IPv6"}[kind])
	}
	if hasBits {
		max := map[string]int{"ip4": 32, "ip6": 128}[kind]
		n, err := strconv.Atoi(bits)
		if err != nil || n < 0 || n > max || strconv.Itoa(n) != bits {
			return fmt.Sprintf("bad CIDR length %q (0 to %d)", bits, max)
		}
	}
	return ""
}

// macroProblem checks the macros of a domain-spec (RFC 7208 §7.1).
func macroProblem(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			continue
		}
		if i+1 >= len(s) {
			return "a '%' at the end of the domain"
		}
		switch s[i+1] {
		case '%', '_', '-':
			i++
			continue
		case '{':
		default:
			return fmt.Sprintf("'%%%c' is not a macro (want %%{x}, %%%%, %%_ or %%-)", s[i+1])
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return "a macro without its closing '}'"
		}
		body := s[i+2 : i+end]
		if body == "" || strings.IndexByte("slodiphcrtvSLODIPHCRTV", body[0]) < 0 {
			return fmt.Sprintf("unknown macro letter in %q", s[i:i+end+1])
		}
		rest := strings.TrimLeft(body[1:], "0123456789")
		rest = strings.TrimPrefix(strings.TrimPrefix(rest, "r"), "R")
		if strings.Trim(rest, ".-+,/_=") != "" {
			return fmt.Sprintf("bad macro transformer in %q", s[i:i+end+1])
		}
		i += end
	}
	return ""
}
