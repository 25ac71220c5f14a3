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
	sels := env.Config.Mail.Selectors
	return run(ctx, env, func(ctx context.Context, r *mailauth.Resolver, d string) verdict {
		vs := make([]verdict, 0, len(sels))
		for _, s := range sels {
			vs = append(vs, judgeKey(ctx, r, d, s))
		}
		c := combine(vs)
		return verdict{c.Status, c.Summary, c.Evidence}
	})
}

// judgeKey reads and judges one selector's key.
func judgeKey(ctx context.Context, r *mailauth.Resolver, d, sel string) verdict {
	name := strings.ToLower(sel) + "._domainkey." + d
	txts, err := r.TXT(ctx, name)
	if err != nil && !mailauth.IsVoid(err) {
		return dnsError("the DKIM key "+name, err)
	}
	template := "v=DKIM1; k=rsa; p=<base64 public key, 2048-bit RSA>"
	if len(txts) == 0 {
		ev := []check.Evidence{{Request: fmt.Sprintf("DNS TXT %s @%s", name, r.Server()), Detail: err.Error() + "\nRFC 6376 §6.1.2: no key record is a permanent failure of every signature with s=" + sel},
			publish(name, template)}
		return verdict{check.Fail, fmt.Sprintf("no DKIM key at %s", name), ev}
	}
	if len(txts) > 1 {
		ev := []check.Evidence{txtEvidence(r, name, strings.Join(txts, `" and "`), "RFC 6376 §3.6.2.2: one key record per selector"), publish(name, template)}
		return verdict{check.Fail, fmt.Sprintf("%d TXT records at %s: publish one key per selector", len(txts), name), ev}
	}
	k, err := mailauth.ParseDKIMKey(txts[0])
	if err != nil {
		ev := []check.Evidence{txtEvidence(r, name, txts[0], "RFC 6376 §3.6.1: the key record's tags and p="), publish(name, template)}
		return verdict{check.Fail, fmt.Sprintf("%s: %v", name, err), ev}
	}
	return judgeParsedKey(r, name, k, template)
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
