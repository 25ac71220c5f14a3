package mail

import (
	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/config"
)

// spfCases: spf is blitiri.com.ar/go/spf's answer for an address no
// record lists. It agrees with every FAIL for a permerror (two records,
// syntax, 11 lookups, 3 voids, loops, an include without SPF). Where the
// verdicts differ in kind it is by design: +all is "pass" for a forged
// sender, which is exactly why MAIL-001 FAILs it; ?all and a missing all
// are "neutral" (MAIL-001 WARNs); ptr still evaluates ("fail") but RFC 7208
// §5.5 deprecates it (WARN); a missing provider include is a config
// expectation no evaluator knows.
func spfCases() []zoneCase {
	provider := &config.Email{Domains: []string{"portal.test"}, ProviderInclude: "_spf.provider.test"}
	return []zoneCase{
		{name: "one record, 4 lookups", check: SPF{}, spf: "fail",
			records: with(txt("portal.test.", "v=spf1 a mx include:_spf.provider.test -all")), status: check.Pass,
			summary:  []string{"v=spf1 a mx include:_spf.provider.test -all for portal.test: 4 of 10 lookups, 0 of 2 void lookups, -all"},
			evidence: []string{"portal.test: 3 own, 4 with its includes", "include:_spf.provider.test: 1 own, 1 with its includes", "include:_spf2.provider.test: 0 own, 0 with its includes"}},
		{name: "no record", check: SPF{}, spf: "none", records: base, status: check.Fail,
			summary:  []string{"portal.test publishes no SPF record"},
			evidence: []string{`publish: portal.test. 3600 IN TXT "v=spf1 include:<your mail provider's SPF domain> -all"`}},
		{name: "two records", check: SPF{}, spf: "permerror",
			records: with(txt("portal.test.", "v=spf1 include:_spf.provider.test -all"), txt("portal.test.", "v=spf1 ip4:192.0.2.1 ~all")), status: check.Fail,
			summary:  []string{"portal.test publishes 2 SPF records (permerror)"},
			evidence: []string{"RFC 7208 §4.5", `publish: portal.test. 3600 IN TXT "v=spf1 include:_spf.provider.test ip4:192.0.2.1 -all"`}},
		{name: "syntax error", check: SPF{}, spf: "permerror",
			records: with(txt("portal.test.", "v=spf1 a ip4:192.0.2.300 -all")), status: check.Fail,
			summary: []string{`portal.test: SPF syntax error at position 10, term "ip4:192.0.2.300": "192.0.2.300" is not an IPv4 address`}},
		{name: "10 lookups through nested includes", check: SPF{}, spf: "fail",
			records: with(append(chain("n", 10), txt("portal.test.", "v=spf1 include:n1.test -all"))...), status: check.Pass,
			summary: []string{"for portal.test: 10 of 10 lookups"}},
		{name: "11 lookups through nested includes", check: SPF{}, spf: "permerror (lookup limit reached)",
			records: with(append(chain("n", 11), txt("portal.test.", "v=spf1 include:n1.test -all"))...), status: check.Fail,
			summary:  []string{"11 DNS-querying terms, over the limit of 10 (RFC 7208 §4.6.4: permerror)", "11 of 10 lookups"},
			evidence: []string{"portal.test: 1 own, 11 with its includes", "  include:n1.test: 1 own, 10 with its includes", "include:n11.test: 0 own, 0 with its includes", `publish: portal.test. 3600 IN TXT "v=spf1 ip4:203.0.113.0/24 -all"`}},
		// Addresses behind a and mx terms cannot be flattened without
		// looking them up: the record to publish names them instead of
		// keeping an include that stays over the limit.
		{name: "11 lookups behind a terms", check: SPF{}, spf: "permerror (lookup limit reached)",
			records: with(txt("portal.test.", "v=spf1 include:big.test -all"), txt("big.test.", "v=spf1 a:h1.big.test a:h2.big.test a:h3.big.test a:h4.big.test a:h5.big.test a:h6.big.test a:h7.big.test a:h8.big.test a:h9.big.test a:h10.big.test -all"), "h1.big.test. IN A 192.0.2.1", "h2.big.test. IN A 192.0.2.2", "h3.big.test. IN A 192.0.2.3", "h4.big.test. IN A 192.0.2.4", "h5.big.test. IN A 192.0.2.5", "h6.big.test. IN A 192.0.2.6", "h7.big.test. IN A 192.0.2.7", "h8.big.test. IN A 192.0.2.8", "h9.big.test. IN A 192.0.2.9", "h10.big.test. IN A 192.0.2.10"), status: check.Fail,
			summary:  []string{"11 of 10 lookups"},
			evidence: []string{`publish: portal.test. 3600 IN TXT "v=spf1 ip4:<the addresses big.test lists> -all"`}},
		{name: "2 void lookups", check: SPF{}, spf: "fail",
			records: with(txt("portal.test.", "v=spf1 a:gone1.portal.test a:gone2.portal.test include:_spf.provider.test -all")), status: check.Pass,
			summary: []string{"4 of 10 lookups, 2 of 2 void lookups"}},
		{name: "3 void lookups", check: SPF{}, spf: "permerror (void lookup limit reached)",
			records: with(txt("portal.test.", "v=spf1 a:gone1.portal.test a:gone2.portal.test mx:gone3.portal.test include:_spf.provider.test -all")), status: check.Fail,
			summary:  []string{"3 void lookups, over the limit of 2 (RFC 7208 §4.6.4: permerror): A gone1.portal.test: NXDOMAIN, A gone2.portal.test: NXDOMAIN, MX gone3.portal.test: NXDOMAIN"},
			evidence: []string{`publish: portal.test. 3600 IN TXT "v=spf1 include:_spf.provider.test -all"`}},
		{name: "include loop", check: SPF{}, spf: "permerror (lookup limit reached)",
			records: with(txt("portal.test.", "v=spf1 include:a.loop.test -all"), txt("a.loop.test.", "v=spf1 include:b.loop.test -all"), txt("b.loop.test.", "v=spf1 include:a.loop.test -all")),
			status:  check.Fail, summary: []string{"loop portal.test → a.loop.test → b.loop.test → a.loop.test (permerror)"},
			evidence: []string{`publish: portal.test. 3600 IN TXT "v=spf1 include:<your mail provider's SPF domain> -all"`}},
		{name: "redirect loop", check: SPF{}, spf: "permerror (lookup limit reached)",
			records: with(txt("portal.test.", "v=spf1 redirect=r.portal.test"), txt("r.portal.test.", "v=spf1 redirect=portal.test")),
			status:  check.Fail, summary: []string{"loop portal.test → r.portal.test → portal.test (permerror)"},
			evidence: []string{`publish: portal.test. 3600 IN TXT "v=spf1 include:<your mail provider's SPF domain> -all"`}},
		{name: "mx with 11 MX records", check: SPF{}, spf: "permerror",
			records: with(txt("portal.test.", "v=spf1 mx:many.portal.test include:_spf.provider.test -all"), "many.portal.test. IN MX 1 mx.provider.test.", "many.portal.test. IN MX 2 mx.provider.test.", "many.portal.test. IN MX 3 mx.provider.test.", "many.portal.test. IN MX 4 mx.provider.test.", "many.portal.test. IN MX 5 mx.provider.test.", "many.portal.test. IN MX 6 mx.provider.test.", "many.portal.test. IN MX 7 mx.provider.test.", "many.portal.test. IN MX 8 mx.provider.test.", "many.portal.test. IN MX 9 mx.provider.test.", "many.portal.test. IN MX 10 mx.provider.test.", "many.portal.test. IN MX 11 mx.provider.test."), status: check.Fail,
			summary: []string{"portal.test: mx:many.portal.test has 11 MX records, over the limit of 10 (RFC 7208 §4.6.4: permerror)"}},
		{name: "ptr", check: SPF{}, spf: "fail",
			records: with(txt("portal.test.", "v=spf1 ptr include:_spf.provider.test -all")), status: check.Warn,
			summary:  []string{"ptr is slow, unreliable and deprecated (RFC 7208 §5.5): portal.test: ptr"},
			evidence: []string{`publish: portal.test. 3600 IN TXT "v=spf1 include:_spf.provider.test -all"`}},
		{name: "+all", check: SPF{}, spf: "pass",
			records: with(txt("portal.test.", "v=spf1 include:_spf.provider.test +all")), status: check.Fail,
			summary:  []string{`"+all" lets any host send as portal.test (RFC 7208 §5.1)`},
			evidence: []string{`publish: portal.test. 3600 IN TXT "v=spf1 include:_spf.provider.test -all"`}},
		{name: "?all", check: SPF{}, spf: "neutral",
			records: with(txt("portal.test.", "v=spf1 include:_spf.provider.test ?all")), status: check.Warn,
			summary: []string{`"?all" is neutral`}},
		{name: "~all", check: SPF{}, spf: "softfail",
			records: with(txt("portal.test.", "v=spf1 include:_spf.provider.test ~all")), status: check.Pass,
			summary: []string{"2 of 10 lookups", "~all (softfail"}},
		{name: "missing all", check: SPF{}, spf: "neutral",
			records: with(txt("portal.test.", "v=spf1 include:_spf.provider.test")), status: check.Warn,
			summary: []string{"no all at the end (and no redirect)"}},
		{name: "redirect without all", check: SPF{}, spf: "fail",
			records: with(txt("portal.test.", "v=spf1 redirect=_spf.provider.test")), status: check.Pass,
			summary: []string{"v=spf1 redirect=_spf.provider.test for portal.test: 2 of 10 lookups, 0 of 2 void lookups, -all"}},
		{name: "redirect ignored beside all", check: SPF{}, spf: "fail",
			records: with(txt("portal.test.", "v=spf1 include:_spf.provider.test -all redirect=gone.portal.test")), status: check.Pass,
			summary: []string{"2 of 10 lookups"}},
		{name: "provider include missing", check: SPF{}, spf: "fail", email: provider,
			records: with(txt("portal.test.", "v=spf1 include:_spf.other.test -all"), txt("_spf.other.test.", "v=spf1 ip4:203.0.113.5 -all")), status: check.Fail,
			summary:  []string{"the provider's include:_spf.provider.test (email.provider_include) is missing"},
			evidence: []string{`publish: portal.test. 3600 IN TXT "v=spf1 include:_spf.other.test include:_spf.provider.test -all"`}},
		{name: "provider include present", check: SPF{}, spf: "fail", email: provider,
			records: with(txt("portal.test.", "v=spf1 include:_spf.provider.test -all")), status: check.Pass,
			summary: []string{"2 of 10 lookups"}},
		{name: "include of a name without SPF", check: SPF{}, spf: "permerror",
			records: with(txt("portal.test.", "v=spf1 include:nospf.test -all"), "nospf.test. IN A 192.0.2.7"), status: check.Fail,
			summary:  []string{"include:nospf.test: no v=spf1 record (TXT nospf.test: NODATA) (permerror)"},
			evidence: []string{`publish: portal.test. 3600 IN TXT "v=spf1 include:<your mail provider's SPF domain> -all"`}},
		{name: "SERVFAIL", check: SPF{}, records: base, broken: []string{"portal.test."}, status: check.Error,
			summary: []string{"the SPF record of portal.test could not be read: TXT portal.test: SERVFAIL from 127.0.0.1:"}},
		{name: "SERVFAIL in an include", check: SPF{}, broken: []string{"_spf.provider.test."},
			records: with(txt("portal.test.", "v=spf1 include:_spf.provider.test -all")), status: check.Error,
			summary: []string{"a record included by portal.test's SPF could not be read: TXT _spf.provider.test: SERVFAIL"}},
		{name: "timeout", check: SPF{}, records: base, mute: []string{"portal.test."}, status: check.Error,
			summary: []string{"TXT portal.test: timeout (no answer within 300ms)"}},
	}
}

func dmarcCases() []zoneCase {
	return []zoneCase{
		{name: "enforcing with rua", check: DMARC{},
			records: with(txt("_dmarc.portal.test.", "v=DMARC1; p=reject; rua=mailto:dmarc@portal.test")), status: check.Pass,
			summary: []string{"v=DMARC1; p=reject; rua=mailto:dmarc@portal.test at _dmarc.portal.test: p=reject, reports to dmarc@portal.test"}},
		{name: "missing", check: DMARC{}, records: base, status: check.Fail,
			summary:  []string{"portal.test has no DMARC record"},
			evidence: []string{`publish: _dmarc.portal.test. 3600 IN TXT "v=DMARC1; p=quarantine; rua=mailto:dmarc@portal.test"`}},
		{name: "p=none", check: DMARC{},
			records: with(txt("_dmarc.portal.test.", "v=DMARC1; p=none; rua=mailto:reports@portal.test")), status: check.Warn,
			summary:  []string{"p=none only monitors: once the rua reports show your mail passing, move to p=quarantine, then p=reject"},
			evidence: []string{`publish: _dmarc.portal.test. 3600 IN TXT "v=DMARC1; p=quarantine; rua=mailto:reports@portal.test"`}},
		{name: "no rua", check: DMARC{},
			records: with(txt("_dmarc.portal.test.", "v=DMARC1; p=reject")), status: check.Warn,
			summary:  []string{"no rua: nobody receives the aggregate reports"},
			evidence: []string{`publish: _dmarc.portal.test. 3600 IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@portal.test"`}},
		{name: "two records", check: DMARC{},
			records: with(txt("_dmarc.portal.test.", "v=DMARC1; p=reject"), txt("_dmarc.portal.test.", "v=DMARC1; p=none")), status: check.Fail,
			summary: []string{"_dmarc.portal.test holds 2 DMARC records: receivers apply none"}},
		{name: "organizational domain fallback", check: DMARC{}, email: &config.Email{Domains: []string{"mail.portal.test"}},
			records: with(txt("_dmarc.portal.test.", "v=DMARC1; p=reject; rua=mailto:dmarc@portal.test")), status: check.Pass,
			summary: []string{"at _dmarc.portal.test (organizational domain of mail.portal.test): p=reject"}},
		{name: "organizational domain's sp=none", check: DMARC{}, email: &config.Email{Domains: []string{"mail.portal.test"}},
			records: with(txt("_dmarc.portal.test.", "v=DMARC1; p=reject; sp=none; rua=mailto:dmarc@portal.test")), status: check.Warn,
			summary:  []string{"(organizational domain of mail.portal.test): sp=none only monitors"},
			evidence: []string{`publish: _dmarc.portal.test. 3600 IN TXT "v=DMARC1; p=reject; sp=quarantine; rua=mailto:dmarc@portal.test"`}},
		{name: "bad tag", check: DMARC{},
			records: with(txt("_dmarc.portal.test.", "v=DMARC1; p=reject; pct=150")), status: check.Fail,
			summary: []string{`_dmarc.portal.test: DMARC error at position 21, tag "pct": want a whole number 0 to 100, got "150"`}},
		{name: "external rua not authorized", check: DMARC{},
			records: with(txt("_dmarc.portal.test.", "v=DMARC1; p=reject; rua=mailto:r@reports.test")), status: check.Warn,
			summary:  []string{"reports.test does not authorize reports for portal.test (portal.test._report._dmarc.reports.test)"},
			evidence: []string{`publish (at the report destination): portal.test._report._dmarc.reports.test. 3600 IN TXT "v=DMARC1"`}},
		{name: "external rua authorized", check: DMARC{},
			records: with(txt("_dmarc.portal.test.", "v=DMARC1; p=reject; rua=mailto:r@reports.test"), txt("portal.test._report._dmarc.reports.test.", "v=DMARC1")),
			status:  check.Pass, summary: []string{"reports to r@reports.test"}},
		{name: "timeout", check: DMARC{}, records: base, mute: []string{"_dmarc.portal.test."}, status: check.Error,
			summary: []string{"the DMARC record of portal.test could not be read: TXT _dmarc.portal.test: timeout"}},
	}
}

func dkimCases() []zoneCase {
	key := func(p string) []string { return with(txt("s1._domainkey.portal.test.", p)) }
	return []zoneCase{
		{name: "RSA 512", check: DKIM{}, records: key("v=DKIM1; k=rsa; p=" + rsa512), status: check.Fail,
			summary:  []string{"the DKIM key at s1._domainkey.portal.test is 512-bit RSA: receivers ignore keys under 1024 bits (RFC 8301)"},
			evidence: []string{`publish: s1._domainkey.portal.test. 3600 IN TXT "v=DKIM1; k=rsa; p=<base64 public key, 2048-bit RSA>"`}},
		{name: "RSA 1024", check: DKIM{}, records: key("v=DKIM1; k=rsa; p=" + rsa1024), status: check.Warn,
			summary: []string{"1024-bit RSA, under the 2048 bits RFC 8301 recommends"}},
		{name: "RSA 2048", check: DKIM{}, records: key("v=DKIM1; k=rsa; p=" + rsa2048), status: check.Pass,
			summary: []string{"the DKIM key at s1._domainkey.portal.test is 2048-bit RSA"}},
		{name: "Ed25519", check: DKIM{}, records: key("v=DKIM1; k=ed25519; p=" + ed25519k), status: check.Pass,
			summary: []string{"the DKIM key at s1._domainkey.portal.test is Ed25519"}},
		{name: "revoked", check: DKIM{}, records: key("v=DKIM1; k=rsa; p="), status: check.Fail,
			summary: []string{"the DKIM key at s1._domainkey.portal.test is revoked (empty p=)"}},
		// A selector belongs to the domain that signs with it: published
		// under one sending domain is enough; found under none, it FAILs
		// naming every domain asked.
		{name: "selector under one of two domains", check: DKIM{}, records: key("v=DKIM1; k=rsa; p=" + rsa2048),
			email: &config.Email{Domains: []string{"portal.test", "news.portal.test"}, Selectors: []string{"s1"}}, status: check.Pass,
			summary: []string{"the DKIM key at s1._domainkey.portal.test is 2048-bit RSA"}},
		{name: "selector under none of two domains", check: DKIM{}, records: key("v=DKIM1; k=rsa; p=" + rsa2048),
			email: &config.Email{Domains: []string{"portal.test", "news.portal.test"}, Selectors: []string{"s1", "s2"}}, status: check.Fail,
			summary:  []string{"the DKIM key at s1._domainkey.portal.test is 2048-bit RSA", "no DKIM key for selector s2 under portal.test, news.portal.test"},
			evidence: []string{"TXT s2._domainkey.portal.test: NXDOMAIN", "TXT s2._domainkey.news.portal.test: NXDOMAIN"}},
		{name: "missing", check: DKIM{}, records: base, status: check.Fail,
			summary:  []string{"no DKIM key at s1._domainkey.portal.test"},
			evidence: []string{"TXT s1._domainkey.portal.test: NXDOMAIN", "RFC 6376 §6.1.2"}},
		{name: "testing mode", check: DKIM{}, records: key("v=DKIM1; t=y; p=" + rsa2048), status: check.Warn,
			summary: []string{"t=y (testing)"}},
		{name: "one of two selectors missing", check: DKIM{}, records: key("v=DKIM1; p=" + rsa2048),
			email:  &config.Email{Domains: []string{"portal.test"}, Selectors: []string{"s1", "s2"}},
			status: check.Fail, summary: []string{"is 2048-bit RSA", "no DKIM key at s2._domainkey.portal.test"}},
	}
}

func mxCases() []zoneCase {
	return []zoneCase{
		{name: "MX present", check: MX{}, records: base, status: check.Pass,
			summary: []string{"the sending domain portal.test receives mail at 10 mx.provider.test"}},
		{name: "null MX", check: MX{}, records: []string{"portal.test. IN MX 0 ."}, status: check.Fail,
			summary:  []string{"the sending domain portal.test publishes a null MX (MX 0 .)"},
			evidence: []string{"RFC 7505 §4.2"}},
		{name: "no MX, A fallback", check: MX{}, records: []string{"portal.test. IN A 192.0.2.10"}, status: check.Pass,
			summary: []string{"the sending domain portal.test has no MX but receives mail at its address 192.0.2.10 (implicit MX, RFC 5321 §5.1)"}},
		{name: "no MX, no address", check: MX{}, records: []string{txt("portal.test.", "v=spf1 -all")}, status: check.Fail,
			summary:  []string{"the sending domain portal.test has no MX and no address: it receives no mail"},
			evidence: []string{"publish: portal.test. 3600 IN MX 10 <your provider's inbound host>."}},
		{name: "rua domain receives no mail", check: MX{},
			records: with(txt("_dmarc.portal.test.", "v=DMARC1; p=reject; rua=mailto:r@reports.test"), txt("reports.test.", "v=spf1 -all")), status: check.Warn,
			summary: []string{"receives mail at 10 mx.provider.test", "the DMARC report domain reports.test has no MX and no address"}},
		{name: "SERVFAIL", check: MX{}, records: base, broken: []string{"portal.test."}, status: check.Error,
			summary: []string{"the MX of portal.test could not be read: MX portal.test: SERVFAIL"}},
	}
}
