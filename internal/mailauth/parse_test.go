package mailauth

import (
	"errors"
	"strings"
	"testing"
)

func TestParseSPF(t *testing.T) {
	for _, tc := range []struct {
		rec   string
		err   string // "" for a valid record
		terms int
	}{
		{"v=spf1 -all", "", 1},
		{"V=SPF1 ip4:192.0.2.0/24 ip6:2001:db8::/32 a mx/24 a:mail.example.com//64 include:_spf.example.net ~all", "", 7},
		{"v=spf1 exists:%{i}._spf.%{d} redirect=_spf.example.com", "", 2},
		{"v=spf1 ptr ?all exp=explain.%{d2}", "", 3},
		{"v=spf1  ip4:192.0.2.1  -all ", "", 2},
		{"v=spf1", "", 0},
		{"spf1 -all", `SPF syntax error at position 1, term "spf1": an SPF record starts with "v=spf1"`, 0},
		{"v=spf10 -all", `SPF syntax error at position 1, term "v=spf10": an SPF record starts with "v=spf1"`, 0},
		{"v=spf1 ip4:192.0.2.300 -all", `SPF syntax error at position 8, term "ip4:192.0.2.300": "192.0.2.300" is not an IPv4 address`, 0},
		{"v=spf1 a include -all", `SPF syntax error at position 10, term "include": include needs a domain (include:example.com)`, 0},
		{"v=spf1 mx foo:bar -all", `SPF syntax error at position 11, term "foo:bar": unknown mechanism "foo"`, 0},
		{"v=spf1 ip4:192.0.2.0/33", `SPF syntax error at position 8, term "ip4:192.0.2.0/33": bad CIDR length "33" (0 to 32)`, 0},
		{"v=spf1 redirect=a.example redirect=b.example", `SPF syntax error at position 27, term "redirect=b.example": redirect= may appear only once (first at position 8)`, 0},
		{"v=spf1 all:x", `SPF syntax error at position 8, term "all:x": all takes no argument`, 0},
		{"v=spf1 exists:%{z}.example", `SPF syntax error at position 8, term "exists:%{z}.example": unknown macro letter in "%{z}"`, 0},
		{"v=spf1 ip6:192.0.2.1", `SPF syntax error at position 8, term "ip6:192.0.2.1": "192.0.2.1" is not an IPv6 address`, 0},
	} {
		r, err := ParseSPF(tc.rec)
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("ParseSPF(%q): %v", tc.rec, err)
		case tc.err != "" && (err == nil || err.Error() != tc.err):
			t.Errorf("ParseSPF(%q):\n got  %v\n want %s", tc.rec, err, tc.err)
		case tc.err == "" && len(r.Terms) != tc.terms:
			t.Errorf("ParseSPF(%q): %d terms, want %d", tc.rec, len(r.Terms), tc.terms)
		}
	}
}

func TestParseDMARC(t *testing.T) {
	for _, tc := range []struct {
		rec, err string
	}{
		{"v=DMARC1; p=reject; rua=mailto:d@example.com!10m,mailto:e@r.example.net; ruf=mailto:f@example.com; adkim=s; aspf=r; pct=50; fo=1:d; ri=3600; sp=none; np=reject; psd=n; t=y", ""},
		{"v=DMARC1;p=none", ""},
		{"v=DMARC1; p=none;", ""},
		{"p=none; v=DMARC1", `DMARC error at position 1, tag "p=none": a DMARC record starts with "v=DMARC1"`},
		{"v=DMARC1; rua=mailto:d@example.com", `DMARC error at position 1, tag "p": p= is required (none, quarantine or reject) right after v=DMARC1`},
		{"v=DMARC1; p=block", `DMARC error at position 11, tag "p": want none, quarantine or reject, got "block"`},
		{"v=DMARC1; p=none; pct=101", `DMARC error at position 19, tag "pct": want a whole number 0 to 100, got "101"`},
		{"v=DMARC1; p=none; rua=https://example.com/r", `DMARC error at position 19, tag "rua": want mailto:address URIs, got "https://example.com/r"`},
		{"v=DMARC1; p=none; rua=mailto:d@example.com!10x", `DMARC error at position 19, tag "rua": bad size limit "10x" in "mailto:d@example.com!10x" (want e.g. !10m)`},
		{"v=DMARC1; p=none; adkim=x", `DMARC error at position 19, tag "adkim": want r (relaxed) or s (strict), got "x"`},
		{"v=DMARC1; p=none; p=reject", `DMARC error at position 19, tag "p": tag given twice`},
		{"v=DMARC1; p=none; polcy=reject", `DMARC error at position 19, tag "polcy": unknown tag "polcy" (known: v, p, sp, np, pct, rua, ruf, adkim, aspf, fo, ri, rf, psd, t)`},
		{"v=DMARC1; p=none; fo=2", `DMARC error at position 19, tag "fo": want 0, 1, d or s separated by ':', got "2"`},
	} {
		_, err := ParseDMARC(tc.rec)
		if tc.err == "" && err != nil || tc.err != "" && (err == nil || err.Error() != tc.err) {
			t.Errorf("ParseDMARC(%q):\n got  %v\n want %s", tc.rec, err, tc.err)
		}
	}
	d, _ := ParseDMARC("v=DMARC1; p=quarantine; rua=mailto:dmarc@reports.example.net!5m")
	if d.P != "quarantine" || len(d.RUA) != 1 || d.RUA[0].Domain != "reports.example.net" || d.RUA[0].Size != "5m" {
		t.Errorf("parsed %+v", d)
	}
}

func TestParseDKIMKey(t *testing.T) {
	for _, tc := range []struct {
		rec     string
		bits    int
		kt      string
		revoked bool
		err     string
	}{
		{"v=DKIM1; k=rsa; p=" + rsa512SPKI, 512, "rsa", false, ""},
		{"v=DKIM1; p=" + rsa1024SPKI, 1024, "rsa", false, ""},
		{"v=DKIM1; k=rsa; h=sha256; t=s; p=" + rsa2048SPKI, 2048, "rsa", false, ""},
		{"p=" + rsa1024PKCS1, 1024, "rsa", false, ""},
		{"v=DKIM1; k=ed25519; p=" + ed25519Raw, 256, "ed25519", false, ""},
		{"v=DKIM1; k=rsa; p=", 0, "rsa", true, ""},
		{"v=DKIM1; k=rsa", 0, "", false, `DKIM key record, tag "p": p= (the public key) is required`},
		{"v=DKIM1; k=dsa; p=AAAA", 0, "", false, `DKIM key record, tag "k": want rsa or ed25519, got "dsa"`},
		{"v=DKIM1; p=!!!", 0, "", false, `DKIM key record, tag "p": not base64: illegal base64 data at input byte 0`},
		{"v=DKIM1; k=ed25519; p=" + rsa512SPKI, 0, "", false, `DKIM key record, tag "p": an Ed25519 key is 32 bytes, got 94`},
		{"k=rsa; v=DKIM1; p=", 0, "", false, `DKIM key record, tag "v": v=DKIM1 must come first when written`},
	} {
		k, err := ParseDKIMKey(tc.rec)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("ParseDKIMKey(%.40q):\n got  %v\n want %s", tc.rec, err, tc.err)
			}
			continue
		}
		if err != nil || k.Bits != tc.bits || k.KeyType != tc.kt || k.Revoked != tc.revoked {
			t.Errorf("ParseDKIMKey(%.40q) = %+v, %v; want %d-bit %s revoked=%v", tc.rec, k, err, tc.bits, tc.kt, tc.revoked)
		}
	}
}

func FuzzParseSPF(f *testing.F) {
	for _, s := range []string{"v=spf1 -all", "v=spf1 include:a.example ip4:192.0.2.0/24 mx//64 exists:%{ir}.%{v}._spf.%{d2} redirect=b.example", "v=spf1 a:%{"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, rec string) {
		r, err := ParseSPF(rec)
		if err != nil {
			var se *SPFSyntaxError
			if !errors.As(err, &se) || se.Pos < 1 || se.Pos > len(rec)+1 {
				t.Fatalf("error %v for %q", err, rec)
			}
			return
		}
		for _, term := range r.Terms {
			if rec[term.Pos-1:term.Pos-1+len(term.Text)] != term.Text {
				t.Fatalf("term %q not at position %d of %q", term.Text, term.Pos, rec)
			}
		}
	})
}

func FuzzParseDMARC(f *testing.F) {
	for _, s := range []string{"v=DMARC1; p=none", "v=DMARC1; p=reject; rua=mailto:a@b.example!10m; pct=5", "v=DMARC1;;p=x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, rec string) {
		d, err := ParseDMARC(rec)
		if err == nil && (d.P == "" || d.Pct < 0 || d.Pct > 100 || !strings.HasPrefix(strings.TrimSpace(rec), "v")) {
			t.Fatalf("accepted %q as %+v", rec, d)
		}
	})
}

func FuzzParseDKIMKey(f *testing.F) {
	for _, s := range []string{"v=DKIM1; p=" + rsa1024SPKI, "v=DKIM1; k=ed25519; p=" + ed25519Raw, "p=", "v=DKIM1; p=AAAA"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, rec string) {
		k, err := ParseDKIMKey(rec)
		if err == nil && !k.Revoked && k.Bits == 0 {
			t.Fatalf("accepted %q with no key", rec)
		}
	})
}
