package auth

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/checks/journey"
	"github.com/launchready/launchready/internal/client"
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
		Impact: check.ImpactAccountTakeover,
		Title:  "No open redirect through next / redirect_to / returnTo at login or the auth callback",
		Pass: "Logging in with next, redirect_to or returnTo set to another host (https://x, //x and /\\x spellings), in the login page " +
			"URL and the submitted form, never yields a Location header pointing at that host; neither does opening each auth " +
			"callback (auth.callbacks, or /auth/callback and /api/auth/callback where they exist) with those parameters, logged in " +
			"as member a and anonymously. The scanner reads the header and never follows it off the portal. A callback that reads " +
			"next only after exchanging a valid OAuth code cannot be probed without one.",
		Why: "A login link that sends members to any site after they sign in is a phishing kit: the link is on the real domain, the " +
			"member really logs in, then lands on a look-alike page asking to 're-enter your password' or card.",
		Breaks: "Credential and payment phishing that passes every 'check the address bar' training.",
		Fix: "Accept only local paths: the value must start with a single \"/\" and not \"//\" or \"/\\\"; otherwise use the default page.\n" +
			"  const safe = (n) => typeof n === 'string' && /^\\/(?![\\/\\\\])/.test(n) ? n : '/dashboard'\n" +
			"  Django: url_has_allowed_host_and_scheme(next, allowed_hosts={request.get_host()})\n" +
			"Or keep an allowlist of return pages.",
		Refs:  []string{"ASVS v5.0.0-3.7.2", "API8:2023", "CWE-601"},
		Needs: []string{"auth.form", "accounts.a", "auth.protected"},
	}
}

// Run logs in once per parameter and payload and reads every Location.
func (OpenRedirect) Run(ctx context.Context, env *check.Env) check.Result {
	var ev []check.Evidence
	var open []string
	for _, param := range redirectParams {
		for _, payload := range redirectPayloads {
			sess, err := env.Sessions.LoginWith(ctx, "a", client.LoginOptions{
				Query: url.Values{param: {payload}}, Extra: map[string]string{param: payload},
			})
			if sess == nil {
				return check.Errorf("%v", err)
			}
			found := false
			for _, resp := range []*client.Response{sess.Login.Page, sess.Login.Submit} {
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
			if found {
				continue
			}
			if err == nil {
				// A login that stayed on the portal proves the payload
				// harmless only if it is a login at all: the session the
				// other checks accept, not a page that merely rendered.
				err = journey.ProveSession(ctx, env, sess)
			}
			if err != nil {
				// Nothing was learnt about this payload, so the check
				// cannot pass.
				return check.Errorf("the login with %s=%s gave no session the other checks accept, so where it sends a member is unknown: %v", param, payload, err)
			}
		}
	}
	cb, err := probeCallbacks(ctx, env)
	if err != nil {
		return check.Errorf("%v", err)
	}
	ev = append(ev, cb.evidence...)
	var what []string
	if len(open) > 0 {
		what = append(what, fmt.Sprintf("login redirects to another site through %s (%d of %d spellings)",
			strings.Join(paramsOf(open), ", "), len(open), len(redirectParams)*len(redirectPayloads)))
	}
	for _, path := range cb.order {
		what = append(what, "auth callback "+path+" redirects to another site through "+strings.Join(cb.open[path], ", "))
	}
	if len(what) > 0 {
		return check.Failf(ev, "%s", strings.Join(what, "; "))
	}
	logins := len(redirectParams) * len(redirectPayloads)
	if len(cb.probed) == 0 {
		return check.Passf("%d login attempts with %s pointing at another host stayed on the portal (no auth callback declared "+
			"in auth.callbacks, and none found at %s)", logins, strings.Join(redirectParams, "/"), strings.Join(defaultCallbacks, " or "))
	}
	return check.Passf("%d login attempts and %d requests to the auth callback %s with %s pointing at another host stayed on the portal",
		logins, cb.requests, strings.Join(cb.probed, ", "), strings.Join(redirectParams, "/"))
}

// paramsOf lists the parameter names of "param=payload" entries, once each.
func paramsOf(entries []string) []string {
	var out []string
	for _, e := range entries {
		p, _, _ := strings.Cut(e, "=")
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// defaultCallbacks are probed when auth.callbacks is empty, if they exist.
var defaultCallbacks = []string{"/auth/callback", "/api/auth/callback"}

// identity is one way of opening a callback: a member's session or none.
type identity struct {
	name string
	sess *client.Session
}

// callbackProbe is what probing the auth callbacks found.
type callbackProbe struct {
	probed   []string            // callback paths probed
	order    []string            // callback paths found open, in order
	open     map[string][]string // path -> "param=payload" that escaped
	evidence []check.Evidence
	requests int
}

// probeCallbacks opens each auth callback with every redirect parameter and
// payload, as member a and anonymously, following redirects only inside the
// scope, and records every chain that points a browser at evilHost.
func probeCallbacks(ctx context.Context, env *check.Env) (callbackProbe, error) {
	out := callbackProbe{open: map[string][]string{}}
	member, err := env.Sessions.Get(ctx, "a")
	if err != nil {
		return out, err
	}
	if err := journey.ProveSession(ctx, env, member); err != nil {
		return out, fmt.Errorf("member a's session: %w", err)
	}
	who := []identity{{"member a", member}, {"an anonymous visitor", env.Sessions.Anonymous()}}
	paths, declared := env.Config.Auth.Callbacks, true
	if len(paths) == 0 {
		paths, declared = defaultCallbacks, false
	}
	for _, path := range paths {
		if !declared {
			resp, err := member.Do(ctx, &client.Request{URL: journey.URL(env, path)})
			out.requests++
			if err != nil {
				return out, fmt.Errorf("probing for an auth callback at %s: %w", path, err)
			}
			if absent(resp.StatusCode) {
				continue
			}
		}
		out.probed = append(out.probed, path)
		for _, param := range redirectParams {
			if found, err := out.probeParam(ctx, env, path, param, who); err != nil {
				return out, err
			} else if found {
				out.open[path] = append(out.open[path], param)
			}
		}
		if len(out.open[path]) > 0 {
			out.order = append(out.order, path)
		}
	}
	return out, nil
}

// probeParam tries one parameter on one callback with every payload and
// identity; it stops at the first escape, which it records as evidence.
func (p *callbackProbe) probeParam(ctx context.Context, env *check.Env, path, param string, who []identity) (bool, error) {
	for _, w := range who {
		for _, payload := range redirectPayloads {
			u := journey.URL(env, path) + "?" + url.Values{param: {payload}}.Encode()
			resp, err := w.sess.Do(ctx, &client.Request{URL: u, Follow: true})
			p.requests++
			if err != nil {
				return false, fmt.Errorf("auth callback %s with %s: %w", path, param, err)
			}
			if h, ok := redirectsAway(resp); ok {
				p.evidence = append(p.evidence, check.HopEvidence(env, resp, h, fmt.Sprintf(
					"The auth callback %s opened by %s with %s=%s answered %d with Location: %s — a browser would leave for %s.",
					path, w.name, param, payload, h.Status, h.Header.Get("Location"), evilHost)))
				return true, nil
			}
		}
	}
	return false, nil
}

// absent reports whether a status says nothing is served at a path.
func absent(status int) bool {
	return status == http.StatusNotFound || status == http.StatusMethodNotAllowed || status == http.StatusGone ||
		status == http.StatusNotImplemented
}

// redirectsAway finds a hop whose Location a browser resolves to evilHost.
func redirectsAway(resp *client.Response) (client.Hop, bool) {
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
	return client.Hop{}, false
}
