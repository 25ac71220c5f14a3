package mail

import (
	"context"
	"fmt"
	"net"
	"strings"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/mailauth"
)

// MX is MAIL-004: each sending domain and each DMARC report domain can
// receive mail (MX or an A/AAAA fallback), and no sending domain declares
// a null MX.
type MX struct{}

var (
	_ check.Check  = MX{}
	_ check.Reader = MX{}
)

// Meta returns the static description.
func (MX) Meta() check.Meta {
	return check.Meta{
		ID: "MAIL-004", Area: check.AreaEmail, Severity: check.Major, Impact: check.ImpactMail,
		Title: "MX: sending domains and DMARC report domains receive mail; no null MX on a sending domain",
		Pass: "Each sending domain has MX records (or, without MX, an A/AAAA address mail falls back to, RFC 5321 §5.1) " +
			"and no null MX (MX 0 ., RFC 7505); each domain named in its DMARC rua has MX or the fallback too.",
		Why: "A domain that cannot receive mail cannot receive bounces, replies or DMARC reports, and receivers may refuse " +
			"mail from a domain with a null MX (RFC 7505 §4.2) or none at all.",
		Breaks: "The portal's mail is rejected as coming from a domain that accepts no mail; replies from members and DMARC " +
			"reports are lost.",
		Fix: "Publish the MX your provider gives, e.g.\n  example.com. 3600 IN MX 10 mx.provider.example.\n" +
			"Remove a null MX (MX 0 .) from any domain that sends mail.",
		Refs: []string{"RFC 7505 §3", "RFC 7505 §4.2", "RFC 5321 §5.1", "RFC 7489 §7.1"},
	}
}

// Reads names where the sending domains come from.
func (MX) Reads() []string { return reads }

// Run judges each sending domain and its DMARC report domains.
func (MX) Run(ctx context.Context, env *check.Env) check.Result {
	return run(ctx, env, func(ctx context.Context, r *mailauth.Resolver, d string) verdict {
		vs := []verdict{judgeMX(ctx, r, d, true)}
		for _, rd := range reportDomains(ctx, r, d) {
			if rd != d {
				vs = append(vs, judgeMX(ctx, r, rd, false))
			}
		}
		c := combine(vs)
		return verdict{c.Status, c.Summary, c.Evidence}
	})
}

// reportDomains lists the rua domains of d's DMARC record (none when it
// cannot be read: MAIL-003 reports that).
func reportDomains(ctx context.Context, r *mailauth.Resolver, d string) []string {
	found, err := mailauth.FindDMARC(ctx, r, d)
	if err != nil || len(found.Records) != 1 {
		return nil
	}
	rec, err := mailauth.ParseDMARC(found.Records[0])
	if err != nil {
		return nil
	}
	var out []string
	for _, u := range rec.RUA {
		out = append(out, u.Domain)
	}
	return out
}

// judgeMX judges one domain: sending (null MX fails) or a report domain
// (a domain that cannot receive loses the reports: WARN).
func judgeMX(ctx context.Context, r *mailauth.Resolver, d string, sending bool) verdict {
	m, err := mailauth.LookupMail(ctx, r, d)
	if err != nil {
		return dnsError("the MX of "+d, err)
	}
	role := "sending domain"
	if !sending {
		role = "DMARC report domain"
	}
	req := fmt.Sprintf("DNS MX %s @%s", d, r.Server())
	bad := check.Fail
	if !sending {
		bad = check.Warn
	}
	switch {
	case m.NullMX && sending:
		ev := []check.Evidence{{Request: req, Detail: d + ". MX 0 .\nRFC 7505 §4.2: a domain with a null MX sends no mail; receivers may reject it"},
			{Detail: "publish: remove the null MX and add the provider's, e.g. " + d + ". 3600 IN MX 10 <your provider's inbound host>."}}
		return verdict{check.Fail, fmt.Sprintf("the %s %s publishes a null MX (MX 0 .): it declares it accepts no mail, so bounces have nowhere to go and receivers may refuse its mail", role, d), ev}
	case m.NullMX:
		ev := []check.Evidence{{Request: req, Detail: d + ". MX 0 .\nRFC 7505: the domain accepts no mail"}}
		return verdict{bad, fmt.Sprintf("the %s %s publishes a null MX: reports sent there are lost", role, d), ev}
	case len(m.MX) > 0:
		return verdict{check.Pass, fmt.Sprintf("the %s %s receives mail at %s", role, d, mxList(m.MX)), []check.Evidence{{Request: req, Detail: mxList(m.MX)}}}
	case len(m.Fallback) > 0:
		return verdict{check.Pass, fmt.Sprintf("the %s %s has no MX but receives mail at its address %s (implicit MX, RFC 5321 §5.1)", role, d, ipList(m.Fallback)),
			[]check.Evidence{{Request: req, Detail: "no MX; A/AAAA " + ipList(m.Fallback)}}}
	}
	ev := []check.Evidence{{Request: req, Detail: "no MX and no A/AAAA\nRFC 5321 §5.1: mail to the domain has nowhere to go"},
		{Detail: "publish: " + d + ". 3600 IN MX 10 <your provider's inbound host>."}}
	return verdict{bad, fmt.Sprintf("the %s %s has no MX and no address: it receives no mail", role, d), ev}
}

func mxList(mx []mailauth.MX) string {
	parts := make([]string, 0, len(mx))
	for _, m := range mx {
		parts = append(parts, fmt.Sprintf("%d %s", m.Pref, m.Host))
	}
	return strings.Join(parts, ", ")
}

func ipList(ips []net.IP) string {
	parts := make([]string, 0, len(ips))
	for _, ip := range ips {
		parts = append(parts, ip.String())
	}
	return strings.Join(parts, ", ")
}
