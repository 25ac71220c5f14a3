package mail

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/mailauth"
)

// SPF is MAIL-001: each sending domain publishes one valid SPF record
// within RFC 7208's limits, ending in -all or ~all.
type SPF struct{}

var (
	_ check.Check  = SPF{}
	_ check.Reader = SPF{}
)

// Meta returns the static description.
func (SPF) Meta() check.Meta {
	return check.Meta{
		ID: "MAIL-001", Area: check.AreaEmail, Severity: check.Major, Impact: check.ImpactMail,
		Title: "SPF: one valid record per sending domain, within 10 DNS lookups and 2 void lookups, ending in -all or ~all",
		Pass: "Each sending domain has exactly one v=spf1 TXT record that parses; walking every include and redirect, the " +
			"DNS-querying terms (include, a, mx, ptr, exists, redirect) total at most 10 and void lookups at most 2, with no " +
			"include or redirect loop and every include publishing one record; the record ends in -all or ~all (not +all, ?all " +
			"or nothing); ptr is not used; the provider's include (email.provider_include) is present when configured.",
		Why: "Receivers evaluate SPF on every message. Past 10 lookups, with two records, or with a syntax error the result is " +
			"permerror, which DMARC counts as a fail: the portal's mail is then judged as if SPF were missing. +all and ?all let " +
			"anyone send as the domain.",
		Breaks: "Verification and password-reset mail lands in spam or is rejected, so members cannot sign up or get back in; " +
			"or anyone can send mail the receivers attribute to the portal.",
		Fix: "Publish one TXT record at the domain listing only what sends its mail, ending in -all, e.g.\n" +
			"  example.com. 3600 IN TXT \"v=spf1 include:<your provider's SPF domain> -all\"\n" +
			"Merge two records into one; remove includes of services that no longer send; replace ptr with ip4/ip6 or a; " +
			"when includes nest past 10 lookups, use the provider's narrower include or list its addresses with ip4/ip6.",
		Refs:  []string{"RFC 7208 §4.5", "RFC 7208 §4.6.4", "RFC 7208 §5.5", "RFC 7208 §5.1"},
		Needs: nil,
	}
}

// Reads names where the sending domains come from.
func (SPF) Reads() []string { return reads }

// Run judges each sending domain's SPF.
func (SPF) Run(ctx context.Context, env *check.Env) check.Result {
	provider := ""
	if env.Config.Mail != nil {
		provider = strings.ToLower(strings.TrimSuffix(env.Config.Mail.ProviderInclude, "."))
	}
	return run(ctx, env, func(ctx context.Context, r *mailauth.Resolver, d string) verdict {
		return judgeSPF(ctx, r, d, provider)
	})
}

// judgeSPF judges domain's SPF and adds what an independent evaluator
// answers, unless the DNS failed.
func judgeSPF(ctx context.Context, r *mailauth.Resolver, d, provider string) verdict {
	v := judgeSPFRecord(ctx, r, d, provider)
	if v.status != check.Error {
		v.evidence = append(v.evidence, independentResult(ctx, r, d))
	}
	return v
}

// judgeSPFRecord reads and walks domain's SPF and judges it.
func judgeSPFRecord(ctx context.Context, r *mailauth.Resolver, d, provider string) verdict {
	recs, err := mailauth.SPFRecords(ctx, r, d)
	if err != nil && !mailauth.IsVoid(err) {
		return dnsError("the SPF record of "+d, err)
	}
	fix := publish(d, suggestSPF(nil, provider, nil))
	switch {
	case len(recs) == 0:
		ev := []check.Evidence{{Request: fmt.Sprintf("DNS TXT %s @%s", d, r.Server()), Detail: "no v=spf1 record (" + errText(err) + ")\nRFC 7208 §4.5: no record means result none; DMARC then has only DKIM to pass on"}, fix}
		return verdict{check.Fail, fmt.Sprintf("%s publishes no SPF record", d), ev}
	case len(recs) > 1:
		ev := []check.Evidence{txtEvidence(r, d, strings.Join(recs, `" and "`), "RFC 7208 §4.5: more than one v=spf1 record is a permerror"), publish(d, mergeSPF(recs, provider))}
		return verdict{check.Fail, fmt.Sprintf("%s publishes %d SPF records (permerror): merge them into one", d, len(recs)), ev}
	}
	parsed, err := mailauth.ParseSPF(recs[0])
	if err != nil {
		ev := []check.Evidence{txtEvidence(r, d, recs[0], "RFC 7208 §4.6: a syntax error is a permerror"), fix}
		return verdict{check.Fail, fmt.Sprintf("%s: %v", d, err), ev}
	}
	e, err := mailauth.EvaluateSPF(ctx, r, d)
	if err != nil {
		return dnsError("the SPF record of "+d, err)
	}
	return judgeWalk(r, d, parsed, e, provider)
}

// independentResult is what an independent RFC 7208 evaluator
// (blitiri.com.ar/go/spf) answers for an address no record lists: a
// receiver's view of a forged sender, beside our counts.
func independentResult(ctx context.Context, r *mailauth.Resolver, d string) check.Evidence {
	res, err := mailauth.SPFResultFor(ctx, r, mailauth.ProbeIP, d)
	detail := fmt.Sprintf("blitiri.com.ar/go/spf evaluates %s (listed nowhere) sending as postmaster@%s: %s", mailauth.ProbeIP, d, res)
	if err != nil {
		detail += " (" + err.Error() + ")"
	}
	return check.Evidence{Detail: detail}
}

// judgeWalk turns the walk of one domain's SPF tree into a verdict.
func judgeWalk(r *mailauth.Resolver, d string, rec *mailauth.SPFRecord, e *mailauth.SPFEval, provider string) verdict {
	var fails, warns []string
	if e.Lookups > mailauth.SPFLookupLimit {
		fails = append(fails, fmt.Sprintf("%d DNS-querying terms, over the limit of 10 (RFC 7208 §4.6.4: permerror)", e.Lookups))
	}
	if len(e.Voids) > mailauth.SPFVoidLimit {
		fails = append(fails, fmt.Sprintf("%d void lookups, over the limit of 2 (RFC 7208 §4.6.4: permerror): %s", len(e.Voids), strings.Join(e.Voids, ", ")))
	}
	for _, m := range e.ManyMX {
		fails = append(fails, m+", over the limit of 10 (RFC 7208 §4.6.4: permerror)")
	}
	for _, l := range e.Loops {
		fails = append(fails, "loop "+l+" (permerror)")
	}
	fails = append(fails, brokenIncludes(e.Root)...)
	var all mailauth.SPFTerm
	hasAll := false
	if eff := e.Effective(); eff.Parsed != nil {
		all, hasAll = eff.Parsed.All()
	}
	switch {
	case e.Effective().Parsed == nil:
		// The redirect leads nowhere: reported by brokenIncludes.
	case hasAll && all.Qualifier == '+':
		fails = append(fails, fmt.Sprintf("%q lets any host send as %s (RFC 7208 §5.1)", all.Text, d))
	case hasAll && all.Qualifier == '?':
		warns = append(warns, fmt.Sprintf("%q is neutral: receivers treat unlisted senders as if there were no SPF", all.Text))
	case !hasAll:
		warns = append(warns, "no all at the end (and no redirect): unlisted senders get neutral, as with ?all (RFC 7208 §4.7)")
	}
	if provider != "" && !slices.Contains(e.Includes(), provider) {
		fails = append(fails, fmt.Sprintf("the provider's include:%s (email.provider_include) is missing", provider))
	}
	for _, p := range e.Ptr {
		warns = append(warns, "ptr is slow, unreliable and deprecated (RFC 7208 §5.5): "+p)
	}
	if len(e.TempErrs) > 0 && len(fails) == 0 {
		return dnsError("a record included by "+d+"'s SPF", e.TempErrs[0])
	}
	ev := []check.Evidence{txtEvidence(r, d, rec.Raw, "RFC 7208 §4.6.4: at most 10 DNS-querying terms and 2 void lookups, counted through every include"),
		{Detail: "lookups per include:\n" + strings.Join(e.Breakdown(), "\n")}}
	counts := fmt.Sprintf("%d of 10 lookups, %d of 2 void lookups", e.Lookups, len(e.Voids))
	switch {
	case len(fails) > 0:
		ev = append(ev, publish(d, suggestSPF(rec, provider, e)))
		return verdict{check.Fail, fmt.Sprintf("%s for %s: %s (%s)", rec.Raw, d, strings.Join(fails, "; "), counts), ev}
	case len(warns) > 0:
		ev = append(ev, publish(d, suggestSPF(rec, provider, e)))
		return verdict{check.Warn, fmt.Sprintf("%s for %s: %s (%s)", rec.Raw, d, strings.Join(warns, "; "), counts), ev}
	}
	note := "-all"
	if all.Qualifier == '~' {
		note = "~all (softfail; -all is stricter once DMARC reports show only your senders)"
	}
	return verdict{check.Pass, fmt.Sprintf("%s for %s: %s, %s", rec.Raw, d, counts, note), ev}
}

// brokenIncludes lists the records under the root that make the whole
// evaluation a permerror: an include with no SPF, with two, or with a
// syntax error (RFC 7208 §5.2: include of "none" is a permerror).
func brokenIncludes(root *mailauth.SPFNode) []string {
	var out []string
	var walk func(n *mailauth.SPFNode)
	walk = func(n *mailauth.SPFNode) {
		for _, c := range n.Children {
			var le *mailauth.LookupError
			switch {
			case c.Err == nil:
			case errors.As(c.Err, &le) && !mailauth.IsVoid(c.Err):
				// Temporary failures are reported apart (ERROR).
			case errors.Is(c.Err, mailauth.ErrSPFLoop):
				// Reported as a loop.
			default:
				out = append(out, fmt.Sprintf("%s:%s: %v (permerror)", c.Via, c.Domain, c.Err))
			}
			walk(c)
		}
	}
	walk(root)
	return out
}

// loops reports whether n's subtree holds an include or redirect loop.
func loops(n *mailauth.SPFNode) bool {
	if errors.Is(n.Err, mailauth.ErrSPFLoop) {
		return true
	}
	for _, c := range n.Children {
		if loops(c) {
			return true
		}
	}
	return false
}

func errText(err error) string {
	if err == nil {
		return "no TXT record starts with v=spf1"
	}
	return err.Error()
}
