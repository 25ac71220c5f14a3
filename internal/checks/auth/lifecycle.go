package auth

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/checks/journey"
	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/config"
	"github.com/launchready/launchready/internal/jwtx"
)

// Logout is AUTH-003: logging out kills the session on the server.
type Logout struct{}

var _ check.Check = Logout{}

// Meta returns the static description.
func (Logout) Meta() check.Meta {
	return check.Meta{
		ID: "AUTH-003", Area: check.AreaAuth, Severity: check.Blocker,
		Impact: check.ImpactAccountTakeover,
		Title:  "Logout invalidates the session on the server",
		Pass: "After a fresh login as member a and a logout through auth.logout, replaying the session's old cookies (or token) " +
			"to a protected page is refused: the page no longer shows member content. A portal whose sign-out only forgets the " +
			"token in the browser (logout: {kind: client}) is judged by how long the token it cannot revoke stays valid: up to " +
			"an hour (its exp, or session.lifetime when it has none) is WARN, the accepted pattern of short access tokens " +
			"whose refresh token sign-out revokes; longer, or with no exp and no declared lifetime, FAIL; and FAIL when the " +
			"login answer also hands out a refresh token, which a sign-out that sends nothing never revokes.",
		Why: "A logout that only deletes the cookie in the browser leaves the session valid on the server: anyone who copied the " +
			"cookie (a shared computer, a proxy log, malware, an XSS payload) keeps access for the session's whole lifetime.",
		Breaks: "Members on shared or lost devices cannot end their session; a stolen session cannot be revoked.",
		Fix: "Delete the session on the server at logout, not only the cookie:\n" +
			"  express-session: req.session.destroy(); then res.clearCookie(name)\n" +
			"  Django: django.contrib.auth.logout(request)    Rails: reset_session\n" +
			"  JWT sessions: keep a server-side session id (sid/jti) in the token and delete it at logout (or a denylist until exp); " +
			"a signed token alone cannot be revoked.",
		Refs:  []string{"ASVS v5.0.0-7.4.1", "API2:2023", "CWE-613"},
		Needs: []string{"auth.logout", "auth.login", "accounts.a", "auth.protected"},
	}
}

// Run logs in afresh, logs out, and replays the old credentials.
func (Logout) Run(ctx context.Context, env *check.Env) check.Result {
	view, err := journey.ProtectedView(ctx, env, env.Config.Auth.Protected[0])
	if err != nil {
		return check.Errorf("%v", err)
	}
	sess, err := env.Sessions.Login(ctx, "a")
	if err != nil {
		return check.Errorf("%v", err)
	}
	saved := sess.Cookies(view.Member.URL)
	replay := func() (*client.Response, bool, error) {
		return journey.Accepts(ctx, env, view, saved, sess.TokenHeader())
	}
	before, ok, err := replay()
	if err != nil || !ok {
		return check.Errorf("replaying the fresh session before logout was already refused (%v): cannot tell what logout changes", err)
	}
	if env.Config.Auth.Logout.Kind == config.LogoutClient {
		return clientLogout(ctx, env, sess, before)
	}
	out, err := logout(ctx, env, sess)
	if err != nil {
		return check.Errorf("logging out: %v", err)
	}
	resp, ok, err := replay()
	if err != nil {
		return check.Errorf("replaying the session after logout: %v", err)
	}
	if ok {
		return check.Failf([]check.Evidence{
			check.HTTPEvidence(env, out, fmt.Sprintf("Logout answered %d.", out.StatusCode)),
			check.HTTPEvidence(env, resp, fmt.Sprintf("The same session credentials, replayed after logout, still open %s (status %d): the server never ended the session.",
				view.Path, resp.StatusCode)),
		}, "the session still works after logout: %s %s only cleared it in the browser", env.Config.Auth.Logout.Method, env.Config.Auth.Logout.Path)
	}
	return check.Passf("after logout the old session is refused at %s (%s)", view.Path, refusal(resp))
}

// credential is one session credential a client-only sign-out leaves in
// place, named for the report.
type credential struct{ what, value string }

// clientLogoutWarn is the longest a token a client-only sign-out leaves
// valid may live for the logout to be a WARN rather than a FAIL.
const clientLogoutWarn = time.Hour

// clientLogout judges a sign-out that only forgets the token in the
// browser: the token stays valid until it expires, so what matters is how
// long that is. replayed is the fresh session opening the protected page.
func clientLogout(ctx context.Context, env *check.Env, sess *client.Session, replayed *client.Response) check.Result {
	var tokens []credential
	if env.Config.Session.Kind == "token" {
		tokens = append(tokens, credential{"the bearer token", sess.Token()})
	} else {
		sc, err := journey.IdentifySessionCookies(ctx, env)
		if err != nil {
			return check.Errorf("%v", err)
		}
		for _, c := range sc.Cookies {
			tokens = append(tokens, credential{"session cookie " + c.Name, c.Value})
		}
	}
	now := time.Now()
	var longest time.Duration
	var said []string
	judged := false
	for _, t := range tokens {
		tok, err := jwtx.Parse(t.value)
		if err != nil {
			continue
		}
		exp, ok := tok.Expiry()
		if !ok {
			continue
		}
		judged = true
		left := max(exp.Sub(now), 0)
		longest = max(longest, left)
		said = append(said, fmt.Sprintf("%s expires %s (%s from now)", t.what, exp.UTC().Format(time.RFC3339), roundLeft(left)))
	}
	declared := env.Config.Session.Lifetime
	if !judged && declared > 0 {
		judged, longest = true, declared
		said = append(said, fmt.Sprintf("session.lifetime declares %s", declared))
	}
	ev := []check.Evidence{check.HTTPEvidence(env, replayed, "The fresh session opens "+replayed.URL.Path+
		"; a client-only sign-out (auth.logout kind client) sends nothing, so these credentials stay valid until they expire.")}
	if !judged {
		return check.Failf(ev, "sign-out only forgets the token in the browser, and nothing bounds how long it stays valid: no exp in %s and no session.lifetime declared",
			describeTokens(tokens))
	}
	detail := strings.Join(said, "; ")
	// Short access tokens are the accepted pattern only when sign-out
	// revokes the refresh token on the server; a client-only sign-out
	// sends nothing, so a refresh token the login handed out outlives it.
	if field := refreshToken(sess); field != "" {
		return check.Failf(ev, "sign-out only forgets the tokens in the browser, and the login answer also hands out a refresh token (%s) that nothing revokes: "+
			"it keeps minting new access tokens after sign-out (%s); revoke it on the server at sign-out", field, detail)
	}
	if longest > clientLogoutWarn {
		return check.Failf(ev, "sign-out only forgets the token in the browser, which stays valid for %s after it (%s): give tokens an exp of an hour at most, with a refresh token that sign-out revokes on the server",
			longest.Round(time.Minute), detail)
	}
	return check.Warnf(ev, "sign-out only forgets the token in the browser; it stays valid for up to %s after it (%s): accepted for short access tokens when sign-out revokes the refresh token on the server (not tested here)",
		roundLeft(longest), detail)
}

// roundLeft rounds a remaining lifetime for a summary: to the minute
// from a minute up (a token issued seconds ago for 15 minutes has 15m
// left), else to the second.
func roundLeft(d time.Duration) time.Duration {
	if d >= time.Minute {
		return d.Round(time.Minute)
	}
	return d.Round(time.Second)
}

// refreshFields are the JSON members a login answer hands a refresh
// token out in.
var refreshFields = map[string]bool{"refresh_token": true, "refreshToken": true, "refresh": true}

// refreshToken names the member of the login's JSON answer (at any depth)
// that holds a refresh token, or "".
func refreshToken(sess *client.Session) string {
	if sess.Login.Submit == nil {
		return ""
	}
	var doc any
	if json.Unmarshal(sess.Login.Submit.Body, &doc) != nil {
		return ""
	}
	var find func(v any, depth int) string
	find = func(v any, depth int) string {
		if depth > 6 {
			return ""
		}
		switch x := v.(type) {
		case map[string]any:
			for k, f := range x {
				if s, ok := f.(string); ok && refreshFields[k] && s != "" {
					return k
				}
			}
			for _, f := range x {
				if k := find(f, depth+1); k != "" {
					return k
				}
			}
		case []any:
			for _, f := range x {
				if k := find(f, depth+1); k != "" {
					return k
				}
			}
		}
		return ""
	}
	return find(doc, 0)
}

// describeTokens names the credentials a client logout leaves valid.
func describeTokens(tokens []credential) string {
	var names []string
	for _, t := range tokens {
		names = append(names, t.what)
	}
	if len(names) == 0 {
		return "the session"
	}
	return strings.Join(names, ", ")
}

// logout sends the configured logout request as the member, with the
// hidden fields (CSRF token) of a logout form when a member page has one.
func logout(ctx context.Context, env *check.Env, sess *client.Session) (*client.Response, error) {
	lo := env.Config.Auth.Logout
	u := journey.URL(env, lo.Path)
	from := sess.Login.Verified
	if lo.Method != http.MethodGet {
		// The form that signs out may be on another member page, or on
		// the logout path's own confirmation page (Auth.js).
		from = journey.PageWithForm(ctx, env, sess, u)
	}
	req := client.PageAction(from, lo.Method, u)
	resp, err := sess.Do(client.WithPurpose(ctx, client.SignOut), req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 400 {
		return resp, fmt.Errorf("%s %s answered %d", lo.Method, lo.Path, resp.StatusCode)
	}
	return resp, nil
}

// Rotation is AUTH-004: the session identifier changes at login.
type Rotation struct{}

var _ check.Check = Rotation{}

// Meta returns the static description.
func (Rotation) Meta() check.Meta {
	return check.Meta{
		ID: "AUTH-004", Area: check.AreaAuth, Severity: check.Major,
		Impact: check.ImpactAccountTakeover,
		Title:  "Session identifier changes at login",
		Pass: "The session cookie (identified by behaviour) has a new value after login: neither the value the login page issued " +
			"before login nor a value planted by the scanner before login survives it.",
		Why: "If the identifier a visitor had before logging in stays valid after, an attacker who planted or read it beforehand " +
			"(session fixation: a link, a shared kiosk, a subdomain) is logged in as the member the moment they log in.",
		Breaks: "Account takeover without knowing the password.",
		Fix: "Issue a new session at every login and drop the old one:\n" +
			"  express-session: req.session.regenerate(cb) before setting the user    Django/Rails: done by login()/reset_session\n" +
			"  PHP: session_regenerate_id(true)    Spring Security: sessionFixation().newSession()\n" +
			"Never accept a session id the server did not issue.",
		Refs:  []string{"ASVS v5.0.0-7.2.4", "API2:2023", "CWE-384"},
		Needs: []string{"session.cookie", "auth.form", "accounts.a", "auth.protected"},
	}
}

// Run compares the session cookie's value before and after a fresh login,
// once as issued by the portal and once planted by the scanner.
func (Rotation) Run(ctx context.Context, env *check.Env) check.Result {
	sc, err := journey.IdentifySessionCookies(ctx, env)
	if err != nil {
		return check.Errorf("%v", err)
	}
	origin := env.Sessions.Config().Origin
	var ev []check.Evidence
	var kept, issued []string
	for _, c := range sc.Cookies {
		planted := &http.Cookie{Name: c.Name, Value: "launchready-fixation-" + journey.RandomToken(), Path: "/"}
		sess, err := env.Sessions.LoginWith(ctx, "a", client.LoginOptions{Plant: []*http.Cookie{planted}})
		if err != nil {
			return check.Errorf("%v", err)
		}
		before := preLoginValue(sess, c.Name)
		if before != "" {
			issued = append(issued, c.Name)
		}
		after := ""
		for _, ck := range sess.Cookies(origin) {
			if ck.Name == c.Name {
				after = ck.Value
			}
		}
		switch {
		case after == "":
			return check.Errorf("after a fresh login the jar holds no %s cookie, though it was identified as the session cookie", c.Name)
		case before != "" && after == before:
			kept = append(kept, c.Name)
			ev = append(ev, check.HTTPEvidence(env, sess.Login.Submit, fmt.Sprintf(
				"The login page issued %s before login and the login kept the same value: the pre-login identifier became the member's session.", c.Name)))
		case after == planted.Value:
			kept = append(kept, c.Name)
			ev = append(ev, check.HTTPEvidence(env, sess.Login.Submit, fmt.Sprintf(
				"The scanner planted %s=<its own value> before login and the portal adopted it as the member's session.", c.Name)))
		}
	}
	if len(kept) > 0 {
		return check.Failf(ev, "session cookie %s keeps its pre-login value through login (session fixation)", strings.Join(kept, ", "))
	}
	// Say only what was seen: a portal that sets no session cookie before
	// login had no pre-login value to replace.
	how := "a value the scanner planted before login was replaced; the login page set none of its own"
	switch {
	case len(issued) == len(sc.Cookies):
		how = "both the portal's pre-login value and a planted one were replaced"
	case len(issued) > 0:
		how = fmt.Sprintf("the portal's pre-login value of %s and a planted value of each were replaced", strings.Join(issued, ", "))
	}
	return check.Passf("login issues a new value for session cookie %s (%s)", names(sc.Cookies), how)
}

// preLoginValue is the value the login page set for the cookie, if any.
func preLoginValue(sess *client.Session, name string) string {
	v := ""
	if sess.Login.Page == nil {
		return ""
	}
	for _, h := range sess.Login.Page.Hops {
		for _, raw := range h.Header.Values("Set-Cookie") {
			if c, ok := journey.ParseSetCookie(raw); ok && c.Name == name {
				v = c.Value
			}
		}
	}
	return v
}

func names(cs []journey.SetCookie) string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Name
	}
	return strings.Join(out, ", ")
}
