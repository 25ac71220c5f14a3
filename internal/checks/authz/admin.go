package authz

import (
	"context"
	"fmt"
	"maps"
	"strings"

	"github.com/launchready/launchready/internal/authz"
	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/config"
	"github.com/launchready/launchready/internal/page"
)

// maxBundleRoutes caps the admin routes from scripts that are probed.
const maxBundleRoutes = 10

// maxAdminBaseline caps the segments of what others see, kept for the
// whole check.
const maxAdminBaseline = 200_000

// Admin is AUTHZ-004: admin functions refuse members and anonymous
// visitors, proved against the admin's own view of each.
type Admin struct{}

var _ check.Check = Admin{}

// Meta returns the static description.
func (Admin) Meta() check.Meta {
	return check.Meta{
		ID: "AUTHZ-004", Area: check.AreaAuthz, Severity: check.Blocker,
		Impact: check.ImpactDataExposure,
		Title:  "Admin functions refuse members and anonymous visitors",
		Pass: "Each admin route — the admin: list (GET entries; others are not sent) and admin-looking paths named in the portal's " +
			"same-origin scripts — is opened by the admin account first, whose response is the reference for what real admin " +
			"content looks like, less what a refused visitor sees (the anonymous visitor's error or login page, and any login " +
			"page: an admin area's own sign-in shares its layout) and what member a sees on its own member pages (its name and " +
			"email in the admin's member list are its own data); member a and an anonymous visitor then get none of the " +
			"admin-only values on any of them. Landing on a login page (the configured one, or any page with a password form) " +
			"is a refusal. Routes the admin itself cannot open are not judged.",
		Why: "Hiding the admin button is not access control: the admin pages and API are one URL away, and the JavaScript bundle " +
			"lists them for anyone who looks.",
		Breaks: "Any member (or anyone) reads the member list with emails, changes plans, or impersonates users through the admin API.",
		Fix: "Enforce the role on the server for every admin route, in one place: a middleware or guard that loads the member's " +
			"role from the database (never from a client-editable claim or field) and answers 403.\n" +
			"  Express: app.use('/api/admin', requireRole('admin')); Next.js: check the role in the route handler or middleware, " +
			"not only in the page\n  Django: @user_passes_test(lambda u: u.is_staff); Rails: before_action :require_admin\n" +
			"  Supabase: policies or RPCs that check a role column set only by the service key",
		Refs:  []string{"ASVS v5.0.0-8.2.1", "API5:2023", "CWE-285"},
		Needs: []string{"auth.login", "accounts.a", "accounts.b", "accounts.admin"},
	}
}

// adminRoute is one admin URL and where it came from.
type adminRoute struct {
	path, from string
}

// Run opens each admin route as the admin, then as member a and anonymously.
func (Admin) Run(ctx context.Context, env *check.Env) check.Result {
	inv, err := authz.Discover(ctx, env)
	if err != nil {
		return check.Errorf("%v", err)
	}
	routes, unsent := adminRoutes(env.Config, inv)
	if len(routes) == 0 {
		return check.Skipped("no admin route to test: the config's admin: list has no GET entry and the scripts name none"+
			unsentNote(unsent), "admin: [/admin, /api/admin/users]")
	}
	admin, err := env.Sessions.Get(ctx, "admin")
	if err != nil {
		return check.Errorf("logging in the admin account: %v", err)
	}
	a, err := env.Sessions.Get(ctx, "a")
	if err != nil {
		return check.Errorf("logging in member a: %v", err)
	}
	p := adminProbe{env: env, admin: admin, a: a, baseline: maps.Clone(inv.Baseline)}
	if err := p.adminChrome(ctx); err != nil {
		return check.Errorf("%v", err)
	}
	if err := p.memberOwn(ctx); err != nil {
		return check.Errorf("%v", err)
	}
	t := &check.Table{Title: "Admin routes", Columns: []string{"admin", authz.Owner, authz.Anonymous}}
	var ev []check.Evidence
	var leaked, judged, unjudged []string
	for _, r := range routes {
		row, e, ok, err := p.route(ctx, r)
		if err != nil {
			return check.Errorf("%v", err)
		}
		t.Rows = append(t.Rows, row)
		switch {
		case !ok:
			unjudged = append(unjudged, r.path)
		case len(e) > 0:
			leaked = append(leaked, r.path)
			ev = append(ev, e...)
		default:
			judged = append(judged, r.path)
		}
	}
	res := func(r check.Result) check.Result { r.Table = t; return r }
	switch {
	case len(leaked) > 0:
		return res(check.Failf(ev, "admin content reached a member or anonymous visitor at %s", strings.Join(leaked, ", ")))
	case len(judged) == 0:
		return res(check.Errorf("the admin account itself got no admin-only content from any route (%s): check that accounts.admin "+
			"is an administrator and that the admin: paths are right", strings.Join(unjudged, ", ")))
	}
	msg := fmt.Sprintf("judged %d admin routes × 2 identities (member a, anonymous): none got the admin's content (%s)", len(judged), strings.Join(judged, ", "))
	if len(unjudged) > 0 {
		msg += fmt.Sprintf("; not judged, the admin itself got nothing admin-only: %s", strings.Join(unjudged, ", "))
	}
	return res(check.Passf("%s%s", msg, unsentNote(unsent)))
}

// adminRoutes lists the GET admin routes to probe: the config's, then the
// scripts' (bounded, action-looking ones left out); unsent lists config
// entries with other methods.
func adminRoutes(cfg *config.Config, inv *authz.Inventory) (routes []adminRoute, unsent []string) {
	seen := map[string]bool{}
	for _, entry := range cfg.Admin {
		method, path, err := config.ParseAdmin(entry)
		if err != nil {
			continue // validated on load
		}
		if method != "GET" && method != "HEAD" {
			unsent = append(unsent, entry)
			continue
		}
		if !seen[path] {
			seen[path] = true
			routes = append(routes, adminRoute{path, "config"})
		}
	}
	n := 0
	for _, path := range inv.AdminRoutes {
		if seen[path] || authz.IsAction(path) || n >= maxBundleRoutes {
			continue
		}
		seen[path] = true
		n++
		routes = append(routes, adminRoute{path, "script"})
	}
	return routes, unsent
}

func unsentNote(unsent []string) string {
	if len(unsent) == 0 {
		return ""
	}
	return "; not sent (state-changing): " + strings.Join(unsent, ", ")
}

// adminProbe holds one run's sessions and the baseline admin markers are
// told apart from.
type adminProbe struct {
	env      *check.Env
	admin, a *client.Session
	baseline map[string]bool
}

// adminChrome adds what the admin sees on a page that cannot exist (its
// name in the header, the nav) to the baseline: it is not admin content.
func (p adminProbe) adminChrome(ctx context.Context) error {
	resp, err := p.admin.Do(ctx, &client.Request{URL: urlOf(p.env, "/launchready-missing-"+authz.NewCanary()), Follow: true})
	if err != nil {
		return fmt.Errorf("fetching a missing page as the admin: %w", err)
	}
	for _, h := range resp.Hops {
		p.absorb(h.Body)
	}
	return nil
}

// maxOwnPages bounds the member's own pages read for the baseline.
const maxOwnPages = 5

// memberOwn adds what member a sees on its own member pages (the first
// auth.protected ones) to the baseline: a's name and email in the admin's
// member list are a's own data when a member a is shown them on its
// dashboard, not admin content reaching it.
func (p adminProbe) memberOwn(ctx context.Context) error {
	for i, path := range p.env.Config.Auth.Protected {
		if i == maxOwnPages {
			break
		}
		resp, err := p.a.Do(ctx, &client.Request{URL: urlOf(p.env, path), Follow: true})
		if err != nil {
			return fmt.Errorf("GET %s as member a: %w", path, err)
		}
		if resp.StatusCode < 400 && !page.HasPasswordInput(resp.Body) {
			p.absorb(resp.Body)
		}
	}
	return nil
}

// route opens one route as the admin (the reference), then as member a
// and anonymously; ok is false when the admin's own response had nothing
// admin-only to look for. Admin content is what the admin sees and a
// refused visitor does not: the anonymous visitor's refusal (an error
// page, a login page) and every login page met on the way (an admin
// area's own sign-in shares the admin's layout) are taken out of the
// admin's view before its markers are picked. Landing on a login page is a
// refusal, whatever the page shows.
func (p adminProbe) route(ctx context.Context, r adminRoute) (check.TableRow, []check.Evidence, bool, error) {
	row := check.TableRow{Label: fmt.Sprintf("GET %s (from %s)", r.path, r.from)}
	// The admin's page: its {{self.id}} is the admin's, for every caller.
	u, err := p.admin.FillPath(ctx, urlOf(p.env, r.path))
	if err != nil {
		return row, nil, false, fmt.Errorf("GET %s as the admin: %w", r.path, err)
	}
	ref, err := p.admin.Do(ctx, &client.Request{URL: u, Follow: true})
	if err != nil {
		return row, nil, false, fmt.Errorf("GET %s as the admin: %w", r.path, err)
	}
	if ref.StatusCode >= 400 || page.HasPasswordInput(ref.Body) || p.env.Sessions.IsLoginURL(ref.URL) {
		row.Cells = []string{fmt.Sprintf("refused (%d)", ref.StatusCode), "not judged", "not judged"}
		return row, nil, false, nil
	}
	others := []struct {
		name string
		sess *client.Session
		resp *client.Response
		err  error
	}{{name: authz.Owner, sess: p.a}, {name: authz.Anonymous, sess: p.env.Sessions.Anonymous()}}
	isLogin := authz.LoginHop(p.env)
	for i := range others {
		o := &others[i]
		o.resp, o.err = o.sess.Do(ctx, &client.Request{URL: u, Follow: true})
		p.subtractRefusal(o.resp, o.name == authz.Anonymous, isLogin)
	}
	mk, err := authz.MarkersOf(ref.Body, "", p.baseline, nil)
	if err != nil {
		return row, nil, false, fmt.Errorf("GET %s as the admin: %w", r.path, err)
	}
	if mk.Empty() {
		row.Cells = []string{fmt.Sprintf("nothing admin-only (%d)", ref.StatusCode), "not judged", "not judged"}
		return row, nil, false, nil
	}
	mk.Owner = "the admin"
	row.Cells = []string{fmt.Sprintf("allowed (%d)", ref.StatusCode)}
	var ev []check.Evidence
	for _, o := range others {
		c := authz.Judge(o.name, mk, o.resp, o.err, isLogin)
		text := cellText(c)
		switch c.State {
		case authz.Leaked:
			ev = append(ev, c.Evidence(p.env, "the admin route "+r.path, mk))
		case authz.Failed:
			return row, nil, false, fmt.Errorf("GET %s as %s: %s", r.path, o.name, c.Err)
		case authz.Denied:
			if h := o.resp.Hops; len(h) > 0 && isLogin(h[len(h)-1]) {
				text = fmt.Sprintf("sent to a sign-in page (%d)", c.Status)
			}
		}
		row.Cells = append(row.Cells, text)
	}
	return row, ev, true, nil
}

// subtractRefusal adds what a refusal shows to the baseline: every login
// page in the chain, and, for the anonymous visitor, the final page when
// it is an error (status 400 or more) or the chain met a login page. A
// 2xx page the anonymous visitor reaches without a login page is kept
// out: it may be the admin content itself. Redirect bodies are never
// taken: they may carry the page they refuse.
func (p adminProbe) subtractRefusal(resp *client.Response, anonymous bool, isLogin func(client.Hop) bool) {
	if resp == nil || len(resp.Hops) == 0 {
		return
	}
	refused := resp.StatusCode >= 400
	for _, h := range resp.Hops {
		if isLogin(h) {
			refused = true
			p.absorb(h.Body)
		}
	}
	if anonymous && refused {
		p.absorb(resp.Hops[len(resp.Hops)-1].Body)
	}
}

// absorb adds a body's segments to the baseline, within its bound. A
// baseline cut short leaves text others see among the admin's markers: a
// refusal may look more like a leak.
func (p adminProbe) absorb(body []byte) {
	_ = page.EachSegment(body, func(s string) bool {
		p.baseline[s] = true
		return len(p.baseline) < maxAdminBaseline
	})
}
