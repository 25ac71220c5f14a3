package auth

import (
	"context"
	"fmt"
	"strings"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/checks/journey"
	"github.com/launchready/launchready/internal/jwtx"
)

// authFamilies maps cookie-name patterns to the auth system that sets them.
// A prefix ends in "*".
var authFamilies = []struct{ pattern, system string }{
	{"next-auth.session-token", "NextAuth / Auth.js"},
	{"__Secure-next-auth.session-token", "NextAuth / Auth.js"},
	{"authjs.session-token", "Auth.js"},
	{"__Secure-authjs.session-token", "Auth.js"},
	{"sb-*", "Supabase Auth"},
	{"__session", "Clerk / Firebase Hosting"},
	{"__client_uat", "Clerk"},
	{"appSession", "Auth0 (nextjs-auth0)"},
	{"connect.sid", "express-session"},
	{"sessionid", "Django"},
	{"_session_id", "Rails"},
	{"laravel_session", "Laravel"},
	{"PHPSESSID", "PHP sessions"},
	{"JSESSIONID", "Java servlet sessions"},
	{"wordpress_logged_in_*", "WordPress"},
	{"pb_auth", "PocketBase"},
}

// MixedAuth is AUTH-008: one auth system, not several side by side.
type MixedAuth struct{}

var _ check.Check = MixedAuth{}

// Meta returns the static description.
func (MixedAuth) Meta() check.Meta {
	return check.Meta{
		ID: "AUTH-008", Area: check.AreaAuth, Severity: check.Major,
		Impact: check.ImpactSession,
		Title:  "One auth system, not several mixed",
		Pass: "After login exactly one session mechanism grants access: no two cookies each open the protected page on their own, " +
			"login does not set cookies of several known auth libraries (NextAuth, Supabase, Clerk, Auth0, framework sessions), and a " +
			"cookie session is not accompanied by a bearer JWT in the login response.",
		Why: "Portals built fast often keep a starter kit's auth next to the one they added. Each system has its own logout, expiry " +
			"and checks; the weaker one decides, and logging out of one leaves the other open.",
		Breaks: "Logout, password reset and bans that only end one of the sessions; checks protected by one system but not the other.",
		Fix: "Pick one auth system, remove the other's middleware, routes and cookies, and make every route check that one session. " +
			"If a migration needs both for a while, make the old one read-only and give it a removal date.",
		Refs:  []string{"ASVS v5.0.0-7.2.1", "ASVS v5.0.0-6.3.1", "API2:2023", "CWE-287"},
		Needs: []string{"auth.login", "accounts.a", "auth.protected"},
	}
}

// Run looks at what the login left behind and what grants access.
func (MixedAuth) Run(ctx context.Context, env *check.Env) check.Result {
	sess, err := env.Sessions.Get(ctx, "a")
	if err != nil {
		return check.Errorf("%v", err)
	}
	var findings []string
	var ev []check.Evidence
	if env.Config.Session.Kind == "token" {
		// A token session should not also be reachable with cookies alone.
		view, err := journey.ProtectedView(ctx, env, env.Config.Auth.Protected[0])
		if err != nil {
			return check.Errorf("%v", err)
		}
		if cs := sess.Cookies(view.Member.URL); len(cs) > 0 {
			resp, ok, err := journey.Accepts(ctx, env, view, cs, nil)
			if err != nil {
				return check.Errorf("%v", err)
			}
			if ok {
				findings = append(findings, "the cookies set at login open "+view.Path+" without the bearer token")
				ev = append(ev, check.HTTPEvidence(env, resp, "Replayed with the login's cookies only, no token: member content shown."))
			}
		}
	} else {
		sc, err := journey.IdentifySessionCookies(ctx, env)
		if err != nil {
			return check.Errorf("%v", err)
		}
		if len(sc.Cookies) > 1 && strings.Contains(sc.How, "alone gave access") {
			findings = append(findings, "cookies "+names(sc.Cookies)+" each grant access on their own")
			for _, c := range sc.Cookies {
				ev = append(ev, check.HopEvidence(env, c.Resp, c.Hop, fmt.Sprintf("%s\nThis cookie alone opens %s.", c.Line(), sc.Probe)))
			}
		}
		systems := map[string][]string{}
		for _, c := range sc.Candidates {
			if sys := family(c.Name); sys != "" {
				systems[sys] = append(systems[sys], c.Name)
			}
		}
		if len(systems) > 1 {
			var parts []string
			for sys, cs := range systems {
				parts = append(parts, sys+" ("+strings.Join(cs, ", ")+")")
			}
			findings = append(findings, "login sets cookies of several auth systems: "+strings.Join(parts, ", "))
		}
		if sub := sess.Login.Submit; sub != nil && len(jwtx.Find(string(sub.Body))) > 0 {
			findings = append(findings, "the login response also hands out a bearer JWT beside the cookie session")
			ev = append(ev, check.HTTPEvidence(env, sub, "The login response body carries a JWT although the session is a cookie."))
		}
	}
	if len(findings) > 0 {
		if len(ev) == 0 {
			ev = append(ev, check.HTTPEvidence(env, sess.Login.Submit, strings.Join(findings, "\n")))
		}
		return check.Failf(ev, "more than one auth system: %s", strings.Join(findings, "; "))
	}
	return check.Passf("one session mechanism grants access (%s)", env.Config.Session.Kind)
}

// family names the auth system a cookie belongs to, or "".
func family(name string) string {
	for _, f := range authFamilies {
		if p, ok := strings.CutSuffix(f.pattern, "*"); ok {
			if strings.HasPrefix(name, p) {
				return f.system
			}
		} else if strings.EqualFold(name, f.pattern) {
			return f.system
		}
	}
	return ""
}
