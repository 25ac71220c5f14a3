// Package journey holds the observations several checks share, computed once
// per scan: what a protected page shows a logged-in member and nobody else,
// and which cookie really carries the session.
package journey

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/page"
	"github.com/launchready/launchready/internal/safetext"
)

// carryFraction is the share of a page's member-only segments another
// response must show to count as carrying that page. A login page or a
// teaser that repeats a heading stays well below it; the page itself, or a
// neighbour member's version of it, is far above.
const carryFraction = 0.3

// maxPublicSegments caps the public reference, which lasts the whole scan.
const maxPublicSegments = 100_000

// View is a protected page as member A sees it, reduced to the text segments
// no public page shows.
type View struct {
	Path string
	// Member is A's response, without its bodies.
	Member *client.Response
	// Unique are A's segments absent from every public reference page.
	Unique []string
	// emails of the test accounts: a response naming one is member content.
	emails []string
}

// URL resolves a path against the target's canonical origin.
func URL(env *check.Env, path string) string {
	origin := env.Sessions.Config().Origin
	ref, err := url.Parse(path)
	if err != nil {
		return origin.String() + path
	}
	return origin.ResolveReference(ref).String()
}

// ProtectedView fetches a protected page as member A (once per scan) and
// keeps the segments only logged-in members see.
func ProtectedView(ctx context.Context, env *check.Env, path string) (*View, error) {
	return check.Shared(ctx, env, "view:"+path, func(ctx context.Context) (*View, error) {
		sess, err := env.Sessions.Get(ctx, "a")
		if err != nil {
			return nil, err
		}
		public, err := publicSegments(ctx, env)
		if err != nil {
			return nil, err
		}
		resp, err := sess.Do(ctx, &client.Request{URL: URL(env, path), Follow: true})
		if err != nil {
			return nil, fmt.Errorf("fetching %s as member a: %w", path, err)
		}
		if LooksLoggedOut(env, resp) {
			return nil, fmt.Errorf("member a's session was refused at %s (status %d at %s): the session was lost or the page needs more than a login", path, resp.StatusCode, env.Client.Redactor().Redact(resp.URL.String()))
		}
		// The view lasts the whole scan: it keeps the member's segments and
		// the request, not the page.
		v := &View{Path: path, Member: resp.WithoutBodies(), emails: accountEmails(env)}
		segs, err := page.Segments(resp.Body)
		if err != nil {
			return nil, fmt.Errorf("reading %s as member a: %w", path, err)
		}
		for _, s := range segs {
			if !public[s] {
				v.Unique = append(v.Unique, s)
			}
		}
		if len(v.Unique) == 0 {
			return nil, fmt.Errorf("%s shows member a nothing that the public pages (home, login, a missing page) do not also show, so access cannot be told apart from refusal", path)
		}
		return v, nil
	})
}

// LooksLoggedOut reports whether a member's response is a refusal: an error
// status, a login form, or the login URL.
func LooksLoggedOut(env *check.Env, resp *client.Response) bool {
	return resp.StatusCode == 401 || resp.StatusCode == 403 || resp.StatusCode >= 500 ||
		page.HasPasswordInput(resp.Body) || env.Sessions.IsLoginURL(resp.URL)
}

// Exposure returns the member-only segments a body carries, in the view's
// order; a *page.CutError says the body could not be read to its end.
func (v *View) Exposure(body []byte) ([]string, error) {
	unique := make(map[string]bool, len(v.Unique))
	for _, s := range v.Unique {
		unique[s] = true
	}
	have := map[string]bool{}
	err := page.EachSegment(body, func(s string) bool {
		if unique[s] {
			have[s] = true
		}
		return true
	})
	var matched []string
	for _, s := range v.Unique {
		if have[s] {
			matched = append(matched, s)
		}
	}
	return matched, err
}

// Carries reports whether a body shows this page's member content: enough
// of its member-only segments, or a segment naming a test account. An
// error says the body could not be read to its end: a "no" is then no
// answer.
func (v *View) Carries(body []byte) (bool, []string, error) {
	matched, err := v.Exposure(body)
	if float64(len(matched)) >= carryFraction*float64(len(v.Unique)) && len(matched) > 0 {
		return true, matched, nil
	}
	for _, s := range matched {
		for _, e := range v.emails {
			if e != "" && strings.Contains(strings.ToLower(s), strings.ToLower(e)) {
				return true, matched, nil
			}
		}
	}
	return false, matched, err
}

// Excerpt quotes a few matched segments for evidence, the most specific
// first: values with digits or an @ (card endings, invoice numbers, emails)
// prove more than a navigation label does.
func Excerpt(matched []string, n int) string {
	matched = append([]string(nil), matched...)
	specific := func(s string) bool { return strings.ContainsAny(s, "0123456789@") }
	sort.SliceStable(matched, func(i, j int) bool {
		if si, sj := specific(matched[i]), specific(matched[j]); si != sj {
			return si
		}
		return len(matched[i]) > len(matched[j])
	})
	if len(matched) > n {
		matched = matched[:n]
	}
	q := make([]string, len(matched))
	for i, s := range matched {
		if len(s) > 80 {
			s = safetext.Prefix(s, 80) + "…"
		}
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// publicSegments collects what anonymous visitors see on public pages: the
// home page, the login page and a page that cannot exist. Their union is
// what member content is told apart from.
func publicSegments(ctx context.Context, env *check.Env) (map[string]bool, error) {
	return check.Shared(ctx, env, "public-segments", func(ctx context.Context) (map[string]bool, error) {
		paths := []string{"/", "/launchready-missing-" + RandomToken()}
		if p := env.Sessions.Config().Path; p != "" {
			paths = append(paths, p)
		}
		seen := map[string]bool{}
		fetched := 0
		for _, p := range paths {
			resp, err := env.Client.Do(ctx, &client.Request{URL: URL(env, p), Follow: true})
			if err != nil {
				continue // a public page that fails teaches nothing; others may answer
			}
			fetched++
			// Past the cap some public text may count as member-only: a
			// page that shows it looks more like member content, and
			// the member page itself no less so.
			_ = page.EachSegment(resp.Body, func(s string) bool {
				seen[s] = true
				return len(seen) < maxPublicSegments
			})
		}
		if fetched == 0 {
			return nil, fmt.Errorf("none of the public reference pages (%s) could be fetched", strings.Join(paths, ", "))
		}
		return seen, nil
	})
}

func accountEmails(env *check.Env) []string {
	var out []string
	for _, a := range env.Config.Accounts {
		out = append(out, a.Email.Value)
	}
	return out
}
