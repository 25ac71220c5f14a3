package mail

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/net/publicsuffix"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/mailauth"
)

// DMARC is MAIL-003: each sending domain has one valid DMARC record with
// an enforcing policy and aggregate reports.
type DMARC struct{}

var (
	_ check.Check  = DMARC{}
	_ check.Reader = DMARC{}
)

// Meta returns the static description.
func (DMARC) Meta() check.Meta {
	return check.Meta{
		ID: "MAIL-003", Area: check.AreaEmail, Severity: check.Major, Impact: check.ImpactMail,
		Title: "DMARC: one valid record per sending domain, with a quarantine or reject policy and aggregate reports",
		Pass: "_dmarc.<domain> (or the organizational domain's, RFC 7489 §6.6.3) holds exactly one record starting " +
			"v=DMARC1 whose tags are valid (p and sp none|quarantine|reject, pct 0-100, rua/ruf mailto: URIs, adkim/aspf r|s, " +
			"fo, ri, DMARCbis np, psd, t); p is quarantine or reject (none warns) and rua names where aggregate reports go " +
			"(missing warns); an external rua domain authorizes the reports.",
		Why: "Gmail and Yahoo require DMARC of bulk senders; without it anyone can send as the domain and receivers have " +
			"no policy to apply. Without rua nobody sees the failures before moving to an enforcing policy.",
		Breaks: "Phishing mail as the portal reaches members' inboxes, and the portal's own mail is more likely to be junked.",
		Fix: "Publish at _dmarc.<domain>:\n  _dmarc.example.com. 3600 IN TXT \"v=DMARC1; p=quarantine; rua=mailto:dmarc@example.com\"\n" +
			"Start with p=none only while reading the reports, then quarantine, then reject.",
		Refs: []string{"RFC 7489 §6.3", "RFC 7489 §6.6.3", "RFC 7489 §7.1", "RFC 9989"},
	}
}

// Reads names where the sending domains come from.
func (DMARC) Reads() []string { return reads }

// Run judges each sending domain's DMARC.
func (DMARC) Run(ctx context.Context, env *check.Env) check.Result {
	return run(ctx, env, judgeDMARC)
}

// wantDMARC is the record every DMARC FAIL or WARN tells to publish.
func wantDMARC(d string) string {
	return "v=DMARC1; p=quarantine; rua=mailto:dmarc@" + d
}

func judgeDMARC(ctx context.Context, r *mailauth.Resolver, d string) verdict {
	found, err := mailauth.FindDMARC(ctx, r, d)
	fix := publish("_dmarc."+d, wantDMARC(d))
	switch {
	case errors.Is(err, mailauth.ErrNoDMARC):
		ev := []check.Evidence{{Request: fmt.Sprintf("DNS TXT _dmarc.%s @%s", d, r.Server()), Detail: err.Error() + "\nRFC 7489 §6.6.3: no record means no policy"}, fix}
		return verdict{check.Fail, fmt.Sprintf("%s has no DMARC record", d), ev}
	case err != nil:
		return dnsError("the DMARC record of "+d, err)
	case len(found.Records) > 1:
		ev := []check.Evidence{txtEvidence(r, found.Name, strings.Join(found.Records, `" and "`), "RFC 7489 §6.6.3: more than one record means no DMARC policy applies"), fix}
		return verdict{check.Fail, fmt.Sprintf("%s holds %d DMARC records: receivers apply none", found.Name, len(found.Records)), ev}
	}
	rec, err := mailauth.ParseDMARC(found.Records[0])
	if err != nil {
		ev := []check.Evidence{txtEvidence(r, found.Name, found.Records[0], "RFC 7489 §6.3: tag syntax and values"), fix}
		return verdict{check.Fail, fmt.Sprintf("%s: %v", found.Name, err), ev}
	}
	ev := []check.Evidence{txtEvidence(r, found.Name, rec.Raw, "RFC 7489 §6.3: p=quarantine or reject, with rua")}
	where := found.Name
	if found.OrgFallback {
		where += fmt.Sprintf(" (organizational domain of %s)", d)
	}
	// A subdomain found through its organizational domain gets sp= when
	// written (RFC 7489 §6.6.3), else p=.
	tag, policy := "p", rec.P
	if found.OrgFallback && rec.SP != "" {
		tag, policy = "sp", rec.SP
	}
	var warns []string
	if policy == "none" {
		warns = append(warns, tag+"=none only monitors: once the rua reports show your mail passing, move to "+tag+"=quarantine, then "+tag+"=reject")
	}
	if len(rec.RUA) == 0 {
		warns = append(warns, "no rua: nobody receives the aggregate reports that show who sends as the domain")
	}
	if rec.Pct < 100 && policy != "none" {
		warns = append(warns, fmt.Sprintf("pct=%d applies the policy to part of the failing mail only", rec.Pct))
	}
	warns = append(warns, externalRUA(ctx, r, d, rec, &ev)...)
	if len(warns) > 0 {
		org := strings.TrimPrefix(found.Name, "_dmarc.")
		rua := "mailto:dmarc@" + org
		if len(rec.RUA) > 0 {
			rua = rec.RUA[0].URI
		}
		// Never suggest a weaker policy than the one published.
		p := "p=quarantine"
		if rec.P != "none" {
			p = "p=" + rec.P
		}
		if tag == "sp" && rec.SP == "none" {
			p += "; sp=quarantine"
		}
		next := "v=DMARC1; " + p + "; rua=" + rua
		ev = append(ev, publish(found.Name, next))
		return verdict{check.Warn, fmt.Sprintf("%s at %s: %s", rec.Raw, where, strings.Join(warns, "; ")), ev}
	}
	return verdict{check.Pass, fmt.Sprintf("%s at %s: %s=%s, reports to %s", rec.Raw, where, tag, policy, rec.RUA[0].Address), ev}
}

// externalRUA checks that each rua destination outside the domain's
// organization publishes <domain>._report._dmarc.<dest> (RFC 7489 §7.1);
// receivers drop reports to one that does not.
func externalRUA(ctx context.Context, r *mailauth.Resolver, d string, rec *mailauth.DMARC, ev *[]check.Evidence) []string {
	org, _ := publicsuffix.EffectiveTLDPlusOne(d)
	var warns []string
	for _, u := range rec.RUA {
		destOrg, _ := publicsuffix.EffectiveTLDPlusOne(u.Domain)
		if strings.EqualFold(destOrg, org) {
			continue
		}
		name := d + "._report._dmarc." + u.Domain
		txts, err := r.TXT(ctx, name)
		ok := false
		for _, t := range txts {
			ok = ok || mailauth.IsDMARC(t)
		}
		if !ok {
			*ev = append(*ev, check.Evidence{Request: fmt.Sprintf("DNS TXT %s @%s", name, r.Server()), Detail: fmt.Sprintf("%v\nRFC 7489 §7.1: an external report destination authorizes the domain", errOr(err, "no v=DMARC1 record"))},
				check.Evidence{Detail: fmt.Sprintf("publish (at the report destination): %s. 3600 IN TXT \"v=DMARC1\"", name)})
			warns = append(warns, fmt.Sprintf("%s does not authorize reports for %s (%s)", u.Domain, d, name))
		}
	}
	return warns
}

func errOr(err error, s string) string {
	if err != nil {
		return err.Error()
	}
	return s
}
