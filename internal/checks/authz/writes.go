package authz

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/launchready/launchready/internal/authz"
	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/config"
)

// Writes is AUTHZ-002: member b cannot change or delete member a's objects,
// tried only on canary objects a creates in this run.
type Writes struct{}

var _ check.Check = Writes{}

// Meta returns the static description.
func (Writes) Meta() check.Meta {
	return check.Meta{
		ID: "AUTHZ-002", Area: check.AreaAuthz, Severity: check.Blocker,
		Impact: check.ImpactDataExposure,
		Title:  "Member b cannot change or delete member a's objects",
		Pass: "For each object kind with objects[].create and an update or delete request, member a creates a canary object; " +
			"member b sends the update (writing its own marker) and the delete for that object; member a then reads it back and " +
			"finds it unchanged and present. Only objects a created in this run are ever written to; they are deleted at the end.",
		Why: "Write access is checked even less often than read access: the edit form is only shown to the owner, but the API " +
			"behind it accepts any member's request for any ID.",
		Breaks: "Any member can rewrite or delete other members' messages, files or settings — vandalism, fraud, or data loss " +
			"that support cannot undo.",
		Fix: "Apply the ownership check to every write: UPDATE … WHERE id = $1 AND member_id = $2 and answer 404 when no row " +
			"matched; the same for DELETE. In ORMs, load the object through the member (current_user.messages.find(id)) " +
			"before changing it; with Supabase, add row-level security policies for UPDATE and DELETE, not only SELECT.",
		Refs:      []string{"ASVS v5.0.0-8.2.2", "API1:2023", "CWE-639"},
		Intrusive: true,
		Budget:    check.Budget{Objects: authz.MaxCanaryKinds},
		Needs:     []string{"auth.login", "accounts.a", "accounts.b", "objects.create"},
	}
}

// Run tries b's update and delete on a fresh canary of each writable kind.
func (Writes) Run(ctx context.Context, env *check.Env) check.Result {
	a, err := env.Sessions.Get(ctx, "a")
	if err != nil {
		return check.Errorf("logging in member a: %v", err)
	}
	b, err := env.Sessions.Get(ctx, "b")
	if err != nil {
		return check.Errorf("logging in member b: %v", err)
	}
	t := &check.Table{Title: "Writes by member b on member a's canary objects", Columns: []string{"update by member b", "delete by member b"}}
	var ev []check.Evidence
	var broken, tested []string
	for i := range env.Config.Objects {
		o := &env.Config.Objects[i]
		if o.Create == nil || o.Item == "" || (o.Update == nil && o.Delete == nil) || len(tested) >= authz.MaxCanaryKinds {
			continue
		}
		w := writeProbe{env: env, a: a, b: b, o: o}
		row, found, err := w.run(ctx)
		if err != nil {
			r := check.Errorf("%s: %v", o.Name, err)
			r.Table = t
			return r
		}
		tested = append(tested, o.Name)
		t.Rows = append(t.Rows, row)
		if len(found) > 0 {
			broken = append(broken, o.Name)
			ev = append(ev, found...)
		}
	}
	if len(tested) == 0 {
		return check.Skipped("no object kind has both a create request and an update or delete request",
			`objects[].create, plus objects[].update or objects[].delete (e.g. update: {path: "/api/notes/{id}", json: {body: "{{canary}}"}})`)
	}
	if len(broken) > 0 {
		r := check.Failf(ev, "member b changed or deleted member a's %s", strings.Join(broken, ", "))
		r.Table = t
		return r
	}
	r := check.Passf("judged %d canary %s (%s) × member b's writes (the configured update and delete): member a read each back "+
		"unchanged and present", len(tested), plural(len(tested), "object", "objects"), strings.Join(tested, ", "))
	r.Table = t
	return r
}

// writeProbe is one kind's write test.
type writeProbe struct {
	env  *check.Env
	a, b *client.Session
	o    *config.Object
}

// run creates the canary, then tries b's update and delete, each judged by
// a's read-back.
func (w writeProbe) run(ctx context.Context) (check.TableRow, []check.Evidence, error) {
	tpl := authz.Template{Raw: urlOf(w.env, w.o.Item), Via: "path"}
	c, err := authz.Create(ctx, w.env, w.a, w.o, tpl)
	if err != nil {
		return check.TableRow{}, nil, fmt.Errorf("creating a canary object as member a: %w", err)
	}
	item := tpl.Fill(c.ID)
	row := check.TableRow{Label: fmt.Sprintf("%s %s (canary %s)", w.o.Name, c.ID, c.Canary), Cells: []string{"not configured", "not configured"}}
	before, err := w.a.Do(ctx, &client.Request{URL: item, Follow: true})
	if err != nil {
		return row, nil, err
	}
	if !bytes.Contains(before.Body, []byte(c.Canary)) {
		return row, nil, fmt.Errorf("member a's own read of the new object (GET %s, status %d) does not show its canary, so changes cannot be read back", item, before.StatusCode)
	}
	var ev []check.Evidence
	marks := []string{c.Canary}
	if w.o.Update != nil {
		mark := authz.NewCanary()
		cell, e, err := w.try(ctx, w.o.Update, c.ID, mark, item, func(body []byte) bool { return bytes.Contains(body, []byte(mark)) },
			"Member b's update of member a's object went through: member a now reads member b's marker "+mark+" in it.")
		if err != nil {
			return row, nil, err
		}
		row.Cells[0] = cell
		marks = append(marks, mark)
		ev = append(ev, e...)
	}
	if w.o.Delete != nil {
		gone := func(body []byte) bool {
			for _, m := range marks {
				if bytes.Contains(body, []byte(m)) {
					return false
				}
			}
			return true
		}
		cell, e, err := w.try(ctx, w.o.Delete, c.ID, "", item, gone,
			"Member b's delete of member a's object went through: member a's own read no longer finds it.")
		if err != nil {
			return row, nil, err
		}
		row.Cells[1] = cell
		ev = append(ev, e...)
	}
	return row, ev, nil
}

// try sends one of b's writes and reads the object back as a; changed
// judges a's read-back. Before counting a vanished object, a's session is
// re-checked so a lost session is not mistaken for a delete.
func (w writeProbe) try(ctx context.Context, wr *config.Write, id, mark, item string, changed func([]byte) bool, what string) (string, []check.Evidence, error) {
	req, err := authz.WriteRequest(w.env.Sessions.Config().Origin, wr, id, mark)
	if err != nil {
		return "", nil, err
	}
	// a's object: its address holds a's {{self.id}}, not b's.
	if req.URL, err = w.a.FillPath(ctx, req.URL); err != nil {
		return "", nil, err
	}
	resp, err := w.b.Do(ctx, req)
	if err != nil {
		return "", nil, fmt.Errorf("member b's %s %s: %w", req.Method, wr.Path, err)
	}
	back, err := w.a.Do(ctx, &client.Request{URL: item, Follow: true})
	if err != nil {
		return "", nil, fmt.Errorf("member a reading the object back: %w", err)
	}
	if !changed(back.Body) {
		return fmt.Sprintf("refused (%d)", resp.StatusCode), nil, nil
	}
	if lost, err := w.aLost(ctx); err != nil || lost != "" {
		if err == nil {
			err = fmt.Errorf("%s", lost)
		}
		return "", nil, err
	}
	ev := check.HTTPEvidence(w.env, resp, fmt.Sprintf("%s Member b's request answered %d; member a's read-back (GET %s) answered %d.",
		what, resp.StatusCode, w.env.Client.Redactor().Redact(item), back.StatusCode))
	verb := "changed"
	if mark == "" {
		verb = "deleted"
	}
	return fmt.Sprintf("%s (%d)", verb, resp.StatusCode), []check.Evidence{ev}, nil
}

// aLost re-checks member a's session on the first protected page.
func (w writeProbe) aLost(ctx context.Context) (string, error) {
	prot := w.env.Config.Auth.Protected
	if len(prot) == 0 {
		return "", nil
	}
	resp, err := w.a.Do(ctx, &client.Request{URL: urlOf(w.env, prot[0]), Follow: true})
	if err != nil {
		return "", err
	}
	if resp.StatusCode == 401 || resp.StatusCode == 403 || w.env.Sessions.IsLoginURL(resp.URL) {
		return fmt.Sprintf("member a's session no longer opens %s: the read-back proves nothing", prot[0]), nil
	}
	return "", nil
}

// urlOf resolves a config path against the target, keeping {id} as is.
func urlOf(env *check.Env, path string) string {
	return strings.TrimSuffix(env.Sessions.Config().Origin.String(), "/") + path
}
