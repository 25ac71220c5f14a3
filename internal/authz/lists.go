package authz

import (
	"cmp"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/config"
)

// ListRow is one configured list replayed as b and anonymously: a list
// that shows them a's objects (their IDs, or what only a's copy shows)
// leaks as surely as the objects' own pages.
type ListRow struct {
	Kind  *Kind
	Cells []ListCell
}

// Cell returns the row's cell for an identity.
func (r ListRow) Cell(identity string) ListCell {
	for _, c := range r.Cells {
		if c.Identity == identity {
			return c
		}
	}
	return ListCell{Cell: Cell{Identity: identity, State: Failed, Err: "not replayed"}}
}

// Label names the list in reports.
func (r ListRow) Label() string { return fmt.Sprintf("%s list (GET %s)", r.Kind.Name, r.Kind.List) }

// ListCell is one identity's read of a list.
type ListCell struct {
	Cell
	// Shown names a's objects the list showed ("notes 12"), By how: their
	// ID in the list's id field or links, or a's markers.
	Shown, By []string
}

// listed returns the reads of a kind a list must not show to an identity,
// or why there are none. Anonymous visitors may see no member's object.
// For b, an object both members' lists show is a's only when the portal
// refuses b the object itself (or a created it in this run): otherwise it
// may be b's own.
func (m *Matrix) listed(k *Kind, identity string) ([]*Read, string) {
	var out []*Read
	n := 0
	for _, row := range m.Rows {
		r := row.Read
		if r.Kind != k.Name {
			continue
		}
		n++
		if identity == Other && r.Shared && !r.Created && row.Cell(Other).State != Denied {
			continue
		}
		out = append(out, r)
	}
	if n == 0 {
		return nil, "no object of member a's of this kind was judged, so there is nothing to look for in it"
	}
	return out, "member b's own list shows each of a's objects of this kind too, and b opens them: they may be b's"
}

// judgeList searches every hop of a list response (login pages left out)
// for reads' IDs, as the list's id field or links name them, and for
// their markers.
// With no reads, the cell is not judged, for the reason none gives.
func judgeList(identity string, k *Kind, reads []*Read, none string, resp *client.Response, err error, skip func(client.Hop) bool) ListCell {
	c := ListCell{Cell: Cell{Identity: identity, Response: resp.WithoutBodies()}}
	if resp != nil {
		c.Status = resp.StatusCode
	}
	if len(reads) == 0 {
		c.State, c.Err = NotJudged, none
		return c
	}
	idField := config.DefaultIDField
	if k.Object != nil {
		idField = k.Object.IDField
	}
	var cut error
	for i, h := range hopsOf(resp) {
		if skip != nil && skip(h) {
			continue
		}
		u, _ := url.Parse(h.URL)
		ids, ierr := idsIn(&client.Response{URL: u, Body: h.Body}, idField, k.Template)
		cut = cmp.Or(cut, ierr)
		listed := setOf(ids)
		for _, r := range reads {
			var how []string
			quote := ""
			if listed[r.ID] {
				how = append(how, "its ID "+r.ID)
				quote = excerptToken(h.Body, r.ID)
			}
			matched, ferr := r.Markers.Find(h.Body)
			cut = cmp.Or(cut, ferr)
			if r.Markers.Proves(matched) {
				how = append(how, "values only a's copy shows: "+quoteAll(matched, 2))
				quote = excerpt(h.Body, matched[0])
				c.Matched = append(c.Matched, matched...)
			}
			if len(how) == 0 || slices.Contains(c.Shown, r.Kind+" "+r.ID) {
				continue
			}
			c.Shown = append(c.Shown, r.Kind+" "+r.ID)
			c.By = append(c.By, strings.Join(how, " and "))
			if c.State != Leaked {
				c.State, c.Hop, c.Excerpt = Leaked, i, quote
			}
		}
	}
	switch {
	case c.State == Leaked:
	case err != nil:
		c.State, c.Err = Failed, err.Error()
	case cut != nil:
		c.State, c.Err = Failed, "the list was not read to its end: "+cut.Error()
	default:
		c.State = Denied
	}
	return c
}

func hopsOf(resp *client.Response) []client.Hop {
	if resp == nil {
		return nil
	}
	return resp.Hops
}

// Evidence describes a leaking list cell: the request, the status, a's
// objects it showed and how, and an excerpt.
func (c ListCell) Evidence(env *check.Env, k *Kind) check.Evidence {
	h := c.Response.Hops[c.Hop]
	parts := make([]string, len(c.Shown))
	for i := range c.Shown {
		parts[i] = c.Shown[i] + " (" + c.By[i] + ")"
	}
	whose := "member a's objects"
	if c.Identity == Other {
		whose += ", which the portal refuses member b when asked for them by ID or which a created in this run"
	}
	detail := fmt.Sprintf("%s asked for the %s list (GET %s) and the portal answered %d with %s: %s. Excerpt: %s",
		strings.ToUpper(c.Identity[:1])+c.Identity[1:], k.Name, env.Client.Redactor().Redact(k.List), h.Status, whose,
		strings.Join(parts, "; "), c.Excerpt)
	return check.HopEvidence(env, c.Response, h, detail)
}
