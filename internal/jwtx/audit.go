package jwtx

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Issue is one finding of Audit.
type Issue struct {
	// Kind is one of "alg-none-header", "weak-alg", "missing-exp",
	// "long-lifetime", "sensitive-claim" and "client-editable-claim".
	Kind string
	// Claim is the claim concerned, dotted one level deep
	// ("app_metadata.role"); empty for header issues.
	Claim string
	// Detail explains the issue for a report. It never quotes a claim's value.
	Detail string
}

// Audit reviews a token's header and claims, in that order, claims sorted
// by name: alg none or an unknown alg; a missing or unusable exp; a
// lifetime over maxLifetime (skipped when maxLifetime <= 0); claims that
// carry sensitive data, by name or by a secret-looking value; and
// authorization claims a client could edit if the signature were not
// verified with a strong key. Nested objects are inspected one level deep.
// Whether an HS* key is weak is for CrackHMAC, not Audit.
func Audit(t *Token, maxLifetime time.Duration) []Issue {
	if t == nil {
		return nil
	}
	var out []Issue
	out = append(out, algIssues(t.Alg)...)
	out = append(out, lifetimeIssues(t, maxLifetime)...)
	for _, k := range slices.Sorted(maps.Keys(t.Claims)) {
		out = append(out, claimIssues(k, k, "", t.Claims[k])...)
		if nested, ok := t.Claims[k].(map[string]any); ok {
			for _, nk := range slices.Sorted(maps.Keys(nested)) {
				out = append(out, claimIssues(k+"."+nk, nk, k, nested[nk])...)
			}
		}
	}
	return out
}

func algIssues(alg string) []Issue {
	if strings.EqualFold(alg, "none") {
		return []Issue{{Kind: "alg-none-header", Detail: fmt.Sprintf(
			"the token is unsigned (header alg %q): anyone can write its claims; the server must refuse alg none (ASVS 9.1.2, CWE-347)", alg)}}
	}
	switch alg {
	case "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
		"ES256", "ES384", "ES512", "ES256K", "EdDSA", "Ed25519", "Ed448":
		return nil
	}
	return []Issue{{Kind: "weak-alg", Detail: fmt.Sprintf(
		"header alg %q is not a registered JWS signature algorithm; a verifier that tolerates it may not check signatures at all (ASVS 9.1.1)", alg)}}
}

func lifetimeIssues(t *Token, maxLifetime time.Duration) []Issue {
	if _, ok := t.Expiry(); !ok {
		detail := "the token has no exp claim: it never expires, so a stolen copy works forever (ASVS 9.2.1)"
		if _, present := t.Claims["exp"]; present {
			detail = "the exp claim is not a NumericDate (seconds since 1970), so verifiers ignore or reject it and the token may never expire (ASVS 9.2.1)"
		}
		return []Issue{{Kind: "missing-exp", Claim: "exp", Detail: detail}}
	}
	life, _ := t.Lifetime()
	if maxLifetime <= 0 || life <= maxLifetime {
		return nil
	}
	how := "exp - iat"
	if _, ok := t.IssuedAt(); !ok {
		how = "exp - now, no iat"
	}
	detail := fmt.Sprintf("the token lives %s (%s), over the %s limit: a stolen copy stays usable that long (ASVS 9.2.1)", life.Round(time.Second), how, maxLifetime)
	if exp, _ := t.Expiry(); exp.Year() > 9999 {
		detail += "; exp looks like milliseconds instead of seconds"
	}
	return []Issue{{Kind: "long-lifetime", Claim: "exp", Detail: detail}}
}

// claimIssues inspects one claim named key at path; parent is the enclosing
// claim when nested.
func claimIssues(path, key, parent string, v any) []Issue {
	name := normalize(key)
	if parent == "" && registeredClaim(name) {
		return nil
	}
	if what, ok := sensitiveName(name); ok && hasValue(v) {
		return []Issue{{Kind: "sensitive-claim", Claim: path, Detail: fmt.Sprintf(
			"claim %q carries %s; JWT claims are only base64-encoded, readable by anyone holding the token (browser, logs, proxies)", path, what)}}
	}
	if what, ok := secretValue(v); ok {
		return []Issue{{Kind: "sensitive-claim", Claim: path, Detail: fmt.Sprintf(
			"claim %q holds what looks like %s, readable by anyone holding the token; keep credentials server-side", path, what)}}
	}
	if editableName(name) {
		return []Issue{{Kind: "client-editable-claim", Claim: path, Detail: editableDetail(path, parent)}}
	}
	return nil
}

func editableDetail(path, parent string) string {
	d := fmt.Sprintf("claim %q grants authorization; it is only safe while the server verifies the signature with a strong key "+
		"and an explicit algorithm allowlist: with alg none accepted or a weak HMAC key, a member can edit it to gain access. "+
		"Prefer looking it up server-side", path)
	if normalize(parent) == "usermetadata" {
		d += "; besides, user_metadata is writable by the user through the auth API (Supabase updateUser, Auth0 profile), so never authorize on it"
	}
	return d
}

// normalize lowercases a claim name and drops everything but letters and
// digits, so "is_admin", "isAdmin" and "https://x.io/is-admin" compare alike.
func normalize(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		if 'a' <= r && r <= 'z' || '0' <= r && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// registeredClaim reports the RFC 7519 and OpenID Connect claims that
// identify rather than authorize: "sub": "admin" names a user, grants nothing.
func registeredClaim(name string) bool {
	switch name {
	case "iss", "sub", "aud", "exp", "nbf", "iat", "jti", "sid", "azp", "nonce", "athash", "chash":
		return true
	}
	return false
}

// hasValue is false for values that carry no data (null, "", false, {}),
// so "has_password": false is not a finding.
func hasValue(v any) bool {
	switch x := v.(type) {
	case nil, bool:
		return false
	case string:
		return x != ""
	case map[string]any:
		return len(x) > 0
	case []any:
		return len(x) > 0
	}
	return true
}
