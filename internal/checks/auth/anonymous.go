// Package auth holds the Auth login checks (AUTH-*).
package auth

import (
	"cmp"
	"context"
	"fmt"
	"strings"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/checks/journey"
	"github.com/launchready/launchready/internal/client"
)

// ProtectedPages is AUTH-007: each protected page refuses an anonymous visitor.
type ProtectedPages struct{}

var _ check.Check = ProtectedPages{}

// Meta returns the static description.
func (ProtectedPages) Meta() check.Meta {
	return check.Meta{
		ID: "AUTH-007", Area: check.AreaAuth, Severity: check.Blocker,
		Impact: check.ImpactDataExposure,
		Title:  "Protected pages refuse anonymous visitors",
		Pass: "Every page in auth.protected, requested without a session, shows none of the content a logged-in member sees there " +
			"(a redirect to login, a 401/403, or a login page served with 200 all pass). The verdict is by content, not status code.",
		Why: "A page that renders member content without checking the session is public, whatever the menu hides: search engines, " +
			"link previews and anyone with the URL can read it.",
		Breaks: "Members' private data (billing, profile, messages) is readable by anyone who guesses or is sent the URL.",
		Fix: "Enforce the session on the server for every protected route, not in the frontend: one middleware that runs before each " +
			"member route and redirects to /login (pages) or answers 401 (APIs) when there is no valid session.\n" +
			"  Express: router.use(requireLogin) before member routes    Next.js: check the session in middleware.ts and in each " +
			"route handler/server component (middleware alone can be bypassed)    Django: @login_required / LoginRequiredMiddleware\n" +
			"Never render a member page from global or cached state (\"the last user\"): read the member from the request's session.",
		Refs:  []string{"ASVS v5.0.0-8.2.1", "ASVS v5.0.0-8.3.1", "API2:2023", "CWE-306", "CWE-862"},
		Needs: []string{"auth.protected", "auth.login", "accounts.a"},
	}
}

// Run compares each page's anonymous response with what member a sees.
func (c ProtectedPages) Run(ctx context.Context, env *check.Env) check.Result {
	var leaks []check.Evidence
	var leaked, refused []string
	for _, p := range env.Config.Auth.Protected {
		view, err := journey.ProtectedView(ctx, env, p)
		if err != nil {
			return check.Errorf("%v", err)
		}
		// The page member a opened, its placeholders ({{self.id}}) a's.
		resp, err := env.Client.Do(ctx, &client.Request{URL: view.Member.Request.URL, Follow: true})
		if err != nil {
			return check.Errorf("requesting %s anonymously: %v", p, err)
		}
		hop, matched, err := leakingHop(view, resp)
		if err != nil {
			return check.Errorf("judging %s anonymously: %v", p, err)
		}
		if hop < 0 {
			refused = append(refused, fmt.Sprintf("%s (%s)", p, refusal(resp)))
			continue
		}
		h := resp.Hops[hop]
		how := fmt.Sprintf("The response (status %d at %s)", h.Status, h.URL)
		if hop < len(resp.Hops)-1 {
			how = fmt.Sprintf("The %d redirect to %s still carries the page in its body: browsers hide it, curl shows it. It", h.Status, h.Location)
		}
		leaked = append(leaked, p)
		leaks = append(leaks, check.HopEvidence(env, resp, h, fmt.Sprintf(
			"Anonymous request, no cookies. %s carries %d of the %d text segments that only a logged-in member sees on %s, e.g. %s.",
			how, len(matched), len(view.Unique), p, journey.Excerpt(matched, 4))))
	}
	if len(leaked) > 0 {
		return check.Failf(leaks, "%d of %d protected pages show member content to anonymous visitors: %s",
			len(leaked), len(env.Config.Auth.Protected), strings.Join(leaked, ", "))
	}
	return check.Passf("all %d protected pages refuse anonymous visitors: %s", len(refused), strings.Join(refused, "; "))
}

// leakingHop returns the first exchange of the anonymous chain whose body
// carries the member page, or -1; an error when no hop carries it but one
// could not be read to its end.
func leakingHop(view *journey.View, resp *client.Response) (int, []string, error) {
	var cut error
	for i, h := range resp.Hops {
		ok, matched, err := view.Carries(h.Body)
		if ok {
			return i, matched, nil
		}
		cut = cmp.Or(cut, err)
	}
	return -1, nil, cut
}

// refusal names how a page refused: redirect, status or login page.
func refusal(resp *client.Response) string {
	switch {
	case len(resp.Hops) > 1:
		return fmt.Sprintf("redirected to %s", resp.URL.Path)
	case resp.StatusCode >= 400:
		return fmt.Sprintf("status %d", resp.StatusCode)
	}
	return fmt.Sprintf("status %d without member content", resp.StatusCode)
}
