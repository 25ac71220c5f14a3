package journey

import (
	"context"
	"net/url"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/page"
)

// maxFormPages bounds the pages read to find the one holding a form.
const maxFormPages = 6

// PageWithForm finds the page a member's browser would send a request to
// target from: the first page, of the page the login landed on, the
// auth.protected pages and a GET of target itself, that holds a form
// posting to target's path (its hidden fields carry the CSRF token the
// request needs). Without one it returns the landing page: the request
// then goes as a script on it would send it.
func PageWithForm(ctx context.Context, env *check.Env, sess *client.Session, target string) *client.Response {
	t, err := url.Parse(target)
	if err != nil {
		return sess.Login.Verified
	}
	holds := func(r *client.Response) bool {
		if r == nil || r.StatusCode >= 400 {
			return false
		}
		for _, f := range page.Forms(r.Body, r.URL) {
			if fu, err := url.Parse(f.Action); err == nil && fu.Path == t.Path {
				return true
			}
		}
		return false
	}
	if holds(sess.Login.Verified) {
		return sess.Login.Verified
	}
	candidates := append([]string{}, env.Config.Auth.Protected...)
	candidates = append(candidates, t.Path)
	for i, p := range candidates {
		if i == maxFormPages {
			break
		}
		r, err := sess.Do(ctx, &client.Request{URL: URL(env, p), Follow: true})
		if err == nil && holds(r) {
			return r
		}
	}
	return sess.Login.Verified
}
