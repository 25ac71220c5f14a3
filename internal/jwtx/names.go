package jwtx

import "strings"

// sensitiveName reports whether a normalized claim name announces data
// that must not travel in a readable token, and what kind.
func sensitiveName(n string) (string, bool) {
	switch n {
	case "pwd", "pw", "pass", "passwd", "pwdhash", "passwordhash", "pin":
		return "a password or PIN", true
	case "cc", "ccn", "ccnum", "card", "cvv", "cvv2", "cvc":
		return "payment card data", true
	}
	for _, s := range []struct{ suffix, what string }{
		{"password", "a password"},
		{"passphrase", "a password"},
		{"secret", "a secret"},
		{"secretkey", "a secret"},
		{"privatekey", "a private key"},
		{"apikey", "an API key"},
		{"refreshtoken", "a refresh token"},
		{"accesstoken", "an access token"},
		{"creditcard", "payment card data"},
		{"cardnumber", "payment card data"},
		{"ccnumber", "payment card data"},
		{"ssn", "a social security number"},
		{"socialsecuritynumber", "a social security number"},
		{"iban", "a bank account number"},
	} {
		if strings.HasSuffix(n, s.suffix) {
			return s.what, true
		}
	}
	return "", false
}

// editableName reports whether a normalized claim name looks like an
// authorization decision a server might take from the token.
func editableName(n string) bool {
	switch n {
	case "permissions", "permission", "perms", "scope", "scopes", "scp", "groups", "group",
		"plan", "tier", "paid", "ispaid", "premium", "ispremium", "subscription", "membership",
		"isstaff", "staff", "superuser", "issuperuser", "authorities", "entitlements",
		"accesslevel", "usertype", "accounttype":
		return true
	}
	return strings.HasSuffix(n, "role") || strings.HasSuffix(n, "roles") || strings.HasSuffix(n, "admin")
}

// secretValue reports whether a claim's value looks like a credential,
// whatever the claim is called: a PEM private key, another JWT, or an API
// key with a well-known prefix.
func secretValue(v any) (string, bool) {
	s, ok := v.(string)
	if !ok || len(s) < 20 {
		return "", false
	}
	if strings.Contains(s, "-----BEGIN") && strings.Contains(s, "PRIVATE KEY") {
		return "a PEM private key", true
	}
	if len(Find(s)) > 0 {
		return "another JWT (a token inside the token)", true
	}
	for _, p := range []struct{ prefix, what string }{
		{"sk_live_", "a Stripe secret key"}, {"sk_test_", "a Stripe secret key"},
		{"rk_live_", "a Stripe restricted key"}, {"whsec_", "a webhook signing secret"},
		{"ghp_", "a GitHub token"}, {"gho_", "a GitHub token"}, {"ghs_", "a GitHub token"},
		{"github_pat_", "a GitHub token"}, {"glpat-", "a GitLab token"},
		{"xoxb-", "a Slack token"}, {"xoxp-", "a Slack token"},
		{"AKIA", "an AWS access key ID"}, {"AIza", "a Google API key"},
		{"sk-", "an API secret key"}, {"SG.", "a SendGrid API key"},
	} {
		if strings.HasPrefix(s, p.prefix) {
			return p.what, true
		}
	}
	return "", false
}
