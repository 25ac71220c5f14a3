package demo

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// query asks the portal's DNS server over UDP with EDNS0, retrying over TCP
// when the answer is truncated, as a stub resolver does.
func query(t *testing.T, p *Portal, name string, qtype uint16) *dns.Msg {
	t.Helper()
	m := new(dns.Msg).SetQuestion(dns.Fqdn(name), qtype)
	m.SetEdns0(1232, false)
	r, _, err := (&dns.Client{Net: "udp", Timeout: 10 * time.Second}).Exchange(m, p.DNSAddr)
	if err == nil && r.Truncated {
		r, _, err = (&dns.Client{Net: "tcp", Timeout: 10 * time.Second}).Exchange(m, p.DNSAddr)
	}
	if err != nil {
		t.Fatalf("%s %s: %v", name, dns.TypeToString[qtype], err)
	}
	if r.Rcode != dns.RcodeSuccess && r.Rcode != dns.RcodeNameError {
		t.Fatalf("%s %s: %s", name, dns.TypeToString[qtype], dns.RcodeToString[r.Rcode])
	}
	return r
}

// lookup returns the answers of one type as text: A as the address, MX as
// "preference host", TXT with its strings joined (as resolvers join them).
func lookup(t *testing.T, p *Portal, name string, qtype uint16) []string {
	t.Helper()
	var out []string
	for _, rr := range query(t, p, name, qtype).Answer {
		switch v := rr.(type) {
		case *dns.A:
			out = append(out, v.A.String())
		case *dns.MX:
			out = append(out, fmt.Sprintf("%d %s", v.Preference, v.Mx))
		case *dns.TXT:
			out = append(out, strings.Join(v.Txt, ""))
		}
	}
	return out
}

// spfCount counts the DNS-querying terms (RFC 7208 §4.6.4: include, a, mx,
// ptr, exists, redirect) reachable from domain's SPF record, and the a:
// and mx: terms whose name has no such record (void lookups). It is the
// simplest reading of the RFC: no macros, no loops beyond depth 10.
func spfCount(t *testing.T, p *Portal, domain string, depth int) (terms, void int) {
	t.Helper()
	if depth > 10 {
		t.Fatalf("SPF include depth past 10 at %s", domain)
	}
	var record string
	for _, s := range lookup(t, p, domain, dns.TypeTXT) {
		if strings.HasPrefix(s, "v=spf1 ") {
			record = s
		}
	}
	if record == "" {
		t.Fatalf("no SPF record at %s", domain)
	}
	for _, term := range strings.Fields(record)[1:] {
		mech := strings.TrimLeft(term, "+-~?")
		name, target, _ := strings.Cut(mech, ":")
		if strings.HasPrefix(mech, "redirect=") {
			name, target = "redirect", strings.TrimPrefix(mech, "redirect=")
		}
		if target == "" {
			target = domain
		}
		switch name {
		case "include", "redirect":
			n, v := spfCount(t, p, target, depth+1)
			terms, void = terms+1+n, void+v
		case "a", "mx":
			terms++
			if len(lookup(t, p, target, map[string]uint16{"a": dns.TypeA, "mx": dns.TypeMX}[name])) == 0 {
				void++
			}
		case "ptr", "exists":
			terms++
		}
	}
	return terms, void
}

// dkimBits fetches selector's key for portal.test and returns its RSA
// modulus size and the record's character-strings.
func dkimBits(t *testing.T, p *Portal, selector string) (int, []string) {
	t.Helper()
	r := query(t, p, selector+"._domainkey.portal.test", dns.TypeTXT)
	if len(r.Answer) != 1 {
		t.Fatalf("%s: %d TXT records, want 1", selector, len(r.Answer))
	}
	txt := r.Answer[0].(*dns.TXT).Txt
	rec := strings.Join(txt, "")
	_, b64, ok := strings.Cut(rec, "p=")
	if !strings.HasPrefix(rec, "v=DKIM1; k=rsa; ") || !ok {
		t.Fatalf("%s: record %q", selector, rec)
	}
	der, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatalf("%s: %v", selector, err)
	}
	pub, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		t.Fatalf("%s: %v", selector, err)
	}
	k, ok := pub.(*rsa.PublicKey)
	if !ok {
		t.Fatalf("%s: %T, want an RSA key", selector, pub)
	}
	return k.N.BitLen(), txt
}

// mailZone is the expected answer per "name TYPE" in each mode; nil means
// no record of that type. The hardened DKIM key is new on every start and
// is checked apart.
var mailZone = map[string]map[string][]string{
	"flawed": {
		"portal.test TXT":                     {"v=spf1 include:_spf.crm.portal.test include:_spf1.portal.test ~all"},
		"portal.test MX":                      nil, // mail falls back to the A record
		"portal.test A":                       {"127.0.0.1"},
		"news.portal.test TXT":                {"v=spf1 +all"},
		"news.portal.test MX":                 {"0 ."},
		"bounce.portal.test TXT":              nil,
		"bounce.portal.test MX":               nil,
		"_dmarc.portal.test TXT":              nil,
		"mail2026._domainkey.portal.test TXT": nil,
		"www.portal.test TXT":                 nil,
		"www.portal.test MX":                  nil,
		"app.portal.test TXT":                 nil,
		"db.portal.test MX":                   nil,
	},
	"hardened": {
		"portal.test TXT":                       {"v=spf1 ip4:127.0.0.1 -all"},
		"portal.test MX":                        {"10 mx.portal.test."},
		"mx.portal.test A":                      {"127.0.0.1"},
		"news.portal.test TXT":                  {"v=spf1 ip4:127.0.0.1 -all"},
		"news.portal.test MX":                   {"10 mx.portal.test."},
		"bounce.portal.test TXT":                {"v=spf1 ip4:127.0.0.1 -all"},
		"bounce.portal.test MX":                 {"10 mx.portal.test."},
		"_dmarc.portal.test TXT":                {"v=DMARC1; p=reject; rua=mailto:dmarc@portal.test; adkim=s; aspf=r"},
		"legacy2019._domainkey.portal.test TXT": nil,
		"www.portal.test TXT":                   {"v=spf1 -all"},
		"www.portal.test MX":                    {"0 ."},
		"app.portal.test TXT":                   {"v=spf1 -all"},
		"app.portal.test MX":                    {"0 ."},
		"db.portal.test TXT":                    {"v=spf1 -all"},
		"db.portal.test MX":                     {"0 ."},
	},
}

func TestMailZone(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			p := startPortal(t, mode.flaws)
			for key, want := range mailZone[mode.name] {
				name, typ, _ := strings.Cut(key, " ")
				if got := lookup(t, p, name, dns.StringToType[typ]); !slices.Equal(got, want) {
					t.Errorf("%s: %q, want %q", key, got, want)
				}
			}
			checkMailZone(t, p, mode.name)
		})
	}
}

// checkMailZone checks what the table cannot: SPF lookups counted through
// the includes, and the DKIM keys' sizes.
func checkMailZone(t *testing.T, p *Portal, mode string) {
	t.Helper()
	terms, void := spfCount(t, p, "portal.test", 0)
	if void != 0 {
		t.Errorf("portal.test SPF: %d void lookups, want none (the flaw is the count alone)", void)
	}
	if mode == "flawed" {
		// 12: past the limit of 10, the matching ip4 after the tenth.
		if terms != 12 {
			t.Errorf("portal.test SPF: %d DNS-querying terms, want 12", terms)
		}
		if bits, _ := dkimBits(t, p, "legacy2019"); bits != 512 {
			t.Errorf("legacy2019: %d-bit key, want 512", bits)
		}
		return
	}
	if terms != 0 {
		t.Errorf("portal.test SPF: %d DNS-querying terms, want 0", terms)
	}
	bits, txt := dkimBits(t, p, "mail2026")
	if bits != 2048 {
		t.Errorf("mail2026: %d-bit key, want 2048", bits)
	}
	if len(txt) < 2 {
		t.Errorf("mail2026: the key's record is one string of %d bytes, want it split", len(txt[0]))
	}
	for i, s := range txt {
		if len(s) > 255 {
			t.Errorf("mail2026: string %d is %d bytes, over 255", i, len(s))
		}
	}
}
