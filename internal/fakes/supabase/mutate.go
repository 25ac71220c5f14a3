package supabase

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
)

// POST, PATCH and DELETE on a table; every function here runs under s.mu.
// A write is checked whole before any row changes, as one statement would.

func invalidJSON() *apiError {
	return pgError(http.StatusBadRequest, "PGRST102", "Empty or invalid json", nil, nil)
}

func (t *table) unknownColumn(col string) *apiError {
	return pgError(http.StatusBadRequest, "PGRST204", fmt.Sprintf("Could not find the '%s' column of '%s' in the schema cache", col, t.name), nil, nil)
}

func (t *table) duplicateKey(id any) *apiError {
	return pgError(http.StatusConflict, "23505", fmt.Sprintf("duplicate key value violates unique constraint \"%s_pkey\"", t.name),
		fmt.Sprintf("Key (id)=(%s) already exists.", textOf(id)), nil)
}

func (t *table) nullID() *apiError {
	return pgError(http.StatusBadRequest, "23502", fmt.Sprintf("null value in column \"id\" of relation \"%s\" violates not-null constraint", t.name), nil, nil)
}

func (t *table) ids(skip map[int]bool) map[string]bool {
	out := map[string]bool{}
	for i, r := range t.rows {
		if !skip[i] {
			out[textOf(r["id"])] = true
		}
	}
	return out
}

// payload reads an insert body: one object or an array of objects with
// the same keys (or any keys, projected on ?columns=).
func (t *table) payload(body []byte, columns []string) ([]map[string]any, *apiError) {
	var v any
	if err := decodeJSON(body, &v); err != nil || v == nil {
		return nil, invalidJSON()
	}
	var objs []map[string]any
	switch v := v.(type) {
	case map[string]any:
		objs = append(objs, v)
	case []any:
		for _, e := range v {
			m, ok := e.(map[string]any)
			if !ok {
				return nil, invalidJSON()
			}
			objs = append(objs, m)
		}
	default:
		return nil, invalidJSON()
	}
	if columns != nil {
		for _, c := range columns {
			if !t.has(c) {
				return nil, t.unknownColumn(c)
			}
		}
		for i, o := range objs {
			objs[i] = maps.Collect(func(yield func(string, any) bool) {
				for _, c := range columns {
					if v, ok := o[c]; ok && !yield(c, v) {
						return
					}
				}
			})
		}
		return objs, nil
	}
	for _, o := range objs {
		if !slices.Equal(slices.Sorted(maps.Keys(o)), slices.Sorted(maps.Keys(objs[0]))) {
			return nil, pgError(http.StatusBadRequest, "PGRST102", "All object keys must match", nil, nil)
		}
		for k := range o {
			if !t.has(k) {
				return nil, t.unknownColumn(k)
			}
		}
	}
	return objs, nil
}

// coerceAll casts an object's values to the columns' types.
func (t *table) coerceAll(obj map[string]any) (map[string]any, *apiError) {
	out := make(map[string]any, len(obj))
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		if !t.has(k) {
			return nil, t.unknownColumn(k)
		}
		v, fail := t.types[k].coerce(obj[k])
		if fail != nil {
			return nil, fail
		}
		out[k] = v
	}
	return out, nil
}

func (s *Server) insert(req *tableReq, body []byte) result {
	t, pol := req.t, s.policy(req)
	objs, fail := t.payload(body, req.q.columns)
	if fail != nil {
		return failed(fail)
	}
	taken := t.ids(nil)
	var fresh []map[string]any
	for _, obj := range objs {
		row, fail := t.coerceAll(obj)
		if fail != nil {
			return failed(fail)
		}
		if v, ok := row["id"]; !ok {
			row["id"] = t.newID()
		} else if v == nil {
			return failed(t.nullID())
		}
		if _, ok := row[t.owner]; !ok && req.p.uid != "" {
			row[t.owner] = req.p.uid // the column's default, auth.uid()
		}
		if !pol.canModify(row) {
			return failed(pol.violation())
		}
		id := textOf(row["id"])
		if taken[id] {
			return failed(t.duplicateKey(row["id"]))
		}
		taken[id] = true
		fresh = append(fresh, row)
	}
	if len(t.rows)+len(fresh) > maxTableRows {
		return failed(pgError(http.StatusInternalServerError, "54000",
			fmt.Sprintf("the Supabase fake holds at most %d rows per table", maxTableRows), nil, nil))
	}
	if req.single && req.prefer.representation && len(fresh) != 1 {
		return failed(singularity(len(fresh)))
	}
	t.rows = append(t.rows, fresh...)
	return req.respond(http.StatusCreated, http.Header{"Content-Range": {"*/*"}}, fresh, req.prefer.representation)
}

// targets are the indexes of the rows a PATCH or DELETE reaches: those the
// USING policy lets the role modify and the filters match, in order=, at
// most limit=.
func (s *Server) targets(req *tableReq) []int {
	pol := s.policy(req)
	var idx []int
	for i, row := range req.t.rows {
		if pol.canModify(row) && matchAll(req.bound, row) {
			idx = append(idx, i)
		}
	}
	if len(req.q.order) > 0 {
		slices.SortStableFunc(idx, func(a, b int) int {
			return req.t.compareRows(req.t.rows[a], req.t.rows[b], req.q.order)
		})
	}
	if req.q.limit >= 0 && len(idx) > req.q.limit {
		idx = idx[:req.q.limit]
	}
	return idx
}

// noWhere is pg-safeupdate's refusal of a write without a filter.
func noWhere(cmd string) *apiError {
	return pgError(http.StatusBadRequest, "21000", cmd+" requires a WHERE clause", nil, nil)
}

func (s *Server) update(req *tableReq, body []byte) result {
	t, pol := req.t, s.policy(req)
	var patch map[string]any
	if err := decodeJSON(body, &patch); err != nil || patch == nil {
		return failed(invalidJSON())
	}
	patch, fail := t.coerceAll(patch)
	if fail != nil {
		return failed(fail)
	}
	var idx []int
	if len(patch) > 0 { // PostgREST runs nothing for an empty object
		if len(req.bound) == 0 {
			return failed(noWhere("UPDATE"))
		}
		idx = s.targets(req)
	}
	taken := t.ids(setOf(idx))
	updated := make([]map[string]any, len(idx))
	for i, at := range idx {
		row := copyMap(t.rows[at])
		maps.Copy(row, patch)
		if row["id"] == nil {
			return failed(t.nullID())
		}
		if !pol.canModify(row) {
			return failed(pol.violation())
		}
		id := textOf(row["id"])
		if taken[id] {
			return failed(t.duplicateKey(row["id"]))
		}
		taken[id] = true
		updated[i] = row
	}
	if req.single && len(updated) != 1 {
		return failed(singularity(len(updated)))
	}
	for i, at := range idx {
		t.rows[at] = updated[i]
	}
	return s.written(req, updated)
}

func (s *Server) remove(req *tableReq) result {
	t := req.t
	if len(req.bound) == 0 {
		return failed(noWhere("DELETE"))
	}
	idx := s.targets(req)
	if req.single && len(idx) != 1 {
		return failed(singularity(len(idx)))
	}
	gone := setOf(idx)
	var deleted, kept []map[string]any
	for _, at := range idx {
		deleted = append(deleted, t.rows[at])
	}
	for i, r := range t.rows {
		if !gone[i] {
			kept = append(kept, r)
		}
	}
	t.rows = kept
	return s.written(req, deleted)
}

// written answers a PATCH or DELETE: 200 with the rows when
// return=representation, else 204.
func (s *Server) written(req *tableReq, rows []map[string]any) result {
	_, cr, _ := rangeStatus(0, len(rows), len(rows), req.prefer.count) // the whole set: never an error
	status := http.StatusNoContent
	if req.prefer.representation {
		status = http.StatusOK
	}
	return req.respond(status, http.Header{"Content-Range": {cr}}, rows, req.prefer.representation)
}

func setOf(idx []int) map[int]bool {
	out := make(map[int]bool, len(idx))
	for _, i := range idx {
		out[i] = true
	}
	return out
}
