package auth

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/target"
)

// evilHost can never resolve (.invalid is reserved, RFC 2606), and it is
// outside every scope: the scanner only reads Location headers naming it.
const evilHost = "launchready-redirect.invalid"

// redirectParams are the parameters portals use to send members back after
// login.
var redirectParams = []string{"next", "redirect_to", "returnTo"}

// redirectPayloads are the spellings browsers resolve to another host.
var redirectPayloads = []string{
	"https://" + evilHost + "/x",
	"//" + evilHost + "/x",
	`/\` + evilHost + "/x",
}

// OpenRedirect is AUTH-010: the login does not redirect to another site.
type OpenRedirect struct{}

var _ check.Check = OpenRedirect{}

// Meta returns the static description.
func (OpenRedirect) Meta() check.Meta {
	return check.Meta{
		ID: "AUTH-010", Area: check.AreaAuth, Severity: check.Major,
		Title: "No open redirect through next / redirect_to / returnTo at login",
		Pass: "Logging in with next, redirect_to or returnTo set to another host (https://x, //x and /\\x spellings), in the login page " +
			"URL and the submitted form, never yields a Location header pointing at that host. The scanner reads the header and never " +
			"follows it.",
		Why: "A login link that sends members to any site after they sign in is a phishing kit: the link is on the real domain, the " +
			"member really logs in, then lands on a look-alike page asking to 're-enter your password' or card.",
		Breaks: "Credential and payment phishing that passes every 'check the address bar' training.",
		Fix: "Accept only local paths: the value must start with a single \"/\" and not \"//\" or \"/\\\"; otherwise use the default page.\n" +
			"  const safe = (n) => typeof n === 'string' && /^\\/(?![\\/\\\\])/.test(n) ? n : '/dashboard'\n" +
			"  Django: url_has_allowed_host_and_scheme(next, allowed_hosts={request.get_host()})\n" +
			"Or keep an allowlist of return pages.",
		Refs:  []string{"ASVS v5.0.0-3.7.2", "API8:2023", "CWE-601"},
		Needs: []string{"auth.login", "accounts.a"},
	}
}

// Run logs in once per parameter and payload and reads every Location.
func (OpenRedirect) Run(ctx context.Context, env *check.Env) check.Result {
	var ev []check.Evidence
	var open []string
	for _, param := range redirectParams {
		for _, payload := range redirectPayloads {
			sess, err := env.Sessions.LoginWith(ctx, "a", target.LoginOptions{
				Query: url.Values{param: {payload}}, Extra: map[string]string{param: payload},
			})
			if sess == nil {
				return check.Errorf("%v", err)
			}
			found := false
			for _, resp := range []*target.Response{sess.Login.Page, sess.Login.Submit} {
				if resp == nil {
					continue
				}
				if h, ok := redirectsAway(resp); ok {
					open = append(open, param+"="+payload)
					ev = append(ev, check.HopEvidence(env, resp, h, fmt.Sprintf(
						"Login with %s=%s answered %d with Location: %s — a browser would leave for %s.", param, payload, h.Status, h.Header.Get("Location"), evilHost)))
					found = true
					break
				}
			}
			if !found && err != nil {
				// The login failed without redirecting away: nothing was
				// learnt about this payload, so the check cannot pass.
				return check.Errorf("%v", err)
			}
		}
	}
	if len(open) > 0 {
		return check.Failf(ev, "login redirects to another site through %s", strings.Join(open, ", "))
	}
	return check.Passf("%d login attempts with %s pointing at another host stayed on the portal",
		len(redirectParams)*len(redirectPayloads), strings.Join(redirectParams, "/"))
}

// redirectsAway finds a hop whose Location a browser resolves to evilHost.
func redirectsAway(resp *target.Response) (target.Hop, bool) {
	for _, h := range resp.Hops {
		raw := h.Header.Get("Location")
		if raw == "" {
			continue
		}
		// Read the raw header as a browser does: a backslash counts as a
		// slash, so "/\\host" is scheme-relative; resolve against the hop.
		base, err := url.Parse(h.URL)
		if err != nil {
			continue
		}
		u, err := base.Parse(strings.ReplaceAll(strings.TrimSpace(raw), `\`, "/"))
		if err == nil && strings.EqualFold(u.Hostname(), evilHost) {
			return h, true
		}
	}
	return target.Hop{}, false
}
