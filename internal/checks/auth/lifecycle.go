package auth

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/checks/journey"
	"github.com/launchready/launchready/internal/client"
)

// Logout is AUTH-003: logging out kills the session on the server.
type Logout struct{}

var _ check.Check = Logout{}

// Meta returns the static description.
func (Logout) Meta() check.Meta {
	return check.Meta{
		ID: "AUTH-003", Area: check.AreaAuth, Severity: check.Blocker,
		Title: "Logout invalidates the session on the server",
		Pass: "After a fresh login as member a and a logout through auth.logout, replaying the session's old cookies (or token) " +
			"to a protected page is refused: the page no longer shows member content.",
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
	if _, ok, err := replay(); err != nil || !ok {
		return check.Errorf("replaying the fresh session before logout was already refused (%v): cannot tell what logout changes", err)
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

// logout sends the configured logout request as the member, with the
// hidden fields (CSRF token) of a logout form when a member page has one.
func logout(ctx context.Context, env *check.Env, sess *client.Session) (*client.Response, error) {
	lo := env.Config.Auth.Logout
	u := journey.URL(env, lo.Path)
	req := client.PageAction(sess.Login.Verified, lo.Method, u)
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
		Title: "Session identifier changes at login",
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
	var kept []string
	for _, c := range sc.Cookies {
		planted := &http.Cookie{Name: c.Name, Value: "launchready-fixation-" + journey.RandomToken(), Path: "/"}
		sess, err := env.Sessions.LoginWith(ctx, "a", client.LoginOptions{Plant: []*http.Cookie{planted}})
		if err != nil {
			return check.Errorf("%v", err)
		}
		before := preLoginValue(sess, c.Name)
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
	return check.Passf("login issues a new value for session cookie %s (both the portal's pre-login value and a planted one were replaced)",
		names(sc.Cookies))
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
