package mail

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/mailauth"
)

// DKIM is MAIL-002: the DKIM key of each selector is published, parses,
// is not revoked and is strong enough.
type DKIM struct{}

var (
	_ check.Check  = DKIM{}
	_ check.Reader = DKIM{}
)

// Meta returns the static description.
func (DKIM) Meta() check.Meta {
	return check.Meta{
		ID: "MAIL-002", Area: check.AreaEmail, Severity: check.Major, Impact: check.ImpactMail,
		Title: "DKIM: the key of each selector is published, valid, not revoked and at least 2048-bit RSA or Ed25519",
		Pass: "For each sending domain and each selector (email.selectors), <selector>._domainkey.<domain> holds one key " +
			"record whose p= parses: RSA of at least 2048 bits (1024 to 2047 warns, under 1024 fails) or Ed25519; not revoked " +
			"(empty p=), not in testing mode (t=y), not limited to sha1.",
		Why: "DKIM is what survives forwarding and what DMARC can align on when SPF does not (providers often bounce from " +
			"their own domain). Receivers ignore RSA keys under 1024 bits (RFC 8301) and a revoked or missing key makes every " +
			"signature fail.",
		Breaks: "Signed mail fails DKIM: with DMARC quarantine or reject, verification and reset mail goes to spam or is " +
			"refused.",
		Fix: "Publish the key your provider (or your signer) gives, one TXT record per selector, e.g.\n" +
			"  s1._domainkey.example.com. 3600 IN TXT \"v=DKIM1; k=rsa; p=<base64 SubjectPublicKeyInfo of a 2048-bit key>\"\n" +
			"Generate one with: openssl genrsa -out s1.key 2048 && openssl rsa -in s1.key -pubout -outform DER | base64 -w0. " +
			"Rotate keys under 2048 bits to a new selector, then revoke the old one (p=) once no mail is signed with it.",
		Refs: []string{"RFC 6376 §3.6.1", "RFC 8301 §3.2", "RFC 8463", "RFC 6376 §3.6.2.2"},
	}
}

// Reads names the selectors and where the domains come from.
func (DKIM) Reads() []string { return append(slices.Clone(reads), "email.selectors") }

// Run judges each domain × selector key.
func (DKIM) Run(ctx context.Context, env *check.Env) check.Result {
	if _, skip := domains(env); skip != nil {
		return *skip
	}
	if len(env.Config.Mail.Selectors) == 0 {
		return check.Skipped("no DKIM selector to look up: email.selectors is empty and no signed mail was received (selectors cannot be listed from DNS)",
			"email.selectors")
	}
	ds, _ := domains(env)
	r, err := resolver(env)
	if err != nil {
		return check.Errorf("DNS resolver: %v", err)
	}
	// A selector belongs to the domain that signs with it (d=), which the
	// config does not say: each selector must be published under at least
	// one sending domain, and every key found is judged. A selector
	// missing under the other domains is no finding.
	var vs []verdict
	for _, s := range env.Config.Mail.Selectors {
		var found, missing []verdict
		for _, d := range ds {
			v, absent := judgeKey(ctx, r, d, s)
			if absent {
				missing = append(missing, v)
				continue
			}
			found = append(found, v)
		}
		if len(found) > 0 {
			vs = append(vs, found...)
			continue
		}
		if len(missing) == 1 {
			vs = append(vs, missing[0])
			continue
		}
		m := verdict{status: check.Fail, summary: fmt.Sprintf("no DKIM key for selector %s under %s", s, strings.Join(ds, ", "))}
		for _, v := range missing {
			m.evidence = append(m.evidence, v.evidence...)
		}
		vs = append(vs, m)
	}
	return combine(vs)
}

// judgeKey reads and judges one selector's key; absent says no record
// publishes it (NXDOMAIN or no TXT), which another domain may instead.
func judgeKey(ctx context.Context, r *mailauth.Resolver, d, sel string) (v verdict, absent bool) {
	name := strings.ToLower(sel) + "._domainkey." + d
	txts, err := r.TXT(ctx, name)
	if err != nil && !mailauth.IsVoid(err) {
		return dnsError("the DKIM key "+name, err), false
	}
	template := "v=DKIM1; k=rsa; p=<base64 public key, 2048-bit RSA>"
	if len(txts) == 0 {
		why := "no TXT record"
		if err != nil {
			why = err.Error()
		}
		ev := []check.Evidence{{Request: fmt.Sprintf("DNS TXT %s @%s", name, r.Server()), Detail: why + "\nRFC 6376 §6.1.2: no key record is a permanent failure of every signature with s=" + sel},
			publish(name, template)}
		return verdict{check.Fail, fmt.Sprintf("no DKIM key at %s", name), ev}, true
	}
	if len(txts) > 1 {
		ev := []check.Evidence{txtEvidence(r, name, strings.Join(txts, `" and "`), "RFC 6376 §3.6.2.2: one key record per selector"), publish(name, template)}
		return verdict{check.Fail, fmt.Sprintf("%d TXT records at %s: publish one key per selector", len(txts), name), ev}, false
	}
	k, err := mailauth.ParseDKIMKey(txts[0])
	if err != nil {
		ev := []check.Evidence{txtEvidence(r, name, txts[0], "RFC 6376 §3.6.1: the key record's tags and p="), publish(name, template)}
		return verdict{check.Fail, fmt.Sprintf("%s: %v", name, err), ev}, false
	}
	return judgeParsedKey(r, name, k, template), false
}

// judgeParsedKey judges a key that parsed: revoked, size, flags.
func judgeParsedKey(r *mailauth.Resolver, name string, k *mailauth.DKIMKey, template string) verdict {
	ev := []check.Evidence{txtEvidence(r, name, abbreviate(k.Raw), "RFC 8301 §3.2: RSA keys of at least 1024 bits, 2048 recommended; RFC 8463: Ed25519")}
	fail := func(format string, a ...any) verdict {
		return verdict{check.Fail, fmt.Sprintf(format, a...), append(ev, publish(name, template))}
	}
	switch {
	case k.Revoked:
		return fail("the DKIM key at %s is revoked (empty p=): mail signed with this selector fails DKIM", name)
	case k.KeyType == "rsa" && k.Bits < 1024:
		return fail("the DKIM key at %s is %d-bit RSA: receivers ignore keys under 1024 bits (RFC 8301)", name, k.Bits)
	}
	var warns []string
	if k.KeyType == "rsa" && k.Bits < 2048 {
		warns = append(warns, fmt.Sprintf("%d-bit RSA, under the 2048 bits RFC 8301 recommends", k.Bits))
	}
	if k.Testing {
		warns = append(warns, "t=y (testing): receivers treat its signatures as unsigned mail")
	}
	if len(k.Hashes) > 0 && !slices.Contains(k.Hashes, "sha256") {
		warns = append(warns, "h= excludes sha256 (sha1 must not be used, RFC 8301 §3.1)")
	}
	if len(warns) > 0 {
		return verdict{check.Warn, fmt.Sprintf("the DKIM key at %s: %s", name, strings.Join(warns, "; ")), append(ev, publish(name, template))}
	}
	if k.KeyType == "ed25519" {
		return verdict{check.Pass, fmt.Sprintf("the DKIM key at %s is Ed25519 (sign with an RSA key too: not every receiver verifies Ed25519)", name), ev}
	}
	return verdict{check.Pass, fmt.Sprintf("the DKIM key at %s is %d-bit RSA", name, k.Bits), ev}
}

// abbreviate shortens a long p= for evidence.
func abbreviate(rec string) string {
	if len(rec) <= 120 {
		return rec
	}
	return rec[:100] + "…" + rec[len(rec)-12:]
}
