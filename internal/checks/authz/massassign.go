package authz

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/launchready/launchready/internal/authz"
	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/config"
)

// escalations are the fields a member adds to its own profile update to try
// to become an admin, with the value that would make it one.
var escalations = []struct {
	field string
	value any
}{
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
		Title: "A member cannot grant itself a role through a profile update",
		Pass: "Member a sends its profile update (profile:, with a canary in the configured field) plus role: admin, is_admin, " +
			"isAdmin, admin, roles, is_staff, is_superuser, permissions and plan; reading the profile back shows the canary " +
			"applied (or the whole request refused) and none of those fields changed. Any change is reverted at once.",
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

// Run sends the escalating update, reads the profile back, and reverts.
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
		return check.Errorf("%s does not answer with a JSON object, so a role or flag could not be read back: point profile.read "+
			"at the JSON endpoint that returns member a's profile (e.g. /api/me)", p.Read)
	}
	// The revert is journaled before the first write, and runs again at
	// clean-up if the inline one fails (an interrupted run).
	rv, err := m.planRevert(before)
	if err != nil {
		return check.Errorf("%v", err)
	}
	canary := authz.NewCanary()
	resp, err := m.send(rv.cr.Context(ctx), canary, true, nil)
	rv.cr.Created(nil, nil) // applied, or maybe applied: the revert runs either way
	if err != nil {
		return check.Errorf("%v", err)
	}
	after, err := m.read(ctx)
	if err != nil {
		return check.Errorf("%v", err)
	}
	changed := escalated(before.fields, after.fields)
	applied := bytes.Contains(after.resp.Body, []byte(canary))
	if len(changed) > 0 {
		restored := rv.now(ctx)
		detail := fmt.Sprintf("Member a's profile update with extra fields answered %d; reading the profile back (GET %s) shows %s. %s",
			resp.StatusCode, p.Read, strings.Join(changed, ", "), restored)
		return check.Failf([]check.Evidence{check.HTTPEvidence(env, resp, detail)},
			"member a granted itself %s through its own profile update", strings.Join(changed, ", "))
	}
	// Put the configured field back whatever happened.
	defer rv.now(ctx)
	if applied {
		return check.Passf("member a's profile update applied the canary but ignored every role field (%s)", fieldNames())
	}
	// The whole request may have been refused for its extra fields: prove
	// the plain update works, or nothing was tested.
	plain := authz.NewCanary()
	if _, err := m.send(ctx, plain, false, nil); err != nil {
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
	return check.Passf("member a's profile update with role fields was refused (%d) while the plain update works", resp.StatusCode)
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
// escalating fields when escalate; override replaces field values (used to
// revert).
func (m massProbe) send(ctx context.Context, canary string, escalate bool, override map[string]any) (*client.Response, error) {
	req, err := m.request(canary, escalate, override)
	if err != nil {
		return nil, err
	}
	resp, err := m.a.Do(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("member a's profile update (%s %s): %w", m.p.Method, m.p.Path, err)
	}
	return resp, nil
}

// request builds the update send posts.
func (m massProbe) request(canary string, escalate bool, override map[string]any) (*client.Request, error) {
	fill := func(v string) string { return strings.ReplaceAll(v, "{{canary}}", canary) }
	req := &client.Request{Method: m.p.Method, URL: urlOf(m.env, m.p.Path), Header: http.Header{}, Browser: client.FromURL(urlOf(m.env, "/"))}
	if m.p.Form != nil {
		v := url.Values{}
		for k, x := range m.p.Form {
			v.Set(k, fill(x))
		}
		if escalate {
			for _, e := range escalations {
				v.Set(e.field, formValue(e.value))
			}
		}
		for k, x := range override {
			v.Set(k, formValue(x))
		}
		req.Body = []byte(v.Encode())
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		body := map[string]any{}
		for k, x := range m.p.JSON {
			body[k] = fill(x)
		}
		if escalate {
			for _, e := range escalations {
				body[e.field] = e.value
			}
		}
		for k, x := range override {
			body[k] = x
		}
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		req.Body = b
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// profileRestored is revert's message when it worked.
const profileRestored = "Member a's profile was restored."

// reverter runs the profile's revert once: inline, or at clean-up when
// the inline one failed.
type reverter struct {
	m      massProbe
	before profileState
	cr     *check.Creation

	mu   sync.Mutex
	done bool
}

// planRevert journals the revert (the update sending the original values
// back, as member a) before any write.
func (m massProbe) planRevert(before profileState) (*reverter, error) {
	req, err := m.request("", false, m.original(before))
	if err != nil {
		return nil, err
	}
	rv := &reverter{m: m, before: before}
	rv.cr, err = m.env.Plan(check.Undo{What: "member a's profile (" + m.p.Method + " " + m.p.Path + "), changed by AUTHZ-006", As: m.a.Account,
		Request: check.UndoRequest(req, ""), Run: rv.run})
	return rv, err
}

// now reverts unless that was done, and says how it went.
func (rv *reverter) now(ctx context.Context) string {
	rv.mu.Lock()
	defer rv.mu.Unlock()
	if rv.done {
		return profileRestored
	}
	msg := rv.m.revert(ctx, rv.before)
	rv.done = msg == profileRestored
	return msg
}

func (rv *reverter) run(ctx context.Context) error {
	if msg := rv.now(ctx); msg != profileRestored {
		return errors.New(msg)
	}
	return nil
}

// original is the override that sends the profile's original values back:
// the configured fields, and every escalation field (false for a flag it
// did not have).
func (m massProbe) original(before profileState) map[string]any {
	override := map[string]any{}
	for k := range m.p.JSON {
		if v, ok := before.fields[k]; ok {
			override[k] = v
		}
	}
	for _, e := range escalations {
		if v, ok := before.fields[e.field]; ok {
			override[e.field] = v
		} else if _, isBool := e.value.(bool); isBool {
			override[e.field] = false
		}
	}
	return override
}

// revert sends the profile's original values back (the configured fields
// and any escalated one) and says whether it worked.
func (m massProbe) revert(ctx context.Context, before profileState) string {
	if before.fields == nil {
		return "The profile is not JSON, so it could not be restored automatically: check member a's role by hand."
	}
	if _, err := m.send(ctx, "", false, m.original(before)); err != nil {
		return "Restoring member a's profile failed (" + err.Error() + "): reset its role by hand."
	}
	now, err := m.read(ctx)
	if err != nil || len(escalated(before.fields, now.fields)) > 0 {
		return "Member a could not be restored: it still holds the escalated fields; reset its role by hand."
	}
	return profileRestored
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
