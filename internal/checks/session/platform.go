package session

import (
	"regexp"
	"strings"

	"github.com/launchready/launchready/internal/checks/edge/observatory"
	"github.com/launchready/launchready/internal/checks/journey"
)

// Session cookies that platforms make readable by page scripts on
// purpose: Supabase's server-side helpers (@supabase/ssr) keep the session
// in sb-<project ref>-auth-token, split into .0, .1… chunks when large,
// and the browser client must read it; older auth helpers used
// sb-access-token / supabase-auth-token. Clerk's __session (with a
// suffix on multi-domain setups) holds a 60-second token its frontend
// SDK refreshes from script.
var (
	supabaseCookie = regexp.MustCompile(`^(sb-[a-z0-9]+-auth-token(\.\d+)?|sb-access-token|sb-refresh-token|supabase-auth-token)$`)
	clerkCookie    = regexp.MustCompile(`^__session(_[A-Za-z0-9_-]+)?$`)
)

// platformCookie names the platform whose documented design the cookie
// is, or "".
func platformCookie(c journey.SetCookie) string {
	switch {
	case supabaseCookie.MatchString(c.Name):
		return "Supabase Auth keeps its session where supabase-js can read it"
	case clerkCookie.MatchString(c.Name):
		return "Clerk's __session is a short-lived token its frontend SDK reads and refreshes"
	}
	return ""
}

// designNote says what compensates for a platform's script-readable
// session cookie.
func designNote(design string, c journey.SetCookie) string {
	return "This is " + design + ", not a mistake in the portal; the compensating control is a strict " +
		"Content-Security-Policy (script-src without 'unsafe-inline' or broad sources), so that no injected script runs to read it. " +
		cspState([]journey.SetCookie{c}) + "."
}

// cspState reports whether the responses that set the cookies carry a
// CSP that stops injected scripts.
func cspState(cs []journey.SetCookie) string {
	for _, c := range cs {
		if c.Resp == nil {
			continue
		}
		// The page the login lands on: the one an injected script would
		// run in.
		if c.Resp.Header.Get("Content-Security-Policy") == "" {
			continue
		}
		ok, why := observatory.ScriptsGuarded(c.Resp.Header)
		// The Observatory's score modifier ends the line: not ours.
		if i := strings.LastIndex(why, " ("); i > 0 {
			why = why[:i]
		}
		if ok {
			return "the portal sends a Content-Security-Policy that stops injected scripts (" + why + ")"
		}
		return "the portal's Content-Security-Policy does not stop injected scripts: " + why
	}
	return "no Content-Security-Policy that stops injected scripts was seen"
}
