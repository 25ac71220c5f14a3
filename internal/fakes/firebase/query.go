package firebase

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// runQueryRequest is the part of RunQueryRequest this fake evaluates: one
// collection, field filters (alone or ANDed) and a limit.
type runQueryRequest struct {
	StructuredQuery *struct {
		From []struct {
			CollectionID   string `json:"collectionId"`
			AllDescendants bool   `json:"allDescendants"`
		} `json:"from"`
		Where   *queryFilter    `json:"where"`
		Limit   *int32          `json:"limit"`
		Select  json.RawMessage `json:"select"`
		OrderBy json.RawMessage `json:"orderBy"`
		Offset  *int32          `json:"offset"`
		StartAt json.RawMessage `json:"startAt"`
		EndAt   json.RawMessage `json:"endAt"`
	} `json:"structuredQuery"`
	Transaction    string          `json:"transaction"`
	NewTransaction json.RawMessage `json:"newTransaction"`
	ReadTime       string          `json:"readTime"`
}

type queryFilter struct {
	FieldFilter *struct {
		Field struct {
			FieldPath string `json:"fieldPath"`
		} `json:"field"`
		Op    string          `json:"op"`
		Value json.RawMessage `json:"value"`
	} `json:"fieldFilter"`
	CompositeFilter *struct {
		Op      string        `json:"op"`
		Filters []queryFilter `json:"filters"`
	} `json:"compositeFilter"`
}

// condition is one decoded field filter.
type condition struct {
	path  []string
	op    string
	value any
}

// conditions flattens a filter into ANDed field conditions.
func (f *queryFilter) conditions(depth int) ([]condition, error) {
	switch {
	case f == nil:
		return nil, nil
	case depth > maxDepth:
		return nil, fmt.Errorf("filters nested too deep")
	case f.FieldFilter != nil:
		ff := f.FieldFilter
		p, ok := parseFieldPath(ff.Field.FieldPath)
		if !ok {
			return nil, fmt.Errorf("invalid field path %q", ff.Field.FieldPath)
		}
		switch ff.Op {
		case "EQUAL", "NOT_EQUAL", "LESS_THAN", "LESS_THAN_OR_EQUAL", "GREATER_THAN", "GREATER_THAN_OR_EQUAL":
		default:
			return nil, fmt.Errorf("operator %q is not supported", ff.Op)
		}
		v, err := decodeValue(ff.Value, 1)
		if err != nil {
			return nil, err
		}
		return []condition{{path: p, op: ff.Op, value: v}}, nil
	case f.CompositeFilter != nil && f.CompositeFilter.Op == "AND":
		var out []condition
		for i := range f.CompositeFilter.Filters {
			c, err := f.CompositeFilter.Filters[i].conditions(depth + 1)
			if err != nil {
				return nil, err
			}
			out = append(out, c...)
		}
		return out, nil
	}
	return nil, fmt.Errorf("only field filters and AND composite filters are supported")
}

func (c condition) match(fields map[string]any) bool {
	v, ok := getPath(fields, c.path)
	if !ok {
		return false
	}
	cmp, comparable := compareValues(v, c.value)
	switch c.op {
	case "EQUAL":
		return comparable && cmp == 0
	case "NOT_EQUAL":
		return !comparable || cmp != 0
	case "LESS_THAN":
		return comparable && cmp < 0
	case "LESS_THAN_OR_EQUAL":
		return comparable && cmp <= 0
	case "GREATER_THAN":
		return comparable && cmp > 0
	case "GREATER_THAN_OR_EQUAL":
		return comparable && cmp >= 0
	}
	return false
}

// compareValues orders two values of the same kind (numbers together).
func compareValues(a, b any) (int, bool) {
	num := func(v any) (float64, bool) {
		switch v := v.(type) {
		case int64:
			return float64(v), true
		case float64:
			return v, true
		}
		return 0, false
	}
	if x, ok := num(a); ok {
		if y, ok := num(b); ok {
			switch {
			case x < y:
				return -1, true
			case x > y:
				return 1, true
			}
			return 0, true
		}
		return 0, false
	}
	switch a := a.(type) {
	case string:
		if b, ok := b.(string); ok {
			return strings.Compare(a, b), true
		}
	case bool:
		if b, ok := b.(bool); ok {
			switch {
			case a == b:
				return 0, true
			case b:
				return -1, true
			}
			return 1, true
		}
	case nil:
		return 0, b == nil
	}
	return 0, false
}

// fsRunQuery serves documents:runQuery for one collection under the
// parent in the path. Owner rules admit a query only when its filters
// prove every result is the caller's (owner == uid), as Firestore's query
// analysis does. Results come in document ID order; orderBy, cursors and
// offsets are not evaluated.
func (s *Server) fsRunQuery(w http.ResponseWriter, r *http.Request, uid string, req fsRequest) {
	var in runQueryRequest
	if e := decodeStrict(r, &in); e != nil {
		fsError(e.Code, "INVALID_ARGUMENT", e.Message).write(w, r)
		return
	}
	sq := in.StructuredQuery
	if sq == nil || len(sq.From) != 1 || !validID(sq.From[0].CollectionID) || sq.From[0].AllDescendants {
		fsError(http.StatusBadRequest, "INVALID_ARGUMENT", "The query must select exactly one collection by collectionId.").write(w, r)
		return
	}
	conds, err := sq.Where.conditions(0)
	if err != nil {
		fsError(http.StatusBadRequest, "INVALID_ARGUMENT", err.Error()).write(w, r)
		return
	}
	if req.coll != "" && req.id == "" {
		fsError(http.StatusBadRequest, "INVALID_ARGUMENT", "The parent of a query must be a document or the database root.").write(w, r)
		return
	}
	coll := sq.From[0].CollectionID
	if req.coll != "" {
		coll = req.coll + "/" + req.id + "/" + coll
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.fs.grants(uid, func() bool { return s.fs.pathOwned(coll, "", uid) || s.fs.ownerFiltered(conds, uid) }) {
		fsDenied.write(w, r)
		return
	}
	docs := s.fs.colls[coll]
	ids := make([]string, 0, len(docs))
	for id, d := range docs {
		if !slices.ContainsFunc(conds, func(c condition) bool { return !c.match(d.fields) }) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	if sq.Limit != nil && *sq.Limit >= 0 && len(ids) > int(*sq.Limit) {
		ids = ids[:*sq.Limit]
	}
	readTime := s.now().UTC().Format(fsTime)
	out := make([]map[string]any, 0, len(ids)+1)
	for _, id := range ids {
		out = append(out, map[string]any{"document": s.docOut(coll, id, docs[id], nil), "readTime": readTime})
	}
	if len(out) == 0 {
		out = append(out, map[string]any{"readTime": readTime})
	}
	s.items.firestore.Add(int64(len(ids)))
	writeJSON(w, r, http.StatusOK, out)
}

// ownerFiltered reports whether the conditions restrict results to the
// caller's documents.
func (f *firestoreState) ownerFiltered(conds []condition, uid string) bool {
	return slices.ContainsFunc(conds, func(c condition) bool {
		return c.op == "EQUAL" && len(c.path) == 1 && c.path[0] == f.ownerField && c.value == uid
	})
}
