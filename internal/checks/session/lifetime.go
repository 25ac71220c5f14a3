package session

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/checks/journey"
	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/jwtx"
	"github.com/launchready/launchready/internal/page"
)

// Lifetime bounds for SESS-004: a working day passes, a week of
// "remember me" warns, longer fails. A session the member asked to be
// remembered (the login form's remember-me box ticked) is judged on its
// own bounds: up to 30 days passes, up to 90 warns.
const (
	lifetimePass = 24 * time.Hour
	lifetimeWarn = 7 * 24 * time.Hour
	rememberPass = 30 * 24 * time.Hour
	rememberWarn = 90 * 24 * time.Hour
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
		Impact: check.ImpactSession,
		Title:  "Session lifetime is bounded",
		Pass: "The session's lifetime, read from the session cookie's Max-Age/Expires and, when the session is a JWT, from its exp " +
			"(the server-side bound a stolen token has), or declared as session.lifetime when nothing shows it, is at most 24 " +
			"hours (up to 7 days is WARN). When the login form has a remember-me box, a second login ticks it and that " +
			"session is judged on its own bounds, said as such: up to 30 days passes, up to 90 WARN, longer FAIL. When " +
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
	if len(bounds) == 0 && env.Config.Session.Lifetime > 0 {
		bounds = append(bounds, bound{"session.lifetime (declared in the config)", env.Config.Session.Lifetime,
			check.Evidence{Detail: "Nothing the portal sends shows the session's lifetime; the config declares session.lifetime " + env.Config.Session.Lifetime.String() + "."}})
	}
	rem, err := rememberMe(ctx, env)
	if err != nil {
		return check.Errorf("logging in with the remember-me box ticked: %v", err)
	}
	if len(bounds) == 0 {
		r := check.Warnf(unbounded, "no session lifetime is visible (no Max-Age/Expires, no JWT exp): the server-side expiry cannot be observed without waiting; declare session.lifetime (or session.idle_timeout to have it tested)")
		return rem.merge(r)
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
	var r check.Result
	switch {
	case longest.lifetime > lifetimeWarn:
		r = check.Failf(ev, "%s (over %s)", summary, human(lifetimeWarn))
	case longest.lifetime > lifetimePass:
		r = check.Warnf(ev, "%s (over %s)", summary, human(lifetimePass))
	default:
		r = check.Result{Status: check.Pass, Summary: summary, Evidence: ev}
	}
	return rem.merge(r)
}

// remembered is the session of a login with the remember-me box ticked.
type remembered struct {
	field  string // the box's name; "" when the form has none
	bounds []bound
}

// rememberName matches the names of remember-me boxes.
var rememberName = regexp.MustCompile(`(?i)remember|keep.?(me.?)?(signed|logged).?in|stay.?(signed|logged).?in|persist`)

// rememberMe logs member a in once more with the login form's remember-me
// box ticked, when it has one the config leaves unticked, and reads that
// session's lifetimes.
func rememberMe(ctx context.Context, env *check.Env) (remembered, error) {
	if env.Config.Auth.Kind != "form" || env.Config.Session.Kind == "token" {
		return remembered{}, nil
	}
	sess, err := env.Sessions.Get(ctx, "a")
	if err != nil || sess.Login.Page == nil {
		return remembered{}, nil
	}
	name, value := "", ""
	for _, f := range page.Forms(sess.Login.Page.Body, sess.Login.Page.URL) {
		if !f.HasPassword {
			continue
		}
		for _, fl := range f.Fields {
			if strings.EqualFold(fl.Type, "checkbox") && rememberName.MatchString(fl.Name) {
				name, value = fl.Name, cmp.Or(fl.Value, "on")
				break
			}
		}
	}
	if _, set := env.Config.Auth.Login.Form[name]; name == "" || set {
		return remembered{}, nil
	}
	sc, err := journey.IdentifySessionCookies(ctx, env)
	if err != nil {
		return remembered{}, err
	}
	rs, err := env.Sessions.LoginWith(ctx, "a", client.LoginOptions{Extra: map[string]string{name: value}})
	if err != nil {
		return remembered{}, err
	}
	rem := remembered{field: name}
	for _, h := range rs.Login.Submit.Hops {
		for _, raw := range h.Header.Values("Set-Cookie") {
			c, ok := journey.ParseSetCookie(raw)
			if !ok || !isSessionCookie(sc, c.Name) {
				continue
			}
			c.Hop, c.Resp = h, rs.Login.Submit
			ev := check.HopEvidence(env, rs.Login.Submit, h, c.Line())
			if d, ok := cookieLifetime(c, h.Header); ok {
				rem.bounds = append(rem.bounds, bound{"cookie " + c.Name + " Max-Age/Expires", d, ev})
			}
			if b, ok := jwtBound("JWT exp in cookie "+c.Name, c.Value, ev); ok {
				rem.bounds = append(rem.bounds, b)
			}
		}
	}
	return rem, nil
}

func isSessionCookie(sc *journey.SessionCookies, name string) bool {
	for _, c := range sc.Cookies {
		if c.Name == name {
			return true
		}
	}
	return false
}

// merge adds the remembered session's verdict to r, said as such: the
// worse status wins.
func (rem remembered) merge(r check.Result) check.Result {
	if rem.field == "" {
		return r
	}
	if len(rem.bounds) == 0 {
		r.Summary += fmt.Sprintf("; with remember-me (%s) ticked the session cookie is still a browser-session one and no lifetime is visible", rem.field)
		return r
	}
	longest := rem.bounds[0]
	var parts []string
	for _, b := range rem.bounds {
		if b.lifetime > longest.lifetime {
			longest = b
		}
		parts = append(parts, fmt.Sprintf("%s %s", b.what, human(b.lifetime)))
		r.Evidence = append(r.Evidence, b.ev)
	}
	status, bound := check.Pass, ""
	switch {
	case longest.lifetime > rememberWarn:
		status, bound = check.Fail, fmt.Sprintf(", over %s", human(rememberWarn))
	case longest.lifetime > rememberPass:
		status, bound = check.Warn, fmt.Sprintf(", over %s", human(rememberPass))
	}
	r.Summary += fmt.Sprintf("; with remember-me (%s) ticked: %s (remember-me bound%s)", rem.field, strings.Join(parts, "; "), bound)
	if worse(status, r.Status) {
		r.Status = status
	}
	return r
}

// worse orders the verdicts SESS-004 gives: FAIL over WARN over PASS.
func worse(a, b check.Status) bool {
	rank := map[check.Status]int{check.Pass: 0, check.Warn: 1, check.Fail: 2}
	return rank[a] > rank[b]
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
