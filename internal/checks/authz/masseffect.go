package authz

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"net/url"
	"strings"

	"github.com/launchready/launchready/internal/authz"
	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/page"
)

// byEffect judges a profile that reads back as an HTML page: no JSON shows
// a role, so what a role grants is tested instead. The admin routes
// (AUTHZ-004's, with the admin's view as the reference) must refuse member
// a before; then each escalating update (every role field together, then
// one at a time) is sent through the profile form, the update's canary
// must show on the profile page (it was processed), and member a must
// still be refused the admin's content on every route. The configured
// fields are put back to the values the form showed before.
func (m massProbe) byEffect(ctx context.Context, before profileState) check.Result {
	cannot := func(why string) check.Result {
		return check.Errorf("%s answers with an HTML page, not a JSON object, so a role or flag cannot be read back, and %s: point "+
			"profile.read at the JSON endpoint that returns member a's profile (e.g. /api/me), or give accounts.admin and admin: "+
			"routes so the check can judge by what a role would open", m.p.Read, why)
	}
	if _, ok := m.env.Sessions.Account("admin"); !ok {
		return cannot("the config has no accounts.admin to tell admin content by")
	}
	inv, err := authz.Discover(ctx, m.env)
	if err != nil {
		return check.Errorf("%v", err)
	}
	routes, _ := adminRoutes(m.env.Config, inv)
	if len(routes) == 0 {
		return cannot("the config lists no GET admin: route to judge by")
	}
	admin, err := m.env.Sessions.Get(ctx, "admin")
	if err != nil {
		return check.Errorf("logging in the admin account: %v", err)
	}
	ap := adminProbe{env: m.env, admin: admin, a: m.a, baseline: maps.Clone(inv.Baseline)}
	if err := ap.adminChrome(ctx); err != nil {
		return check.Errorf("%v", err)
	}
	if err := ap.memberOwn(ctx); err != nil {
		return check.Errorf("%v", err)
	}
	// Member a must be refused first: otherwise no role change can be
	// told from what it already reaches (AUTHZ-004's finding).
	var judged []adminRoute
	for _, r := range routes {
		_, ev, ok, err := ap.route(ctx, r)
		if err != nil {
			return check.Errorf("%v", err)
		}
		if len(ev) > 0 {
			return check.Errorf("member a already gets admin content at %s (AUTHZ-004's finding), so what a role change would open cannot be told", r.path)
		}
		if ok {
			judged = append(judged, r)
		}
	}
	if len(judged) == 0 {
		return cannot("the admin itself got nothing admin-only from the admin: routes")
	}
	original, err := m.formValues(ctx)
	if err != nil {
		return check.Errorf("%v", err)
	}
	cr, err := m.env.Plan(check.Undo{What: "member a's profile (" + m.p.Method + " " + m.p.Path + "), changed by AUTHZ-006", As: m.a.Account,
		Run: func(ctx context.Context) error { return m.restoreForm(ctx, original) }})
	if err != nil {
		return check.Errorf("%v", err)
	}
	attempts := [][]escalation{escalations}
	for _, e := range escalations {
		attempts = append(attempts, []escalation{e})
	}
	applied := 0
	for i, fields := range attempts {
		canary := authz.NewCanary()
		sendCtx := ctx
		if i == 0 {
			sendCtx = cr.Context(ctx)
		}
		resp, err := m.send(sendCtx, canary, fields)
		if i == 0 {
			cr.Created(nil, nil)
		}
		if err != nil {
			return check.Errorf("%v", err)
		}
		after, err := m.read(ctx)
		if err != nil {
			return check.Errorf("%v", err)
		}
		if !bytes.Contains(after.resp.Body, []byte(canary)) {
			continue // not processed: nothing to judge by this attempt
		}
		applied++
		for _, r := range judged {
			_, ev, _, err := ap.route(ctx, r)
			if err != nil {
				return check.Errorf("%v", err)
			}
			if len(ev) == 0 {
				continue
			}
			restored := "Member a's configured fields were put back; a role it granted itself cannot be read, so remove it by hand."
			if err := m.restoreForm(ctx, original); err != nil {
				restored = "Putting member a's configured fields back failed (" + err.Error() + "); remove the role by hand."
			}
			first := check.HTTPEvidence(m.env, resp, fmt.Sprintf("Member a's profile update with %s answered %d and was applied (its canary shows on %s). %s",
				describe(fields), resp.StatusCode, m.p.Read, restored))
			return check.Failf(append([]check.Evidence{first}, ev...), "member a granted itself admin access through its own profile update (%s): it then opened %s with the admin's content",
				describe(fields), r.path)
		}
	}
	if err := m.restoreForm(ctx, original); err != nil {
		return check.Errorf("putting member a's profile back: %v", err)
	}
	if applied == 0 {
		return check.Errorf("none of the %d updates with role fields was applied (no canary showed on %s), so nothing was judged: check profile.path and its form field", len(attempts), m.p.Read)
	}
	var paths []string
	for _, r := range judged {
		paths = append(paths, r.path)
	}
	return check.Passf("judged by effect (the profile reads back as HTML): %d role fields sent together and one at a time, %d of %d updates applied, and "+
		"member a was still refused the admin's content at %s after each", len(escalations), applied, len(attempts), strings.Join(paths, ", "))
}

// formValues reads the values the profile form shows for the configured
// fields, to put them back at the end.
func (m massProbe) formValues(ctx context.Context) (map[string]any, error) {
	from, err := m.a.Do(ctx, &client.Request{URL: urlOf(m.env, m.p.Path), Follow: true})
	if err != nil {
		return nil, fmt.Errorf("reading member a's profile form at %s: %w", m.p.Path, err)
	}
	target, err := url.Parse(urlOf(m.env, m.p.Path))
	if err != nil {
		return nil, err
	}
	for _, f := range page.Forms(from.Body, from.URL) {
		fu, err := url.Parse(f.Action)
		if err != nil || fu.Path != target.Path {
			continue
		}
		data := f.Data(f.Submitter())
		vals := map[string]any{}
		for k := range m.p.Form {
			if _, ok := data[k]; !ok {
				return nil, fmt.Errorf("the profile form at %s has no field %s, so its value could not be kept to put back", m.p.Path, k)
			}
			vals[k] = data.Get(k)
		}
		return vals, nil
	}
	return nil, fmt.Errorf("no form posting to %s on the page it shows, so member a's values could not be kept to put back", m.p.Path)
}

// restoreForm sends the configured fields' original values and checks the
// form shows them again.
func (m massProbe) restoreForm(ctx context.Context, original map[string]any) error {
	if _, err := m.sendValues(ctx, "", original); err != nil {
		return err
	}
	now, err := m.formValues(ctx)
	if err != nil {
		return err
	}
	for k, v := range original {
		if now[k] != v {
			return fmt.Errorf("the profile form shows %s = %q, not the original %q", k, now[k], v)
		}
	}
	return nil
}
