package journey

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/client"
)

// SetCookie is one raw Set-Cookie line as the portal sent it, with the
// attributes read from the raw text (Go's parser drops what it dislikes).
type SetCookie struct {
	Name, Value string
	// Raw is the header line as received.
	Raw string
	// Attrs maps lower-case attribute names to their values ("" for flags).
	Attrs map[string]string
	// Hop is the exchange that set it; Resp the chain it belongs to.
	Hop  client.Hop
	Resp *client.Response
	// Recorded, when set, says the cookie comes from a session recorded
	// in a browser (auth.kind recorded), Raw rebuilt from the attributes
	// the browser kept, not a Set-Cookie header the scanner received.
	Recorded string
}

// Line shows the cookie for evidence: its Set-Cookie header, or the
// attributes a recording kept.
func (c SetCookie) Line() string {
	if c.Recorded != "" {
		return "Cookie as the browser kept it (" + c.Recorded + "): " + c.Raw
	}
	return "Set-Cookie: " + c.Raw
}

// Has reports whether a flag or attribute is present.
func (c SetCookie) Has(attr string) bool {
	_, ok := c.Attrs[strings.ToLower(attr)]
	return ok
}

// ParseSetCookie reads a raw Set-Cookie line without dropping attributes.
func ParseSetCookie(raw string) (SetCookie, bool) {
	parts := strings.Split(raw, ";")
	name, value, ok := strings.Cut(parts[0], "=")
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		return SetCookie{}, false
	}
	c := SetCookie{Name: name, Value: strings.Trim(strings.TrimSpace(value), `"`), Raw: raw, Attrs: map[string]string{}}
	for _, p := range parts[1:] {
		k, v, _ := strings.Cut(p, "=")
		k = strings.ToLower(strings.TrimSpace(k))
		if k != "" {
			c.Attrs[k] = strings.TrimSpace(v)
		}
	}
	return c, true
}

// deletes reports whether the line removes the cookie rather than sets it.
func (c SetCookie) deletes() bool {
	if c.Value == "" {
		return true
	}
	if ma, ok := c.Attrs["max-age"]; ok && (strings.HasPrefix(ma, "-") || ma == "0") {
		return true
	}
	return false
}

// SessionCookies is the outcome of identifying the session cookie.
type SessionCookies struct {
	// Cookies are the ones without which the protected page refuses the
	// member (or, if no single one is necessary, each that alone suffices).
	Cookies []SetCookie
	// Candidates are every cookie set while logging in.
	Candidates []SetCookie
	// Probe is the protected page used to decide.
	Probe string
	// How says which test identified them.
	How string
}

// IdentifySessionCookies finds the session cookie from behaviour, not its
// name: among the cookies set by the login submission, the one whose
// removal makes the protected page refuse member a.
func IdentifySessionCookies(ctx context.Context, env *check.Env) (*SessionCookies, error) {
	return check.Shared(ctx, env, "session-cookies", func(ctx context.Context) (*SessionCookies, error) {
		sess, err := env.Sessions.Get(ctx, "a")
		if err != nil {
			return nil, err
		}
		probe := probePath(env)
		if probe == "" {
			return nil, fmt.Errorf("no protected page to test the session against (auth.protected)")
		}
		view, err := ProtectedView(ctx, env, probe)
		if err != nil {
			return nil, err
		}
		sc := &SessionCookies{Probe: probe, Candidates: loginCookies(sess)}
		if len(sc.Candidates) == 0 && env.Config.Auth.Kind == "recorded" {
			sc.Candidates = recordedCookies(env, sess)
		}
		if len(sc.Candidates) == 0 {
			if err := noLoginAnswer(env.Config.Auth.Kind); err != nil {
				return nil, err
			}
		}
		if len(sc.Candidates) == 0 {
			return nil, fmt.Errorf("the login response set no cookie, yet session.kind is cookie: set session.kind: token if the portal keeps the session in a header")
		}
		err = sc.identify(ctx, env, sess, view)
		// The session cookie is a credential whatever its name, also when
		// the login page set it and the login kept it.
		for _, c := range sc.Cookies {
			env.Client.MarkCredentialCookie(c.Name, c.Value)
		}
		return sc, err
	})
}

// noLoginAnswer explains, for the login kinds whose session cookie no
// login answer of the scanner's sets, why the cookie checks cannot run.
func noLoginAnswer(kind string) error {
	enable := "a staging config whose test members log in by form or json, so the login's own answer can be read"
	switch kind {
	case "recorded":
		return &check.NotRunnable{Reason: "the session recorded by hand (auth.kind recorded) holds no cookie for the portal, " +
			"and the scanner cannot log in itself to see one set", Enable: enable}
	case "clerk":
		return &check.NotRunnable{Reason: "the session cookie (__session) is minted here through Clerk's Backend API and, in a browser, " +
			"set by Clerk's SDK from script: no login answer carries it, and its attributes are Clerk's design", Enable: enable}
	}
	return nil
}

func (sc *SessionCookies) identify(ctx context.Context, env *check.Env, sess *client.Session, view *View) error {
	all := sess.Cookies(view.Member.URL)
	access := func(cookies []*http.Cookie) (bool, error) {
		_, ok, err := Accepts(ctx, env, view, cookies, nil)
		return ok, err
	}
	ok, err := access(all)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("replaying the session's own cookies to %s was refused: the portal needs more than cookies (a header or a fingerprint), so the session cookie cannot be identified", view.Path)
	}
	for _, c := range sc.Candidates {
		ok, err := access(without(all, c.Name))
		if err != nil {
			return err
		}
		if !ok {
			sc.Cookies = append(sc.Cookies, c)
		}
	}
	if len(sc.Cookies) > 0 {
		sc.How = "removing it alone made " + view.Path + " refuse the member"
		return nil
	}
	for _, c := range sc.Candidates {
		ok, err := access(only(all, c.Name))
		if err != nil {
			return err
		}
		if ok {
			sc.Cookies = append(sc.Cookies, c)
		}
	}
	if len(sc.Cookies) == 0 {
		return fmt.Errorf("no cookie set at login is needed for %s, and none suffices alone: the session does not ride on the cookies set at login", view.Path)
	}
	sc.How = "it alone gave access to " + view.Path + " (the portal accepts any one of several)"
	return nil
}

// loginCookies returns the cookies set while logging in (by the login page
// and by the submission), last line per name winning, deletions left out.
// A session cookie issued before login and kept through it (no rotation)
// is still the session cookie, so the login page's cookies count too.
func loginCookies(sess *client.Session) []SetCookie {
	idx := map[string]int{}
	var out []SetCookie
	for _, resp := range []*client.Response{sess.Login.Page, sess.Login.Submit} {
		if resp == nil {
			continue
		}
		for _, h := range resp.Hops {
			for _, raw := range h.Header.Values("Set-Cookie") {
				c, ok := ParseSetCookie(raw)
				if !ok {
					continue
				}
				c.Hop, c.Resp = h, resp
				if i, seen := idx[c.Name]; seen {
					out[i] = c
					continue
				}
				idx[c.Name] = len(out)
				out = append(out, c)
			}
		}
	}
	kept := out[:0]
	for _, c := range out {
		if !c.deletes() {
			kept = append(kept, c)
		}
	}
	return kept
}

func probePath(env *check.Env) string {
	cfg := env.Sessions.Config()
	if len(cfg.Protected) > 0 {
		return cfg.Protected[0]
	}
	return cfg.Success
}

func without(cs []*http.Cookie, name string) []*http.Cookie {
	var out []*http.Cookie
	for _, c := range cs {
		if c.Name != name {
			out = append(out, c)
		}
	}
	return out
}

func only(cs []*http.Cookie, name string) []*http.Cookie {
	var out []*http.Cookie
	for _, c := range cs {
		if c.Name == name {
			out = append(out, c)
		}
	}
	return out
}

// RandomToken returns 16 random hex characters for markers and probes.
func RandomToken() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b)
}

// Accepts replays the protected page with the given cookies (no jar) and
// reports whether it showed the member content.
func Accepts(ctx context.Context, env *check.Env, view *View, cookies []*http.Cookie, header http.Header) (*client.Response, bool, error) {
	resp, err := env.Client.DoWith(ctx, nil, &client.Request{URL: view.Member.Request.URL, Follow: true, Cookies: cookies, Header: header})
	if err != nil {
		return nil, false, fmt.Errorf("replaying %s: %w", view.Path, err)
	}
	ok, _, err := view.Carries(resp.Body)
	if err != nil {
		return resp, false, fmt.Errorf("replaying %s: %w", view.Path, err)
	}
	return resp, ok && !LooksLoggedOut(env, resp), nil
}

// ProveSession is the one proof of a session the checks share: replayed
// from its own cookies or token, sess opens the first protected page with
// the content only a logged-in member sees there (ProtectedView), and the
// same request without them does not. A login that sets no credential, or
// whose answer left the portal, proves nothing whatever page it ended on;
// nor does any login on a portal whose protected page shows that content
// to everyone.
func ProveSession(ctx context.Context, env *check.Env, sess *client.Session) error {
	prot := env.Sessions.Config().Protected
	if len(prot) == 0 {
		return fmt.Errorf("no auth.protected page to prove a session on")
	}
	view, err := ProtectedView(ctx, env, prot[0])
	if err != nil {
		return err
	}
	open, err := check.Shared(ctx, env, "anonymous-view:"+view.Path, func(ctx context.Context) (bool, error) {
		_, ok, err := Accepts(ctx, env, view, nil, nil)
		return ok, err
	})
	if err != nil {
		return err
	}
	if open {
		return fmt.Errorf("%s shows member content without any session, so no login can be told from none", view.Path)
	}
	resp, ok, err := Accepts(ctx, env, view, sess.Cookies(view.Member.URL), sess.TokenHeader())
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("the session does not open %s with member content (status %d): it is not a session the other checks accept", view.Path, resp.StatusCode)
	}
	return nil
}

// Replace returns cookies with name's value swapped for value.
func Replace(cs []*http.Cookie, name, value string) []*http.Cookie {
	out := make([]*http.Cookie, 0, len(cs))
	for _, c := range cs {
		if c.Name == name {
			out = append(out, &http.Cookie{Name: name, Value: value})
			continue
		}
		out = append(out, c)
	}
	return out
}
