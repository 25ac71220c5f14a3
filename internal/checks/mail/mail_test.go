package mail

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/config"
	"github.com/launchready/launchready/internal/mailauth/dnstest"
)

// zoneCase is one zone served on loopback and the exact verdict one check
// gives on it.
type zoneCase struct {
	name    string
	check   check.Check
	records []string
	broken  []string
	mute    []string
	email   *config.Email // nil: domains [portal.test]
	status  check.Status
	// summary holds strings the summary must contain, in order.
	summary []string
	// evidence holds strings some evidence must contain.
	evidence []string
	// spf is what blitiri.com.ar/go/spf, an independent evaluator,
	// answers for an address no record lists ("" for checks other than
	// MAIL-001, or where it is not asked).
	spf string
}

// txt writes a TXT record, split into 255-byte strings as a zone file
// must (RFC 1035 §3.3.14); receivers join them.
func txt(name, value string) string {
	var parts []string
	for len(value) > 255 {
		parts = append(parts, value[:255])
		value = value[255:]
	}
	parts = append(parts, value)
	return fmt.Sprintf("%s IN TXT \"%s\"", name, strings.Join(parts, `" "`))
}

// base is what a well-configured portal.test publishes besides the record
// under test: an address, an MX and the provider's SPF.
var base = []string{
	"portal.test. IN A 192.0.2.10",
	"portal.test. IN MX 10 mx.provider.test.",
	"mx.provider.test. IN A 192.0.2.25",
	txt("_spf.provider.test.", "v=spf1 ip4:192.0.2.0/24 include:_spf2.provider.test -all"),
	txt("_spf2.provider.test.", "v=spf1 ip4:198.51.100.0/24 -all"),
}

func with(records ...string) []string { return append(append([]string(nil), base...), records...) }

// chain publishes n includes, each one lookup, ending in ip4.
func chain(prefix string, n int) []string {
	var out []string
	for i := 1; i <= n; i++ {
		next := fmt.Sprintf("include:%s%d.test", prefix, i+1)
		if i == n {
			next = "ip4:203.0.113.0/24"
		}
		out = append(out, txt(fmt.Sprintf("%s%d.test.", prefix, i), "v=spf1 "+next+" -all"))
	}
	return out
}

func runCase(t *testing.T, tc zoneCase) check.Result {
	t.Helper()
	srv := dnstest.Start(t, dnstest.Zone{Origin: "test.", Records: tc.records, Broken: tc.broken, Mute: tc.mute})
	email := tc.email
	if email == nil {
		email = &config.Email{Domains: []string{"portal.test"}, Selectors: []string{"s1"}}
	}
	// A short per-query timeout only for the zones with a mute name; no
	// test asserts on how long anything took.
	timeout := 5 * time.Second
	if len(tc.mute) > 0 {
		timeout = 300 * time.Millisecond
	}
	cfg := &config.Config{Target: config.Target{URL: "https://portal.test", Resolver: srv.Addr, Timeouts: config.Timeouts{Connect: timeout}}, Mail: email}
	return tc.check.Run(context.Background(), &check.Env{Config: cfg})
}

func TestZones(t *testing.T) {
	cases := append(append(append(spfCases(), dmarcCases()...), dkimCases()...), mxCases()...)
	if len(cases) < 25 {
		t.Fatalf("%d zones, want at least 25", len(cases))
	}
	for _, tc := range cases {
		t.Run(tc.check.Meta().ID+"/"+tc.name, func(t *testing.T) {
			res := runCase(t, tc)
			if res.Status != tc.status {
				t.Errorf("status %s, want %s\nsummary: %s", res.Status, tc.status, res.Summary)
			}
			rest := res.Summary
			for _, s := range tc.summary {
				i := strings.Index(rest, s)
				if i < 0 {
					t.Errorf("summary lacks %q (in order)\nsummary: %s", s, res.Summary)
					break
				}
				rest = rest[i+len(s):]
			}
			all := evidenceText(res)
			if tc.spf != "" {
				tc.evidence = append(tc.evidence, "sending as postmaster@portal.test: "+tc.spf)
			}
			for _, s := range tc.evidence {
				if !strings.Contains(all, s) {
					t.Errorf("evidence lacks %q\nevidence:\n%s", s, all)
				}
			}
		})
	}
}

func evidenceText(r check.Result) string {
	var b strings.Builder
	for _, e := range r.Evidence {
		fmt.Fprintf(&b, "%s\n%s\n", e.Request, e.Detail)
	}
	return b.String()
}

func TestSkipWithoutSendingDomain(t *testing.T) {
	for _, c := range []check.Check{SPF{}, DKIM{}, DMARC{}, MX{}} {
		for _, email := range []*config.Email{nil, {Selectors: []string{"s1"}}} {
			res := c.Run(context.Background(), &check.Env{Config: &config.Config{Mail: email}})
			if res.Status != check.Skip || res.Enable != "email.domains" || !strings.Contains(res.Reason, "email.domains") {
				t.Errorf("%s with email %+v: %s %q enable %q; want SKIP naming email.domains", c.Meta().ID, email, res.Status, res.Reason, res.Enable)
			}
		}
	}
}

func TestDKIMSkipsWithoutSelectors(t *testing.T) {
	res := runCase(t, zoneCase{check: DKIM{}, records: base, email: &config.Email{Domains: []string{"portal.test"}}})
	if res.Status != check.Skip || res.Enable != "email.selectors" {
		t.Errorf("%s %q enable %q; want SKIP naming email.selectors", res.Status, res.Summary, res.Enable)
	}
}

func TestSenderFromGivesTheDomain(t *testing.T) {
	res := runCase(t, zoneCase{check: SPF{}, records: with(txt("portal.test.", "v=spf1 include:_spf.provider.test -all")),
		email: &config.Email{Sender: &config.EmailSender{From: "Portal <no-reply@Portal.test>"}}})
	if res.Status != check.Pass || !strings.Contains(res.Summary, "for portal.test") {
		t.Errorf("%s %q; want PASS for portal.test", res.Status, res.Summary)
	}
}

func TestDigRepro(t *testing.T) {
	for in, want := range map[string]string{
		"DNS TXT _dmarc.portal.test @127.0.0.1:5353": "dig +norecurse @127.0.0.1 -p 5353 _dmarc.portal.test TXT",
		"DNS MX portal.test @[::1]:53":               "dig +norecurse @::1 -p 53 portal.test MX",
		"GET https://portal.test/":                   "",
		"DNS TXT portal.test":                        "",
	} {
		if got := digRepro(in); got != want {
			t.Errorf("digRepro(%q) = %q, want %q", in, got, want)
		}
	}
}
