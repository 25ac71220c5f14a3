package authz

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/config"
	"github.com/launchready/launchready/internal/journal"
)

// canaryPrefix starts every canary, so a person reading the portal's data
// knows where it came from.
const canaryPrefix = "lrcanary"

// NewCanary returns a unique marker.
func NewCanary() string { return canaryPrefix + randomHex(10) }

// Canary is an object member a created in this run.
type Canary struct {
	Kind, ID, Canary string
	// Response is the create request's answer.
	Response *client.Response
}

// WriteRequest builds a configured write with {{canary}} replaced and {id}
// filled in, sent with the headers of the member's browser.
func WriteRequest(origin *url.URL, w *config.Write, id, canary string) (*client.Request, error) {
	path := w.Path
	if id != "" {
		path = strings.Replace(path, "{id}", url.PathEscape(id), 1)
	}
	ref, err := url.Parse(path)
	if err != nil {
		return nil, fmt.Errorf("write path %q: %w", w.Path, err)
	}
	// Sent as the member's browser would, from the portal's front page:
	// a framework refuses a form POST without its Origin.
	req := &client.Request{Method: w.Method, URL: origin.ResolveReference(ref).String(), Header: http.Header{},
		Browser: client.FromURL(origin.ResolveReference(&url.URL{Path: "/"}).String())}
	fill := func(v string) string { return strings.ReplaceAll(v, "{{canary}}", canary) }
	switch {
	case w.JSON != nil:
		m := make(map[string]string, len(w.JSON))
		for k, v := range w.JSON {
			m[k] = fill(v)
		}
		b, err := json.Marshal(m)
		if err != nil {
			return nil, err
		}
		req.Body = b
		req.Header.Set("Content-Type", "application/json")
	case w.Form != nil:
		v := url.Values{}
		for k, x := range w.Form {
			v.Set(k, fill(x))
		}
		req.Body = []byte(v.Encode())
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return req, nil
}

// Create makes a canary object of a kind as member a and registers its
// deletion for the end of the scan. The object is journaled before the
// create is sent; the create runs to its answer even when the run is
// interrupted, and the delete request that answer makes possible (the new
// ID comes from the response's JSON, the kind's id_field, or its Location
// header) is journaled with it.
func Create(ctx context.Context, env *check.Env, a *client.Session, o *config.Object, t Template) (*Canary, error) {
	canary := NewCanary()
	origin := env.Sessions.Config().Origin
	req, err := WriteRequest(origin, o.Create, "", canary)
	if err != nil {
		return nil, err
	}
	what := fmt.Sprintf("%s created by member a (canary %s)", o.Name, canary)
	cr, err := env.Plan(check.Undo{What: what, As: a.Account})
	if err != nil {
		return nil, err
	}
	resp, err := a.Do(cr.Context(ctx), req)
	if err != nil {
		cr.Unsure(err)
		return nil, err
	}
	if !okStatus(resp.StatusCode) && !client.IsRedirect(resp.StatusCode) {
		cr.Refused(fmt.Sprintf("%s %s answered %d", req.Method, o.Create.Path, resp.StatusCode))
		return nil, fmt.Errorf("%s %s answered %d", req.Method, o.Create.Path, resp.StatusCode)
	}
	id := createdID(resp, o.IDField, t)
	if id == "" {
		err := fmt.Errorf("%s %s answered %d but named no new ID (no %q field in its JSON, no Location header)",
			req.Method, o.Create.Path, resp.StatusCode, o.IDField)
		cr.Unsure(err)
		return nil, err
	}
	var undo *journal.Request
	if o.Delete != nil {
		if del, err := WriteRequest(origin, o.Delete, id, ""); err == nil {
			undo = check.UndoRequest(del, "")
		}
	}
	cr.Created(undo, func(ctx context.Context) error { return DeleteObject(ctx, env, a, o, id) })
	return &Canary{Kind: o.Name, ID: id, Canary: canary, Response: resp}, nil
}

// DeleteObject deletes one of a's objects with the configured delete
// request; an object already gone counts as deleted.
func DeleteObject(ctx context.Context, env *check.Env, a *client.Session, o *config.Object, id string) error {
	if o.Delete == nil {
		return fmt.Errorf("no objects[].delete configured for %s: delete it by hand", o.Name)
	}
	req, err := WriteRequest(env.Sessions.Config().Origin, o.Delete, id, "")
	if err != nil {
		return err
	}
	resp, err := a.Do(ctx, req)
	if err != nil {
		return err
	}
	if okStatus(resp.StatusCode) || resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone {
		return nil
	}
	return fmt.Errorf("%s %s answered %d", req.Method, o.Delete.Path, resp.StatusCode)
}

// createdID finds the new object's ID in a create response.
func createdID(resp *client.Response, idField string, t Template) string {
	if isJSON(resp) {
		var v any
		if json.Unmarshal(resp.Body, &v) == nil {
			// Prefer the top level; then the first object holding the field.
			if m, ok := v.(map[string]any); ok {
				if id := scalarAny(m[idField]); id != "" {
					return id
				}
			}
			found := ""
			walkJSON(v, 0, func(m map[string]any) {
				if found == "" {
					found = scalarAny(m[idField])
				}
			})
			if found != "" {
				return found
			}
		}
	}
	for _, h := range resp.Hops {
		if loc := h.Header.Get("Location"); loc != "" {
			if id := t.Match(h.Location); id != "" {
				return id
			}
			if u, err := url.Parse(loc); err == nil {
				segs := strings.Split(strings.TrimSuffix(u.Path, "/"), "/")
				if last := segs[len(segs)-1]; LooksLikeID(last) {
					return last
				}
			}
		}
	}
	return ""
}

// scalarAny renders a string or a float64 number (json.Unmarshal's) as an ID.
func scalarAny(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		if x == float64(int64(x)) {
			return fmt.Sprintf("%d", int64(x))
		}
	}
	return ""
}
