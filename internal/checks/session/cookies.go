// Package session holds the Session security checks (SESS-*).
package session

import (
	"context"
	"fmt"
	"strings"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/checks/journey"
)

// cookieNeeds are what the cookie-flag checks cannot run without.
var cookieNeeds = []string{"session.cookie", "auth.login", "accounts.a", "auth.protected"}

// flagCheck is one attribute test over the identified session cookies.
type flagCheck struct {
	meta check.Meta
	// judge returns "" when the cookie passes, else the problem.
	judge func(journey.SetCookie) string
	// okText describes a passing cookie, failText a failing one.
	okText, failText string
	// designed, when set, names the platform whose documented design a
	// failing cookie is ("" for none): a WARN naming the compensating
	// control, not a FAIL.
	designed func(journey.SetCookie) string
}

var (
	_ check.Check = (*flagCheck)(nil)
)

// Meta returns the static description.
func (f *flagCheck) Meta() check.Meta { return f.meta }

// Run identifies the session cookie from the real login and judges its
// Set-Cookie line.
func (f *flagCheck) Run(ctx context.Context, env *check.Env) check.Result {
	sc, err := journey.IdentifySessionCookies(ctx, env)
	if err != nil {
		return check.Errorf("%v", err)
	}
	var ev, warnEv []check.Evidence
	var bad, warned, good []string
	var design string
	for _, c := range sc.Cookies {
		problem := f.judge(c)
		switch {
		case problem == "":
			good = append(good, c.Name)
		case f.designed != nil && f.designed(c) != "":
			warned = append(warned, c.Name)
			design = f.designed(c)
			warnEv = append(warnEv, check.HopEvidence(env, c.Resp, c.Hop, fmt.Sprintf(
				"%s\n%s\n%s\nIdentified as the session cookie: %s.", c.Line(), problem, designNote(f.designed(c), c), sc.How)))
		default:
			bad = append(bad, c.Name)
			ev = append(ev, check.HopEvidence(env, c.Resp, c.Hop, fmt.Sprintf(
				"%s\n%s\nIdentified as the session cookie: %s.", c.Line(), problem, sc.How)))
		}
	}
	switch {
	case len(bad) > 0:
		return check.Failf(append(ev, warnEv...), "session cookie %s %s", strings.Join(bad, ", "), f.failText)
	case len(warned) > 0:
		return check.Warnf(warnEv, "session cookie %s %s by the platform's design (%s); %s", strings.Join(warned, ", "), f.failText,
			design, cspState(sc.Cookies))
	}
	return check.Passf("session cookie %s %s (identified by behaviour at %s)", strings.Join(good, ", "), f.okText, sc.Probe)
}

// Secure is SESS-001: the session cookie carries the Secure attribute.
func Secure() check.Check {
	return &flagCheck{
		meta: check.Meta{
			ID: "SESS-001", Area: check.AreaSession, Severity: check.Blocker,
			Impact: check.ImpactSession,
			Title:  "Session cookie is Secure",
			Pass:   "The cookie that carries the login session (identified by removing it and seeing the protected page refuse the member) is set with the Secure attribute.",
			Why:    "Without Secure the browser also sends the session cookie over plain HTTP: one visit to an http:// link on café Wi-Fi hands the session to anyone on the network.",
			Breaks: "A member's session can be stolen from any unencrypted request to the portal's host, letting the thief act as that member " +
				"(read their data, change their email, cancel their plan).",
			Fix: "Add Secure to the session cookie, and prefer the __Host- prefix (Secure, Path=/, no Domain):\n" +
				"  Express: app.use(session({cookie: {secure: true, httpOnly: true, sameSite: 'lax'}})) and app.set('trust proxy', 1) behind a proxy\n" +
				"  Next.js: cookies().set(name, value, {secure: true, httpOnly: true, sameSite: 'lax', path: '/'})\n" +
				"  Django: SESSION_COOKIE_SECURE = True    Rails: config.force_ssl = true    Laravel: SESSION_SECURE_COOKIE=true\n" +
				"  Raw header: Set-Cookie: __Host-session=…; Path=/; Secure; HttpOnly; SameSite=Lax",
			Refs:  []string{"ASVS v5.0.0-3.3.1", "API8:2023", "CWE-614"},
			Needs: cookieNeeds,
		},
		judge: func(c journey.SetCookie) string {
			if c.Has("secure") {
				return ""
			}
			return "The Secure attribute is missing: browsers will send this cookie over plain HTTP."
		},
		okText:   "is Secure",
		failText: "lacks Secure",
	}
}

// HTTPOnly is SESS-002: the session cookie is out of JavaScript's reach.
func HTTPOnly() check.Check {
	return &flagCheck{
		meta: check.Meta{
			ID: "SESS-002", Area: check.AreaSession, Severity: check.Blocker,
			Impact: check.ImpactSession,
			Title:  "Session cookie is HttpOnly",
			Pass:   "The session cookie (identified by behaviour) is set with the HttpOnly attribute.",
			Why:    "Without HttpOnly any script on the page — an injected one, or a compromised third-party widget — can read the session cookie and send it away.",
			Breaks: "One cross-site scripting bug or one bad npm dependency turns into account takeover of every member who loads the page.",
			Fix: "Add HttpOnly to the session cookie (frameworks: httpOnly: true; Django SESSION_COOKIE_HTTPONLY = True). " +
				"If the frontend reads the session from JavaScript, move that logic to the server or to a separate, non-secret cookie.",
			Refs:  []string{"ASVS v5.0.0-3.3.4", "API8:2023", "CWE-1004"},
			Needs: cookieNeeds,
		},
		judge: func(c journey.SetCookie) string {
			if c.Has("httponly") {
				return ""
			}
			return "The HttpOnly attribute is missing: page scripts can read this cookie (document.cookie)."
		},
		okText:   "is HttpOnly",
		failText: "lacks HttpOnly",
		designed: platformCookie,
	}
}

// SameSite is SESS-003: the session cookie is SameSite=Lax or Strict.
func SameSite() check.Check {
	return &flagCheck{
		meta: check.Meta{
			ID: "SESS-003", Area: check.AreaSession, Severity: check.Major,
			Impact: check.ImpactSession,
			Title:  "Session cookie has SameSite=Lax or Strict",
			Pass:   "The session cookie (identified by behaviour) is set with SameSite=Lax or SameSite=Strict.",
			Why: "SameSite stops the browser from attaching the session to requests started by other sites, the first line of defence against " +
				"cross-site request forgery. Browsers disagree on the default when the attribute is missing, so it must be explicit.",
			Breaks: "Another site can make a logged-in member's browser submit forms to the portal (change email, post, delete) with the member's session.",
			Fix: "Set SameSite=Lax on the session cookie (Strict if members never arrive logged-in from links elsewhere). " +
				"SameSite=None is only for cookies that must travel cross-site, which a session cookie should not.",
			Refs:  []string{"ASVS v5.0.0-3.3.2", "API8:2023", "CWE-1275"},
			Needs: cookieNeeds,
		},
		judge: func(c journey.SetCookie) string {
			v, ok := c.Attrs["samesite"]
			switch strings.ToLower(v) {
			case "lax", "strict":
				return ""
			case "none":
				return "SameSite=None: the browser attaches this cookie to cross-site requests."
			}
			if !ok {
				return "No SameSite attribute: browsers differ on the default (Chrome treats it as Lax, others may send it cross-site)."
			}
			return fmt.Sprintf("SameSite=%q is not a valid value; browsers ignore it.", v)
		},
		okText:   "has SameSite=Lax or Strict",
		failText: "lacks SameSite=Lax or Strict",
	}
}
