package baas

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
	"github.com/launchready/launchready/internal/journal"
)

// judgement is what a table or bucket probe proved.
type judgement int

const (
	notJudged judgement = iota
	protected
	leaked
)

// ownerColumns are the usual names of the column holding the owner's
// user id, in the order tried.
var ownerColumns = []string{"user_id", "owner_id", "owner", "profile_id"}

// rowResult is one table's or bucket's line of the result.
type rowResult struct {
	kind, name string
	// cells are the anonymous, member a and member b columns.
	cells [3]string
	j     judgement
	// why says how it was judged, or why it was not.
	why string
	// byB and byAnon are how many of a's rows (or files) b and anonymous
	// saw; -1 when they saw a listing without a count.
	byB, byAnon int
	ev          []check.Evidence
}

// probeTable counts a table as the three identities and judges it by a
// canary row (with consent) or by a's rows through its owner column.
func (p *prober) probeTable(ctx context.Context, t tableInfo) (rowResult, error) {
	r := rowResult{kind: "table", name: t.name}
	var totals [3]count
	for _, w := range []who{anon, memberA, memberB} {
		c, err := p.countRows(ctx, w, t.name, nil)
		if err != nil {
			return r, err
		}
		totals[w] = c
	}
	for w := range totals {
		r.cells[w] = totals[w].String() + " rows"
	}
	if totals[memberA].status == http.StatusNotFound {
		r.why = "not in the Data API (404 for member a)"
		return r, nil
	}
	owner := ownerColumn(t.cols)
	var ownerF url.Values
	var ownerHow string
	var err error
	if t.cols == nil {
		// No OpenAPI columns: find the owner column first, so that the
		// canary row can name it.
		if ownerF, ownerHow, err = p.ownerFilter(ctx, t, owner); err != nil {
			return r, err
		}
		for col := range ownerF {
			owner = col
		}
	}
	filter, how, err := p.canaryRow(ctx, t, owner)
	if err != nil {
		return r, err
	}
	if filter == nil && ownerF == nil && t.cols != nil {
		if ownerF, ownerHow, err = p.ownerFilter(ctx, t, owner); err != nil {
			return r, err
		}
	}
	if filter == nil {
		filter, how = ownerF, ownerHow
	}
	if filter == nil {
		r.why = how
		return r, nil
	}
	var ofA [3]count
	for _, w := range []who{memberA, memberB, anon} {
		if ofA[w], err = p.countRows(ctx, w, t.name, filter); err != nil {
			return r, err
		}
		r.cells[w] = fmt.Sprintf("%s rows, %s of a's", totals[w], ofA[w])
	}
	if !ofA[memberA].ok || ofA[memberA].n == 0 {
		r.why = fmt.Sprintf("member a counts none of its own rows by %s, so nothing could be compared", how)
		return r, nil
	}
	p.judge(&r, ofA, how)
	return r, nil
}

// judge turns the counts of a's rows into a judgement with evidence.
func (p *prober) judge(r *rowResult, ofA [3]count, how string) {
	r.byB, r.byAnon = countOf(ofA[memberB]), countOf(ofA[anon])
	if r.byB == 0 && r.byAnon == 0 && ofA[memberB].none() && ofA[anon].none() {
		r.j, r.why = protected, "b and anonymous count none of a's rows ("+how+")"
		return
	}
	if r.byB == 0 && r.byAnon == 0 {
		r.why = fmt.Sprintf("the counts of a's rows as b (%s) and anonymous (%s) were not answered", ofA[memberB], ofA[anon])
		return
	}
	r.j, r.why = leaked, how
	for _, w := range []who{memberB, anon} {
		if c := ofA[w]; c.ok && c.n > 0 {
			detail := fmt.Sprintf("As %s, HEAD on %s with Prefer: count=exact (%s) counts %d of member a's %d rows (Content-Range %s). "+
				"Only the count was read; no row was copied.", whoNames[w], r.name, how, c.n, ofA[memberA].n, c.resp.Header.Get("Content-Range"))
			r.ev = append(r.ev, check.HTTPEvidence(p.env, c.resp, detail))
		}
	}
}

func countOf(c count) int {
	if c.ok {
		return c.n
	}
	return 0
}

// ownerColumn picks the owner column from the table's columns: a usual
// name, else its only uuid column other than id.
func ownerColumn(cols map[string]string) string {
	for _, c := range ownerColumns {
		if _, ok := cols[c]; ok {
			return c
		}
	}
	var uuids []string
	for c, f := range cols {
		if c != "id" && f == "uuid" {
			uuids = append(uuids, c)
		}
	}
	if len(uuids) == 1 {
		return uuids[0]
	}
	return ""
}

// ownerFilter is the filter on a's rows by the owner column. Without the
// OpenAPI columns the usual names are tried as member a (an unknown
// column is 400).
func (p *prober) ownerFilter(ctx context.Context, t tableInfo, owner string) (url.Values, string, error) {
	candidates := []string{owner}
	if t.cols == nil {
		candidates = ownerColumns
	} else if owner == "" {
		return nil, "not judged: no owner column (" + joinKeys(t.cols) + "), and without --intrusive no canary row was planted", nil
	}
	for _, col := range candidates {
		f := url.Values{col: {"eq." + p.uid}}
		c, err := p.countRows(ctx, memberA, t.name, f)
		if err != nil {
			return nil, "", err
		}
		if c.ok {
			return f, fmt.Sprintf("a's rows by %s = a's user id", col), nil
		}
	}
	return nil, "not judged: no owner column found (tried " + joinList(candidates) + "), and without --intrusive no canary row was planted", nil
}

// canaryRow has member a insert a canary row (only with consent) and
// returns the filter that finds it; it is deleted as a at the end. A
// refused insert is no error: the owner column is used instead.
func (p *prober) canaryRow(ctx context.Context, t tableInfo, owner string) (url.Values, string, error) {
	if ok, _ := p.env.MayWrite(ctx, p.base+"/"); !ok || p.canaries >= maxCanaries {
		return nil, "", nil
	}
	canary := authz.NewCanary()
	body := map[string]any{}
	textCol := ""
	for _, c := range sortedKeys(t.cols) {
		switch f := t.cols[c]; {
		case c == owner || c == "id":
		case f == "text" || f == "character varying":
			body[c] = canary
			if textCol == "" {
				textCol = c
			}
		}
	}
	if owner != "" {
		body[owner] = p.uid
	}
	sel := "id"
	if _, hasID := t.cols["id"]; t.cols != nil && !hasID {
		sel = textCol
	}
	if len(body) == 0 || sel == "" {
		return nil, "", nil
	}
	raw, _ := json.Marshal(body) // strings only
	filter := url.Values{textCol: {"eq." + canary}}
	// Journaled before the insert, with the delete that finds the row by
	// its canary when a text column holds one.
	var undo *journal.Request
	if textCol != "" {
		undo = check.UndoRequest(p.deleteRow(t.name, filter), "")
	}
	cr, err := p.env.Plan(check.Undo{What: "member a's canary row in Supabase table " + t.name + " (canary " + canary + ")",
		As: "a", Platform: "supabase", Request: undo})
	if err != nil {
		return nil, "", err
	}
	resp, err := p.do(cr.Context(ctx), memberA, &client.Request{Method: http.MethodPost,
		URL:    p.base + "/rest/v1/" + url.PathEscape(t.name) + "?select=" + url.QueryEscape(sel),
		Header: http.Header{"Content-Type": {"application/json"}, "Prefer": {"return=representation"}}, Body: raw})
	if err != nil {
		cr.Unsure(err)
		return nil, "", err
	}
	if resp.StatusCode != http.StatusCreated {
		cr.Refused(fmt.Sprintf("the insert answered %d", resp.StatusCode))
		return nil, "", nil
	}
	how := fmt.Sprintf("a canary row a inserted, by %s", textCol)
	if sel == "id" {
		var rows []map[string]json.RawMessage
		if json.Unmarshal(resp.Body, &rows) != nil || len(rows) != 1 || rows[0]["id"] == nil {
			err := fmt.Errorf("member a's canary insert answered 201 without its id: %.200s", resp.Body)
			if undo != nil {
				cr.Created(nil, p.deleteLater(t.name, filter))
			} else {
				cr.Unsure(err)
			}
			return nil, "", err
		}
		id := string(bytes.Trim(rows[0]["id"], `"`))
		filter, how = url.Values{"id": {"eq." + id}}, "a canary row a inserted (id "+id+")"
	}
	p.canaries++
	cr.Created(check.UndoRequest(p.deleteRow(t.name, filter), ""), p.deleteLater(t.name, filter))
	return filter, how, nil
}

// deleteRow is the request that deletes the rows filter finds.
func (p *prober) deleteRow(table string, filter url.Values) *client.Request {
	return &client.Request{Method: http.MethodDelete, URL: p.base + "/rest/v1/" + url.PathEscape(table) + "?" + filter.Encode(),
		Header: http.Header{"Prefer": {"return=minimal"}}}
}

// deleteLater deletes a's canary row as a when the scan ends.
func (p *prober) deleteLater(table string, filter url.Values) func(context.Context) error {
	a, req := p.a, p.deleteRow(table, filter)
	return func(ctx context.Context) error {
		resp, err := a.Do(ctx, req)
		if err != nil {
			return err
		}
		if resp.StatusCode >= 300 {
			return fmt.Errorf("DELETE answered %d", resp.StatusCode)
		}
		return nil
	}
}

func joinKeys(m map[string]string) string { return joinList(sortedKeys(m)) }

func joinList(s []string) string {
	s = slices.Clone(s)
	slices.Sort(s)
	return strings.Join(s, ", ")
}
