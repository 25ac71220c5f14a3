package authz

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/launchready/launchready/internal/authz"
	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/config"
)

// escalations are the fields a member adds to its own profile update to try
// to become an admin, with the value that would make it one.
var escalations = []escalation{
	{"role", "admin"}, {"is_admin", true}, {"isAdmin", true}, {"admin", true}, {"roles", []string{"admin"}},
	{"is_staff", true}, {"is_superuser", true}, {"permissions", []string{"admin"}}, {"plan", "enterprise"},
}

// MassAssignment is AUTHZ-006: a member cannot grant itself a role or flag
// through its own profile update.
type MassAssignment struct{}

var _ check.Check = MassAssignment{}

// Meta returns the static description.
func (MassAssignment) Meta() check.Meta {
	return check.Meta{
		ID: "AUTHZ-006", Area: check.AreaAuthz, Severity: check.Blocker,
		Impact: check.ImpactAccountTakeover,
		Title:  "A member cannot grant itself a role through a profile update",
		Pass: "Member a sends its profile update (profile:, with a canary in the configured field) plus role: admin, is_admin, " +
			"isAdmin, admin, roles, is_staff, is_superuser, permissions and plan — all together, then each on its own (a portal " +
			"that refuses the whole request for one field it does not know may still bind another); reading the profile back " +
			"after each shows none of those fields changed, and the update applied (or, when every request was refused, the " +
			"plain update shown to work). Any change is reverted at once and read back. A profile that reads back only as " +
			"an HTML page (a form, with its hidden fields sent as a browser sends them) is judged by effect: member a, refused " +
			"the admin's content at the admin: routes before, must still be refused after each update that applied.",
		Why: "Frameworks that bind the request body straight onto the model (mass assignment) let a member send the one field the " +
			"form never shows: role. The update screen is the member's own, so no ownership check stops it.",
		Breaks: "Any member makes itself an administrator with one request and then reads or changes everything.",
		Fix: "Bind an allowlist of fields on every update and never take role, plan or flags from the request:\n" +
			"  Express: const {display_name} = req.body; (not Object.assign(user, req.body))\n" +
			"  Rails: params.require(:user).permit(:display_name); Django REST: read_only_fields = ['role', 'is_staff']\n" +
			"  Prisma/Sequelize: pass only the picked fields to update()\n" +
			"  Supabase: keep roles in app_metadata (service key only), never in user_metadata, and add a row-level security " +
			"policy WITH CHECK that the role column is unchanged",
		Refs:      []string{"ASVS v5.0.0-15.3.3", "API3:2023", "CWE-915"},
		Intrusive: true,
		Needs:     []string{"auth.login", "accounts.a", "profile"},
	}
}

// Run sends the escalating update with every field together, then each
// field on its own, reading the profile back after each and reverting any
// change at once.
func (MassAssignment) Run(ctx context.Context, env *check.Env) check.Result {
	a, err := env.Sessions.Get(ctx, "a")
	if err != nil {
		return check.Errorf("logging in member a: %v", err)
	}
	p := env.Config.Profile
	m := massProbe{env: env, a: a, p: p}
	before, err := m.read(ctx)
	if err != nil {
		return check.Errorf("%v", err)
	}
	if before.fields == nil {
		if p.Form == nil {
			return check.Errorf("%s does not answer with a JSON object, so a role or flag could not be read back: point profile.read "+
				"at the JSON endpoint that returns member a's profile (e.g. /api/me)", p.Read)
		}
		// An HTML profile behind a form: judged by what a role opens.
		return m.byEffect(ctx, before)
	}
	// The revert is journaled before the first write, and runs again at
	// clean-up if the inline one fails (an interrupted run).
	rv, err := m.planRevert(before)
	if err != nil {
		return check.Errorf("%v", err)
	}
	// Put the configured field back whatever happens; a no-op when the
	// last attempt was already reverted.
	defer rv.now(ctx)
	// Together first, then one at a time: a portal that refuses the whole
	// request for one field it does not know (is_admin) may still bind
	// another it does (role).
	attempts := [][]escalation{escalations}
	for _, e := range escalations {
		attempts = append(attempts, []escalation{e})
	}
	var ev []check.Evidence
	var granted []string
	applied := false
	statuses := map[int]int{}
	together := 0
	for i, fields := range attempts {
		at, err := m.attempt(ctx, rv, before, fields, i == 0)
		if err != nil {
			return check.Errorf("%v", err)
		}
		applied = applied || at.applied
		if i == 0 {
			together = at.resp.StatusCode
		} else {
			statuses[at.resp.StatusCode]++
		}
		if len(at.changed) == 0 {
			continue
		}
		restored := rv.now(ctx)
		detail := fmt.Sprintf("Member a's profile update with %s answered %d; reading the profile back (GET %s) shows %s. %s",
			describe(fields), at.resp.StatusCode, p.Read, strings.Join(at.changed, ", "), restored)
		ev = append(ev, check.HTTPEvidence(env, at.resp, detail))
		granted = append(granted, at.changed...)
		if restored != profileRestored {
			break // another attempt would start from an escalated member
		}
	}
	if len(granted) > 0 {
		return check.Failf(ev, "member a granted itself %s through its own profile update", strings.Join(slices.Compact(granted), ", "))
	}
	judged := fmt.Sprintf("judged %d role fields (%s), sent together (status %d) and one at a time (statuses %s)", len(escalations),
		fieldNames(), together, statusCounts(statuses))
	if applied {
		return check.Passf("%s: reading the profile back showed the update applied and none of them changed", judged)
	}
	// Every request may have been refused for its extra fields: prove the
	// plain update works, or nothing was tested.
	plain := authz.NewCanary()
	rv.touch()
	if _, err := m.send(ctx, plain, nil); err != nil {
		return check.Errorf("%v", err)
	}
	again, err := m.read(ctx)
	if err != nil {
		return check.Errorf("%v", err)
	}
	if !bytes.Contains(again.resp.Body, []byte(plain)) {
		return check.Errorf("the configured profile update (%s %s) does not change what %s shows, even without extra fields, so a role "+
			"change could not be read back either: check profile.path, profile.read and the field", p.Method, p.Path, p.Read)
	}
	return check.Passf("%s: every one was refused, while the plain update works", judged)
}

// escalation is one field a member adds to its own update, with the value
// that would make it an admin.
type escalation struct {
	field string
	value any
}

// attemptResult is one escalating update and what reading back showed.
type attemptResult struct {
	resp *client.Response
	// changed lists the fields that now hold the escalating value.
	changed []string
	// applied is true when the update's canary shows: it was processed.
	applied bool
}

// attempt sends the configured update with a fresh canary plus fields and
// reads the profile back. The first write of the check ends the journaled
// creation: from then on the revert runs whatever happens.
func (m massProbe) attempt(ctx context.Context, rv *reverter, before profileState, fields []escalation, first bool) (attemptResult, error) {
	canary := authz.NewCanary()
	rv.touch()
	sendCtx := ctx
	if first {
		sendCtx = rv.cr.Context(ctx)
	}
	resp, err := m.send(sendCtx, canary, fields)
	if first {
		rv.cr.Created(nil, nil) // applied, or maybe applied: the revert runs either way
	}
	if err != nil {
		return attemptResult{}, err
	}
	after, err := m.read(ctx)
	if err != nil {
		return attemptResult{}, err
	}
	return attemptResult{resp: resp, changed: escalated(before.fields, after.fields), applied: bytes.Contains(after.resp.Body, []byte(canary))}, nil
}

// describe names the fields of one attempt.
func describe(fields []escalation) string {
	if len(fields) == 1 {
		return fields[0].field + " alone"
	}
	return "every role field together"
}

// massProbe sends profile updates and reads the profile back.
type massProbe struct {
	env *check.Env
	a   *client.Session
	p   *config.Profile
}

// profileState is one read of the profile.
type profileState struct {
	resp *client.Response
	// fields are the top-level JSON fields (nil for a non-JSON profile).
	fields map[string]any
}

func (m massProbe) read(ctx context.Context) (profileState, error) {
	resp, err := m.a.Do(ctx, &client.Request{URL: urlOf(m.env, m.p.Read), Follow: true})
	if err != nil {
		return profileState{}, fmt.Errorf("reading member a's profile at %s: %w", m.p.Read, err)
	}
	if resp.StatusCode >= 400 || m.env.Sessions.IsLoginURL(resp.URL) {
		return profileState{}, fmt.Errorf("reading member a's profile at %s answered %d", m.p.Read, resp.StatusCode)
	}
	st := profileState{resp: resp}
	var v map[string]any
	if json.Unmarshal(resp.Body, &v) == nil {
		st.fields = v
	}
	return st, nil
}

// send posts the configured update with canary in its fields, plus the
// escalating fields given.
func (m massProbe) send(ctx context.Context, canary string, fields []escalation) (*client.Response, error) {
	extra := make(map[string]any, len(fields))
	for _, e := range fields {
		extra[e.field] = e.value
	}
	return m.sendValues(ctx, canary, extra)
}

// sendValues posts the configured update with canary in its fields and
// extra setting (or replacing) field values.
func (m massProbe) sendValues(ctx context.Context, canary string, extra map[string]any) (*client.Response, error) {
	req, err := m.request(canary, extra)
	if err != nil {
		return nil, err
	}
	if m.p.Form != nil {
		// A form is sent as the member's browser sends it from the page
		// that shows it: with that form's hidden fields (a CSRF token),
		// read afresh for each update.
		if err := m.withPageFields(ctx, req); err != nil {
			return nil, err
		}
	}
	resp, err := m.a.Do(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("member a's profile update (%s %s): %w", m.p.Method, m.p.Path, err)
	}
	return resp, nil
}

// withPageFields adds to a form update the data of the form whose action
// is profile.path on the page a GET of that path shows (where a browser
// finds the form): its hidden fields and button, under the configured and
// extra values.
func (m massProbe) withPageFields(ctx context.Context, req *client.Request) error {
	from, err := m.a.Do(ctx, &client.Request{URL: urlOf(m.env, m.p.Path), Follow: true})
	if err != nil {
		return fmt.Errorf("reading member a's profile page %s for its form: %w", m.p.Path, err)
	}
	page := client.PageAction(from, req.Method, req.URL)
	data, err := url.ParseQuery(string(page.Body))
	if err != nil {
		return fmt.Errorf("the profile page's form data: %w", err)
	}
	mine, err := url.ParseQuery(string(req.Body))
	if err != nil {
		return err
	}
	for k, vs := range mine {
		data[k] = vs
	}
	req.Body, req.Browser = []byte(data.Encode()), page.Browser
	return nil
}

// request builds the update sendValues posts.
func (m massProbe) request(canary string, extra map[string]any) (*client.Request, error) {
	fill := func(v string) string { return strings.ReplaceAll(v, "{{canary}}", canary) }
	req := &client.Request{Method: m.p.Method, URL: urlOf(m.env, m.p.Path), Header: http.Header{}, Browser: client.FromURL(urlOf(m.env, "/"))}
	if m.p.Form != nil {
		v := url.Values{}
		for k, x := range m.p.Form {
			v.Set(k, fill(x))
		}
		for k, x := range extra {
			v.Set(k, formValue(x))
		}
		req.Body = []byte(v.Encode())
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return req, nil
	}
	body := map[string]any{}
	for k, x := range m.p.JSON {
		body[k] = fill(x)
	}
	for k, x := range extra {
		body[k] = x
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	req.Body = b
	req.Header.Set("Content-Type", "application/json")
	return req, nil
}

// configured lists the fields the configured update writes.
func (m massProbe) configured() []string {
	var out []string
	for k := range m.p.JSON {
		out = append(out, k)
	}
	for k := range m.p.Form {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// escalated lists the escalation fields whose read-back value moved to the
// escalating one.
func escalated(before, after map[string]any) []string {
	var out []string
	for _, e := range escalations {
		got, ok := after[e.field]
		if !ok || same(got, before[e.field]) || !grants(got, e.value) {
			continue
		}
		out = append(out, fmt.Sprintf("%s = %s", e.field, show(got)))
	}
	return out
}

// grants reports whether a read-back value is the escalating one (or holds
// it, for lists).
func grants(got, want any) bool {
	switch w := want.(type) {
	case bool:
		b, ok := got.(bool)
		return ok && b == w
	case string:
		s, ok := got.(string)
		return ok && strings.EqualFold(s, w)
	case []string:
		list, ok := got.([]any)
		return ok && slices.ContainsFunc(list, func(x any) bool { s, _ := x.(string); return slices.Contains(w, s) })
	}
	return false
}

func same(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

func show(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func formValue(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []string:
		return strings.Join(x, ",")
	}
	return show(v)
}

func fieldNames() string {
	names := make([]string, len(escalations))
	for i, e := range escalations {
		names[i] = e.field
	}
	return strings.Join(names, ", ")
}
