package session

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/checks/journey"
	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/jwtx"
)

// Lifetime bounds for SESS-004: a working day passes, a week of
// "remember me" warns, longer fails.
const (
	lifetimePass = 24 * time.Hour
	lifetimeWarn = 7 * 24 * time.Hour
	// maxIdleWait is the longest declared idle timeout the check waits out.
	maxIdleWait = 60 * time.Second
)

// Lifetime is SESS-004: the session's lifetime is bounded.
type Lifetime struct{}

var _ check.Check = Lifetime{}

// Meta returns the static description.
func (Lifetime) Meta() check.Meta {
	return check.Meta{
		ID: "SESS-004", Area: check.AreaSession, Severity: check.Major,
		Title: "Session lifetime is bounded",
		Pass: "The session's lifetime, read from the session cookie's Max-Age/Expires and, when the session is a JWT, from its exp " +
			"(the server-side bound a stolen token has), is at most 24 hours (up to 7 days is WARN, e.g. remember-me). When " +
			"session.idle_timeout is declared at 60s or less, the session is left idle that long and must then be refused.",
		Why: "Every session is a key to the account until it expires. Months-long sessions keep stolen cookies and tokens useful " +
			"long after the theft, and keep shared computers logged in.",
		Breaks: "A session copied once (malware, a shared laptop, a log file) keeps working for weeks.",
		Fix: "Bound the absolute lifetime (e.g. 8–24 h; re-authenticate after) and add an idle timeout; for JWTs set a short exp " +
			"(15–60 min) with refresh tokens that rotate and can be revoked:\n" +
			"  express-session: cookie.maxAge = 8*60*60*1000, rolling: true    Django: SESSION_COOKIE_AGE = 28800\n" +
			"  jsonwebtoken: jwt.sign(payload, key, {expiresIn: '15m'})",
		Refs:  []string{"ASVS v5.0.0-7.3.1", "ASVS v5.0.0-7.3.2", "API2:2023", "CWE-613"},
		Needs: []string{"auth.login", "accounts.a", "auth.protected"},
	}
}

// bound is one observed lifetime and where it came from.
type bound struct {
	what     string
	lifetime time.Duration
	ev       check.Evidence
}

// Run reads the lifetimes of the session cookie or token.
func (Lifetime) Run(ctx context.Context, env *check.Env) check.Result {
	bounds, unbounded, err := observe(ctx, env)
	if err != nil {
		return check.Errorf("%v", err)
	}
	if r, done := idleTimeout(ctx, env); done {
		return r
	}
	if len(bounds) == 0 {
		return check.Warnf(unbounded, "no session lifetime is visible (no Max-Age/Expires, no JWT exp): the server-side expiry cannot be observed without waiting; declare session.idle_timeout to have it tested")
	}
	longest := bounds[0]
	for _, b := range bounds[1:] {
		if b.lifetime > longest.lifetime {
			longest = b
		}
	}
	var ev []check.Evidence
	var parts []string
	for _, b := range bounds {
		ev = append(ev, b.ev)
		parts = append(parts, fmt.Sprintf("%s %s", b.what, human(b.lifetime)))
	}
	summary := "session lifetime: " + strings.Join(parts, "; ")
	switch {
	case longest.lifetime > lifetimeWarn:
		return check.Failf(ev, "%s (over %s)", summary, human(lifetimeWarn))
	case longest.lifetime > lifetimePass:
		return check.Warnf(ev, "%s (over %s)", summary, human(lifetimePass))
	}
	return check.Result{Status: check.Pass, Summary: summary, Evidence: ev}
}

// observe collects the lifetimes of the session cookies (attributes and
// JWT exp) or of the bearer token.
func observe(ctx context.Context, env *check.Env) ([]bound, []check.Evidence, error) {
	if env.Config.Session.Kind == "token" {
		sess, err := env.Sessions.Get(ctx, "a")
		if err != nil {
			return nil, nil, err
		}
		ev := check.HTTPEvidence(env, sess.Login.Submit, "The login response's token.")
		if b, ok := jwtBound("bearer token", sess.Token(), ev); ok {
			return []bound{b}, nil, nil
		}
		return nil, []check.Evidence{ev}, nil
	}
	sc, err := journey.IdentifySessionCookies(ctx, env)
	if err != nil {
		return nil, nil, err
	}
	var bounds []bound
	var none []check.Evidence
	for _, c := range sc.Cookies {
		ev := check.HopEvidence(env, c.Resp, c.Hop, c.Line())
		found := false
		if d, ok := cookieLifetime(c, c.Hop.Header); ok {
			bounds = append(bounds, bound{"cookie " + c.Name + " Max-Age/Expires", d, ev})
			found = true
		}
		if b, ok := jwtBound("JWT exp in cookie "+c.Name, c.Value, ev); ok {
			bounds = append(bounds, b)
			found = true
		}
		if !found {
			none = append(none, ev)
		}
	}
	return bounds, none, nil
}

// cookieLifetime reads Max-Age (which wins) or Expires against the
// response's Date.
func cookieLifetime(c journey.SetCookie, h http.Header) (time.Duration, bool) {
	if v, ok := c.Attrs["max-age"]; ok {
		if secs, err := strconv.ParseInt(v, 10, 64); err == nil && secs > 0 {
			return time.Duration(min(secs, int64(100*365*24*3600))) * time.Second, true
		}
	}
	if v, ok := c.Attrs["expires"]; ok {
		exp, err := http.ParseTime(v)
		if err != nil {
			return 0, false
		}
		now := time.Now()
		if d, err := http.ParseTime(h.Get("Date")); err == nil {
			now = d
		}
		if exp.After(now) {
			return exp.Sub(now), true
		}
	}
	return 0, false
}

// jwtBound reads a JWT's lifetime (exp - iat, or exp - now).
func jwtBound(what, value string, ev check.Evidence) (bound, bool) {
	tok, err := jwtx.Parse(value)
	if err != nil {
		return bound{}, false
	}
	d, ok := tok.Lifetime()
	if !ok {
		// No exp at all: the token never expires on its own.
		d = 100 * 365 * 24 * time.Hour
		what += " (absent: never expires)"
	}
	return bound{what, d, ev}, true
}

// idleTimeout waits out a declared idle timeout of at most a minute and
// replays a fresh session; done reports a final result.
func idleTimeout(ctx context.Context, env *check.Env) (check.Result, bool) {
	idle := env.Config.Session.IdleTimeout
	if idle <= 0 || idle > maxIdleWait {
		return check.Result{}, false
	}
	sess, err := env.Sessions.Login(ctx, "a")
	if err != nil {
		return check.Errorf("%v", err), true
	}
	view, err := journey.ProtectedView(ctx, env, env.Config.Auth.Protected[0])
	if err != nil {
		return check.Errorf("%v", err), true
	}
	t := time.NewTimer(idle + 2*time.Second)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return check.Errorf("waiting out the declared idle timeout: %v", ctx.Err()), true
	case <-t.C:
	}
	resp, err := sess.Do(ctx, &client.Request{URL: view.Member.Request.URL, Follow: true})
	if err != nil {
		return check.Errorf("replaying after the idle timeout: %v", err), true
	}
	ok, _, err := view.Carries(resp.Body)
	if err != nil {
		return check.Errorf("replaying after the idle timeout: %v", err), true
	}
	if ok && !journey.LooksLoggedOut(env, resp) {
		return check.Failf([]check.Evidence{check.HTTPEvidence(env, resp, fmt.Sprintf(
			"Left idle for %s (session.idle_timeout %s + 2s), the session still opens %s.", idle+2*time.Second, idle, view.Path))},
			"the declared idle timeout of %s is not enforced", idle), true
	}
	return check.Result{}, false
}

// human renders a duration in the largest sensible unit.
func human(d time.Duration) string {
	switch {
	case d >= 365*24*time.Hour:
		return fmt.Sprintf("%.0f years", d.Hours()/24/365)
	case d >= 48*time.Hour:
		return fmt.Sprintf("%.0f days", d.Hours()/24)
	case d >= time.Hour:
		return fmt.Sprintf("%.0f h", d.Hours())
	}
	return d.Round(time.Second).String()
}
