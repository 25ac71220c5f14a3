package journey

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/config"
)

// NewAccount is an account the scanner signs up.
type NewAccount struct {
	Email, Password string
	// Tag is the plus-address tag of Email, the account's {{tag}}.
	Tag string
}

// vars are the account's placeholder values for its signup.
func (a NewAccount) vars() map[string]string {
	return map[string]string{config.PhEmail: a.Email, config.PhPassword: a.Password, config.PhTag: a.Tag}
}

// accountVars are the placeholder values known of an address the scanner
// mails: the address and the tag it was made with.
func accountVars(email string) map[string]string {
	return map[string]string{config.PhEmail: email, config.PhTag: TagOf(email)}
}

// TagOf is the plus-address tag of an address (qa+TAG@…), "" when it has
// none.
func TagOf(email string) string {
	local, _, _ := strings.Cut(email, "@")
	if i := strings.LastIndex(local, "+"); i >= 0 {
		return local[i+1:]
	}
	return ""
}

// SubmitSignup signs a new account up as a new visitor: the signup page's
// form filled in, or (auth.signup.json) the JSON sent straight to its
// path as the page's script does. When askMail is set, the portal
// answered without an error and auth.signup.request is configured, the
// request that asks for the verification mail follows (a portal that
// mails nothing on create).
func SubmitSignup(ctx context.Context, env *check.Env, a NewAccount, askMail bool) (signup, request *client.Response, err error) {
	s := env.Config.Auth.Signup
	anon := env.Sessions.Anonymous()
	signup, err = submitFlow(ctx, env, anon, flow{s.Path, s.Method, s.JSON, s.Form}, a.vars(), true)
	if err != nil || signup.StatusCode >= 400 || !askMail || s.Request == nil {
		return signup, nil, err
	}
	request, err = send(ctx, env, anon, s.Request, a.vars())
	if err != nil {
		return signup, request, fmt.Errorf("asking for the verification mail (auth.signup.request): %w", err)
	}
	if request.StatusCode >= 400 {
		return signup, request, fmt.Errorf("asking for the verification mail (auth.signup.request, %s %s) answered %d", s.Request.Method, s.Request.Path, request.StatusCode)
	}
	return signup, request, nil
}

// AskVerification sends auth.signup.request for email as a new visitor,
// when it is configured (nil otherwise): the clean-up asks again for the
// mail of an account a run made but stopped before asking.
func AskVerification(ctx context.Context, env *check.Env, email string) error {
	r := env.Config.Auth.Signup.Request
	if r == nil {
		return nil
	}
	resp, err := send(ctx, env, env.Sessions.Anonymous(), r, accountVars(email))
	if err != nil {
		return err
	}
	if resp.StatusCode >= 400 {
		return fmt.Errorf("asking for the verification mail (auth.signup.request, %s %s) answered %d", r.Method, r.Path, resp.StatusCode)
	}
	return nil
}

// SubmitReset asks for a password reset for email as a new visitor: the
// form, or the JSON request.
func SubmitReset(ctx context.Context, env *check.Env, email string) (*client.Response, error) {
	r := env.Config.Auth.Reset
	return submitFlow(ctx, env, env.Sessions.Anonymous(), flow{r.Path, r.Method, r.JSON, r.Form}, accountVars(email), false)
}

// SubmitLogin sends the portal's own login for email and password as a
// new visitor, without keeping a session (AUTH-006's probes): the login
// form, or with auth.kind json the JSON login.
func SubmitLogin(ctx context.Context, env *check.Env, email, password string) (*client.Response, error) {
	l := env.Config.Auth.Login
	vars := map[string]string{config.PhEmail: email, config.PhPassword: password}
	f := flow{path: l.Path, form: l.Form}
	if env.Config.Auth.Kind == "json" {
		f = flow{path: cmpOr(l.Action, l.Path), js: l.Fields()}
	}
	return submitFlow(ctx, env, env.Sessions.Anonymous(), f, vars, false)
}

// flow is a signup, reset or login: a form on the page at path, or (js
// set) JSON sent straight to path.
type flow struct {
	path, method string
	js, form     map[string]string
}

// submitFlow sends a flow with vars filled in.
func submitFlow(ctx context.Context, env *check.Env, sess *client.Session, f flow, vars map[string]string, needPassword bool) (*client.Response, error) {
	if f.js != nil {
		return sess.Send(ctx, client.Call{URL: URL(env, config.Expand(f.path, vars, url.PathEscape)), Method: f.method, JSON: config.ExpandMap(f.js, vars)})
	}
	values := url.Values{}
	for k, v := range f.form {
		values.Set(k, config.Expand(v, vars, nil))
	}
	_, resp, err := sess.SubmitForm(ctx, URL(env, f.path), "", values, needPassword)
	return resp, err
}

// send sends a configured call with vars filled in.
func send(ctx context.Context, env *check.Env, sess *client.Session, c *config.Call, vars map[string]string) (*client.Response, error) {
	return sess.Send(ctx, client.Call{URL: URL(env, config.Expand(c.Path, vars, url.PathEscape)), Method: c.Method,
		JSON: config.ExpandMap(c.JSON, vars), Form: config.ExpandMap(c.Form, vars)})
}

// confirm sends a confirm call for a mailed link as a new visitor, its
// {{token}} read from the link.
func confirm(ctx context.Context, env *check.Env, cf *config.Confirm, link string, vars map[string]string) (*client.Response, error) {
	re, err := config.TokenPattern(cf.Token)
	if err != nil {
		return nil, err // refused when the config was loaded
	}
	tok, err := LinkToken(link, re)
	if err != nil {
		return nil, err
	}
	vars[config.PhToken] = tok
	resp, err := send(ctx, env, env.Sessions.Anonymous(), cf.Call(), vars)
	if err != nil {
		return resp, err
	}
	if resp.StatusCode >= 400 {
		return resp, fmt.Errorf("%s %s with the link's token answered %d", cf.Method, cf.Path, resp.StatusCode)
	}
	return resp, nil
}

// LinkToken reads the token of a mailed link: pattern's group when a
// pattern is given, else the link's token query parameter, else the last
// segment of its fragment (a single-page app's route, #/confirm/TOKEN),
// else the last segment of its path.
func LinkToken(link string, pattern *regexp.Regexp) (string, error) {
	if pattern != nil {
		m := pattern.FindStringSubmatch(link)
		if m == nil || m[1] == "" {
			return "", fmt.Errorf("the link %s does not match the token pattern %q", link, pattern)
		}
		return m[1], nil
	}
	u, err := url.Parse(link)
	if err != nil {
		return "", fmt.Errorf("the link does not parse: %w", err)
	}
	if t := u.Query().Get("token"); t != "" {
		return t, nil
	}
	frag, fragQuery, _ := strings.Cut(u.Fragment, "?")
	if q, err := url.ParseQuery(fragQuery); err == nil && q.Get("token") != "" {
		return q.Get("token"), nil
	}
	for _, p := range []string{frag, u.Path} {
		if seg := lastSegment(p); seg != "" {
			return seg, nil
		}
	}
	return "", errors.New("the link holds no token (no token parameter, no path segment)")
}

// lastSegment is the last non-empty segment of a slash-separated path.
func lastSegment(p string) string {
	segs := strings.FieldsFunc(p, func(r rune) bool { return r == '/' })
	if len(segs) == 0 {
		return ""
	}
	return segs[len(segs)-1]
}

// OpenVerification verifies an address from its mail's link: with
// auth.signup.confirm, by sending that request with the link's token (a
// page that confirms in JavaScript, which opening the link does not run);
// else by opening the link as a member clicking it in the mail does
// (FollowVerification). Whether the address is verified is proved by the
// login that follows.
func OpenVerification(ctx context.Context, env *check.Env, link, email string) (opened, confirmed *client.Response, err error) {
	if cf := env.Config.Auth.Signup.Confirm; cf != nil {
		confirmed, err = confirm(ctx, env, cf, link, accountVars(email))
		return nil, confirmed, err
	}
	return FollowVerification(ctx, env, link)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
