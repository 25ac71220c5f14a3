package mailauth

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// DMARC is a parsed DMARC record (RFC 7489 §6.3, with DMARCbis's np, psd
// and t).
type DMARC struct {
	Raw string
	// Tags holds every tag as written, lower-case names, in order.
	Tags []DMARCTag
	// P, SP, NP are policies: none, quarantine or reject ("" when absent).
	P, SP, NP string
	// Pct is 0 to 100 (100 when absent).
	Pct int
	// RUA and RUF are the report URIs.
	RUA, RUF []ReportURI
	// ADKIM and ASPF are "r" or "s" ("r" when absent).
	ADKIM, ASPF string
}

// DMARCTag is one tag=value pair.
type DMARCTag struct {
	Name, Value string
	// Pos is its 1-based character position in the record.
	Pos int
}

// ReportURI is one rua/ruf destination.
type ReportURI struct {
	URI string
	// Address is the mailto: address; Domain its domain.
	Address, Domain string
	// Size is the optional !size limit as written ("" when none).
	Size string
}

// DMARCError is a record that breaks RFC 7489's grammar or value rules.
type DMARCError struct {
	Pos int
	Tag string
	Msg string
}

func (e *DMARCError) Error() string {
	if e.Tag == "" {
		return fmt.Sprintf("DMARC error at position %d: %s", e.Pos, e.Msg)
	}
	return fmt.Sprintf("DMARC error at position %d, tag %q: %s", e.Pos, e.Tag, e.Msg)
}

// IsDMARC reports whether a TXT string is meant as a DMARC record.
func IsDMARC(txt string) bool {
	name, rest, ok := strings.Cut(txt, "=")
	rest = strings.TrimLeft(rest, " \t")
	return ok && strings.EqualFold(strings.TrimSpace(name), "v") && len(rest) >= 6 && strings.EqualFold(rest[:6], "DMARC1")
}

// ParseDMARC parses and validates a DMARC record.
func ParseDMARC(rec string) (*DMARC, error) {
	d := &DMARC{Raw: rec, Pct: 100, ADKIM: "r", ASPF: "r"}
	pos := 1
	seen := map[string]bool{}
	for _, part := range strings.Split(rec, ";") {
		start := pos
		pos += len(part) + 1
		lead := len(part) - len(strings.TrimLeft(part, " \t"))
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, value, ok := strings.Cut(part, "=")
		tag := DMARCTag{Name: strings.ToLower(strings.TrimSpace(name)), Value: strings.TrimSpace(value), Pos: start + lead}
		if !ok {
			return nil, &DMARCError{Pos: tag.Pos, Tag: part, Msg: "want tag=value"}
		}
		if len(d.Tags) == 0 && (tag.Name != "v" || tag.Value != "DMARC1") {
			return nil, &DMARCError{Pos: tag.Pos, Tag: part, Msg: `a DMARC record starts with "v=DMARC1"`}
		}
		if seen[tag.Name] {
			return nil, &DMARCError{Pos: tag.Pos, Tag: tag.Name, Msg: "tag given twice"}
		}
		seen[tag.Name] = true
		if msg := d.set(tag); msg != "" {
			return nil, &DMARCError{Pos: tag.Pos, Tag: tag.Name, Msg: msg}
		}
		d.Tags = append(d.Tags, tag)
	}
	if len(d.Tags) == 0 {
		return nil, &DMARCError{Pos: 1, Msg: `a DMARC record starts with "v=DMARC1"`}
	}
	if d.P == "" {
		return nil, &DMARCError{Pos: 1, Tag: "p", Msg: "p= is required (none, quarantine or reject) right after v=DMARC1"}
	}
	return d, nil
}

// set stores one tag's value; the message says what is wrong with it.
func (d *DMARC) set(t DMARCTag) string {
	policy := func(dst *string) string {
		switch v := strings.ToLower(t.Value); v {
		case "none", "quarantine", "reject":
			*dst = v
			return ""
		}
		return fmt.Sprintf("want none, quarantine or reject, got %q", t.Value)
	}
	switch t.Name {
	case "v":
		if t.Value != "DMARC1" || len(d.Tags) != 0 {
			return "v=DMARC1 must come first, once"
		}
	case "p":
		return policy(&d.P)
	case "sp":
		return policy(&d.SP)
	case "np":
		return policy(&d.NP)
	case "pct":
		n, err := strconv.Atoi(t.Value)
		if err != nil || n < 0 || n > 100 {
			return fmt.Sprintf("want a whole number 0 to 100, got %q", t.Value)
		}
		d.Pct = n
	case "adkim", "aspf":
		v := strings.ToLower(t.Value)
		if v != "r" && v != "s" {
			return fmt.Sprintf("want r (relaxed) or s (strict), got %q", t.Value)
		}
		if t.Name == "adkim" {
			d.ADKIM = v
		} else {
			d.ASPF = v
		}
	case "rua", "ruf":
		uris, msg := parseReportURIs(t.Value)
		if msg != "" {
			return msg
		}
		if t.Name == "rua" {
			d.RUA = uris
		} else {
			d.RUF = uris
		}
	case "fo":
		for _, o := range strings.Split(t.Value, ":") {
			if o = strings.TrimSpace(o); o != "0" && o != "1" && o != "d" && o != "s" {
				return fmt.Sprintf("want 0, 1, d or s separated by ':', got %q", t.Value)
			}
		}
	case "ri":
		if n, err := strconv.ParseUint(t.Value, 10, 32); err != nil || n == 0 {
			return fmt.Sprintf("want a number of seconds, got %q", t.Value)
		}
	case "rf":
		if !strings.EqualFold(t.Value, "afrf") {
			return fmt.Sprintf("want afrf, got %q", t.Value)
		}
	case "psd":
		if v := strings.ToLower(t.Value); v != "y" && v != "n" && v != "u" {
			return fmt.Sprintf("want y, n or u, got %q", t.Value)
		}
	case "t":
		if v := strings.ToLower(t.Value); v != "y" && v != "n" {
			return fmt.Sprintf("want y or n, got %q", t.Value)
		}
	default:
		// Unknown tags are ignored by receivers (RFC 7489 §6.3), but a
		// typo of a known one is worth naming.
		return fmt.Sprintf("unknown tag %q (known: v, p, sp, np, pct, rua, ruf, adkim, aspf, fo, ri, rf, psd, t)", t.Name)
	}
	return ""
}

// parseReportURIs reads "mailto:a@b.example!10m,mailto:c@d.example".
func parseReportURIs(v string) ([]ReportURI, string) {
	var out []ReportURI
	for _, raw := range strings.Split(v, ",") {
		raw = strings.TrimSpace(raw)
		uri, size := raw, ""
		if k := strings.LastIndexByte(raw, '!'); k >= 0 {
			uri, size = raw[:k], raw[k+1:]
			num := strings.TrimRight(size, "kmgtKMGT")
			if _, err := strconv.ParseUint(num, 10, 64); err != nil || len(size)-len(num) > 1 {
				return nil, fmt.Sprintf("bad size limit %q in %q (want e.g. !10m)", size, raw)
			}
		}
		u, err := url.Parse(uri)
		if err != nil || !strings.EqualFold(u.Scheme, "mailto") || u.Opaque == "" {
			return nil, fmt.Sprintf("want mailto:address URIs, got %q", raw)
		}
		addr, _ := url.PathUnescape(u.Opaque)
		at := strings.LastIndexByte(addr, '@')
		if at <= 0 || at == len(addr)-1 {
			return nil, fmt.Sprintf("%q has no address@domain", raw)
		}
		out = append(out, ReportURI{URI: uri, Address: addr, Domain: strings.ToLower(addr[at+1:]), Size: size})
	}
	return out, ""
}

// DMARCLookup is where a domain's DMARC policy was found.
type DMARCLookup struct {
	// Name is the name whose record applies (_dmarc.<domain> or
	// _dmarc.<organizational domain>).
	Name string
	// OrgFallback is true when the domain's own name had none.
	OrgFallback bool
	// Records are the DMARC records at Name (more than one is an error).
	Records []string
}

// ErrNoDMARC is a domain with no DMARC record, nor its organizational
// domain.
var ErrNoDMARC = errors.New("no DMARC record")

// FindDMARC looks for the DMARC record of domain at _dmarc.<domain>, then
// at the organizational domain's (RFC 7489 §6.6.3, public suffix list).
func FindDMARC(ctx context.Context, r *Resolver, domain string) (*DMARCLookup, error) {
	names := []string{"_dmarc." + domain}
	if org, err := publicsuffix.EffectiveTLDPlusOne(domain); err == nil && !strings.EqualFold(org, domain) {
		names = append(names, "_dmarc."+org)
	}
	for i, name := range names {
		txts, err := r.TXT(ctx, name)
		if err != nil && !IsVoid(err) {
			return nil, err
		}
		var recs []string
		for _, t := range txts {
			if IsDMARC(t) {
				recs = append(recs, t)
			}
		}
		if len(recs) > 0 {
			return &DMARCLookup{Name: name, OrgFallback: i > 0, Records: recs}, nil
		}
	}
	return nil, fmt.Errorf("%w at %s", ErrNoDMARC, strings.Join(names, " nor "))
}
