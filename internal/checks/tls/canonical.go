package tls

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/client"
)

// Canonical is TLS-004: every variant reaches the canonical origin in one hop.
type Canonical struct{}

var _ check.Check = Canonical{}

// Meta returns the static description.
func (Canonical) Meta() check.Meta {
	return check.Meta{
		ID: "TLS-004", Area: check.AreaTLS, Severity: check.Major,
		Impact: check.ImpactTransport,
		Title:  "Every variant reaches the canonical origin in one hop",
		Pass: "Each variant (http/https × root/www/app as listed in target.variants, plus http:// twins on the default port) answers with one " +
			"redirect whose Location is on the origin of target.url (same scheme, host and port); target.url itself does not redirect to " +
			"another origin. Redirects inside the canonical origin afterwards (e.g. / to /login) are fine. No loops.",
		Why: "Chains (http://www → https://www → https://example.com) cost a round trip per hop on every first visit, break HSTS preload " +
			"(which requires the first hop to go to HTTPS on the same host), and a variant that serves the site itself splits cookies and " +
			"logins between two origins. Loops lock visitors out entirely.",
		Breaks: "Slow first loads from links and typed URLs, members logged in on one host but not the other, and for loops a browser error page.",
		Fix: "Send every variant straight to the canonical origin with one 301 that keeps the path:\n" +
			"  nginx: return 301 https://example.com$request_uri; in each non-canonical server block (http and https)\n" +
			"  Caddy: www.example.com { redir https://example.com{uri} permanent }\n" +
			"  Vercel/Netlify: set the canonical domain as primary and the others as redirecting domains\n" +
			"Make sure the application does not also redirect on its own (e.g. a framework 'force www' setting) in the other direction.",
		Refs: []string{"ASVS v5.0.0-4.1.2", "ASVS v5.0.0-12.2.1", "API8:2023", "CWE-319"},
	}
}

// Run follows each variant and counts the hops that change origin.
func (Canonical) Run(ctx context.Context, env *check.Env) check.Result {
	canon, err := url.Parse(env.Config.Target.URL)
	if err != nil {
		return check.Errorf("target.url: %v", err)
	}
	want := origin(canon)
	if len(variantURLs(env)) < 2 {
		return check.Skipped("no variant besides target.url to follow (it is on a custom port, so no http:// twin can be derived)",
			"list the other addresses (http://, www., app.) in target.variants")
	}
	var fails []check.Evidence
	var failed, errs []string
	origins := map[string]bool{}
	for _, v := range variantURLs(env) {
		if u, err := url.Parse(v); err == nil {
			origins[origin(u)] = true
		}
	}
	for _, v := range variantURLs(env) {
		resp, loop, err := fetch(ctx, env, v)
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s: %v", v, err))
			continue
		}
		if problem := judgeCanonical(resp, loop, want, v == env.Config.Target.URL, origins); problem != "" {
			failed = append(failed, v)
			fails = append(fails, check.HTTPEvidence(env, resp, problem+"\n"+hopList(resp.Hops)))
		}
	}
	for _, e := range errs {
		fails = append(fails, check.Evidence{Detail: "could not evaluate " + env.Client.Redactor().Redact(e)})
	}
	switch {
	case len(failed) > 0:
		return check.Failf(fails, "%d %s not reach %s in one hop: %s", len(failed), plural(len(failed), "variant does", "variants do"), want, strings.Join(failed, ", "))
	case len(errs) > 0:
		return check.Errorf("could not evaluate %s", strings.Join(errs, "; "))
	}
	return check.Passf("all %d variants reach %s in at most one hop", len(variantURLs(env)), want)
}

// judgeCanonical returns "" when the chain is fine, else what is wrong.
// Leaving the canonical origin afterwards only counts when it goes back to
// another variant (a bounce between the portal's own names); a hop to an
// external login provider is not this check's business.
func judgeCanonical(resp *client.Response, loop, want string, isCanonical bool, variants map[string]bool) string {
	if loop != "" {
		return "Redirect problem: " + loop + "."
	}
	// at is the index of the first hop served from the canonical origin;
	// left is the first hop after it that is not (a bounce away again).
	at, left := -1, -1
	for i, h := range resp.Hops {
		u, err := url.Parse(h.URL)
		onCanon := err == nil && origin(u) == want
		if at < 0 && onCanon {
			at = i
		} else if at >= 0 && !onCanon && left < 0 && err == nil && variants[origin(u)] {
			left = i
		}
	}
	if at >= 0 && left >= 0 {
		return fmt.Sprintf("Reaches %s, then leaves it again for %s.", want, resp.Hops[left].URL)
	}
	switch {
	case isCanonical && at == 0:
		return ""
	case isCanonical:
		return "target.url itself redirects away from its own origin."
	case at == 1:
		return ""
	case at > 1:
		return fmt.Sprintf("Reaches %s only after %d hops (a chain); send the first hop straight there.", want, at)
	case resp.OutOfScope != "":
		return fmt.Sprintf("Redirects out of scope to %s and never reaches %s.", resp.OutOfScope, want)
	case len(resp.Hops) == 1:
		return fmt.Sprintf("Serves status %d itself instead of redirecting to %s: the site lives on two origins.", resp.StatusCode, want)
	}
	return fmt.Sprintf("Never reaches %s; the chain ends at %s with status %d.", want, resp.URL, resp.StatusCode)
}
