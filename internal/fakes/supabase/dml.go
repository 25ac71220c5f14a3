package supabase

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Reads and writes on a table; every function here runs under s.mu.

// boundFilter is a filter checked against the table, with its operand
// cast to the column's type.
type boundFilter struct {
	filter
	typ     colType
	operand any
	list    []any
}

func (t *table) has(col string) bool {
	_, ok := t.types[col]
	return ok
}

func (t *table) undefinedColumn(col string) *apiError {
	return pgError(http.StatusBadRequest, "42703", fmt.Sprintf("column %s.%s does not exist", t.name, col), nil, nil)
}

// bind checks a query against the table's columns and casts the filters'
// operands, failing as Postgres would.
func (t *table) bind(q *readQuery) ([]boundFilter, *apiError) {
	for _, it := range q.sel {
		if it.rel != "" {
			return nil, pgError(http.StatusBadRequest, "PGRST200",
				fmt.Sprintf("Could not find a relationship between '%s' and '%s' in the schema cache", t.name, it.rel),
				fmt.Sprintf("Searched for a foreign key relationship between '%s' and '%s' in the schema 'public', but no matches were found.", t.name, it.rel), nil)
		}
		if it.col != "*" && !t.has(it.col) {
			return nil, t.undefinedColumn(it.col)
		}
	}
	for _, o := range q.order {
		if !t.has(o.col) {
			return nil, t.undefinedColumn(o.col)
		}
	}
	var out []boundFilter
	for _, f := range q.filters {
		if !t.has(f.col) {
			return nil, t.undefinedColumn(f.col)
		}
		b, fail := bindFilter(f, t.types[f.col])
		if fail != nil {
			return nil, fail
		}
		out = append(out, b)
	}
	return out, nil
}

func bindFilter(f filter, typ colType) (boundFilter, *apiError) {
	b := boundFilter{filter: f, typ: typ}
	var fail *apiError
	switch f.op {
	case "is":
		if f.val != "null" && typ != typBool {
			return b, pgError(http.StatusBadRequest, "42804",
				fmt.Sprintf("argument of IS %s must be type boolean, not type %s", strings.ToUpper(f.val), typ), nil, nil)
		}
	case "in":
		for _, item := range f.list {
			var v any
			if v, fail = typ.operand(item); fail != nil {
				return b, fail
			}
			b.list = append(b.list, v)
		}
	case "like", "ilike":
		if typ != typText {
			sym := map[string]string{"like": "~~", "ilike": "~~*"}[f.op]
			return b, pgError(http.StatusNotFound, "42883", fmt.Sprintf("operator does not exist: %s %s unknown", typ, sym), nil,
				"No operator matches the given name and argument types. You might need to add explicit type casts.")
		}
	default:
		b.operand, fail = typ.operand(f.val)
	}
	return b, fail
}

// match evaluates the filter on a row with SQL's three-valued logic: a
// comparison with NULL is never true, negated or not.
func (b boundFilter) match(row map[string]any) bool {
	v := b.typ.canon(row[b.col])
	var res bool
	switch b.op {
	case "is":
		switch b.val {
		case "null", "unknown":
			res = v == nil
		default:
			res = v == (b.val == "true")
		}
		return res != b.neg
	case "isdistinct":
		return (v == nil || compareCanon(v, b.operand) != 0) != b.neg
	}
	if v == nil {
		return false
	}
	switch b.op {
	case "in":
		res = slices.ContainsFunc(b.list, func(o any) bool { return compareCanon(v, o) == 0 })
	case "like", "ilike":
		s, _ := v.(string)
		res = likeMatch(b.val, s, b.op == "ilike")
	default:
		c := compareCanon(v, b.operand)
		res = map[string]bool{"eq": c == 0, "neq": c != 0, "gt": c > 0, "gte": c >= 0, "lt": c < 0, "lte": c <= 0}[b.op]
	}
	return res != b.neg
}

func matchAll(fs []boundFilter, row map[string]any) bool {
	for _, f := range fs {
		if !f.match(row) {
			return false
		}
	}
	return true
}

// likeMatch is SQL LIKE, with PostgREST's * for %; linear in the common
// case, never worse than len(pattern)*len(s), and that product is
// bounded.
func likeMatch(pattern, s string, fold bool) bool {
	pattern = strings.ReplaceAll(pattern, "*", "%")
	if fold {
		pattern, s = strings.ToLower(pattern), strings.ToLower(s)
	}
	p, t := []rune(pattern), []rune(s)
	if strings.Count(pattern, "%") > 1 && len(p)*len(t) > 1e8 {
		return false // a pathological pattern on a huge value: refuse the work
	}
	pi, ti, star, mark := 0, 0, -1, 0
	for ti < len(t) {
		if pi < len(p) && p[pi] == '%' {
			star, mark = pi, ti
			pi++
			continue
		}
		if pi < len(p) {
			lit, adv := p[pi], 1
			if lit == '\\' && pi+1 < len(p) {
				lit, adv = p[pi+1], 2
			}
			if (adv == 1 && lit == '_') || lit == t[ti] {
				pi, ti = pi+adv, ti+1
				continue
			}
		}
		if star < 0 {
			return false
		}
		pi, mark = star+1, mark+1
		ti = mark
	}
	for pi < len(p) && p[pi] == '%' {
		pi++
	}
	return pi == len(p)
}

// sortRows applies order=, stably (Postgres leaves ties in heap order).
func (t *table) sortRows(rows []map[string]any, order []orderTerm) {
	if len(order) > 0 {
		slices.SortStableFunc(rows, func(a, b map[string]any) int { return t.compareRows(a, b, order) })
	}
}

// compareRows orders two rows by order=, NULLS LAST for ascending terms
// and FIRST for descending ones unless the term says otherwise.
func (t *table) compareRows(a, b map[string]any, order []orderTerm) int {
	for _, o := range order {
		typ := t.types[o.col]
		va, vb := typ.canon(a[o.col]), typ.canon(b[o.col])
		var c int
		switch {
		case va == nil && vb == nil:
		case va == nil || vb == nil:
			c = 1
			if (va == nil) == o.nullsFirst {
				c = -1
			}
		default:
			c = compareCanon(va, vb)
			if o.desc {
				c = -c
			}
		}
		if c != 0 {
			return c
		}
	}
	return 0
}

// read serves GET and HEAD.
func (s *Server) read(req *tableReq, h http.Header) result {
	pol := s.policy(req)
	var rows []map[string]any
	for _, row := range req.t.rows {
		if pol.canSelect(row) && matchAll(req.bound, row) {
			rows = append(rows, row)
		}
	}
	req.t.sortRows(rows, req.q.order)
	off, lim, fail := pageRange(req.q, h)
	if fail != nil {
		return failed(fail)
	}
	start := min(off, len(rows))
	page := rows[start : start+min(lim, len(rows)-start)]
	status, cr, fail := rangeStatus(off, len(page), len(rows), req.prefer.count)
	if fail != nil {
		return failed(fail)
	}
	return req.respond(status, http.Header{"Content-Range": {cr}}, page, true)
}

// pageRange intersects limit/offset with a Range header, capped at
// db-max-rows.
func pageRange(q *readQuery, h http.Header) (int, int, *apiError) {
	lo, hi := q.offset, math.MaxInt
	if q.limit >= 0 && q.offset <= math.MaxInt-q.limit {
		hi = q.offset + q.limit - 1
	}
	if a, b, ok := parseRangeHeader(h.Get("Range")); ok {
		if b >= 0 && b < a {
			return 0, 0, pgError(http.StatusRequestedRangeNotSatisfiable, "PGRST103", "Requested range not satisfiable",
				"The lower boundary must be lower than or equal to the upper boundary in the Range header.", nil)
		}
		lo = max(lo, a)
		if b >= 0 {
			hi = min(hi, b)
		}
	}
	limit := maxRows
	if hi != math.MaxInt {
		limit = min(max(hi-lo+1, 0), maxRows)
	}
	return lo, limit, nil
}

// parseRangeHeader parses "a-b" or "a-" (b is -1), with an optional
// "items=" unit.
func parseRangeHeader(v string) (int, int, bool) {
	v = strings.TrimPrefix(strings.TrimSpace(v), "items=")
	a, b, found := strings.Cut(v, "-")
	lo, err := strconv.Atoi(a)
	if !found || err != nil || lo < 0 {
		return 0, 0, false
	}
	if b == "" {
		return lo, -1, true
	}
	hi, err := strconv.Atoi(b)
	if err != nil || hi < 0 {
		return 0, 0, false
	}
	return lo, hi, true
}

// rangeStatus is PostgREST's status and Content-Range for a page of n rows
// from lower, out of total (counted only when asked).
func rangeStatus(lower, n, total int, count bool) (int, string, *apiError) {
	upper := lower + n - 1
	totalText := "*"
	if count {
		totalText = strconv.Itoa(total)
	}
	rangeText := "*"
	if (!count || total != 0) && lower <= upper {
		rangeText = fmt.Sprintf("%d-%d", lower, upper)
	}
	switch {
	case !count:
		return http.StatusOK, rangeText + "/" + totalText, nil
	case lower > total:
		e := pgError(http.StatusRequestedRangeNotSatisfiable, "PGRST103", "Requested range not satisfiable",
			fmt.Sprintf("An offset of %d was requested, but there are only %d rows.", lower, total), nil)
		e.header = http.Header{"Content-Range": {"*/" + totalText}}
		return 0, "", e
	case n < total:
		return http.StatusPartialContent, rangeText + "/" + totalText, nil
	}
	return http.StatusOK, rangeText + "/" + totalText, nil
}

// respond shapes rows into the answer: the select= columns, as an array or,
// for Accept: application/vnd.pgrst.object+json, one object.
func (req *tableReq) respond(status int, hdr http.Header, rows []map[string]any, withBody bool) result {
	if req.prefer.returnApplied != "" {
		hdr.Set("Preference-Applied", req.prefer.returnApplied)
	}
	if req.single && len(rows) != 1 && withBody {
		return failed(singularity(len(rows)))
	}
	if !withBody {
		return result{status: status, header: hdr}
	}
	if req.single {
		var b bytes.Buffer
		req.t.encodeRow(&b, req.q.sel, rows[0])
		return result{status: status, header: hdr, contentType: "application/vnd.pgrst.object+json; charset=utf-8", body: b.Bytes(), rows: 1}
	}
	var b bytes.Buffer
	b.WriteByte('[')
	for i, row := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		req.t.encodeRow(&b, req.q.sel, row)
	}
	b.WriteByte(']')
	return result{status: status, header: hdr, contentType: "application/json; charset=utf-8", body: b.Bytes(), rows: len(rows)}
}

func singularity(n int) *apiError {
	return pgError(http.StatusNotAcceptable, "PGRST116", "JSON object requested, multiple (or no) rows returned",
		fmt.Sprintf("The result contains %d rows", n), nil)
}

// encodeRow writes a row as a JSON object, keys in column order.
func (t *table) encodeRow(b *bytes.Buffer, sel []selectItem, row map[string]any) {
	if len(sel) == 0 {
		sel = []selectItem{{col: "*"}}
	}
	b.WriteByte('{')
	first := true
	put := func(key string, v any) {
		if !first {
			b.WriteByte(',')
		}
		first = false
		b.Write(marshal(key))
		b.WriteByte(':')
		b.Write(marshal(v))
	}
	for _, it := range sel {
		if it.col != "*" {
			put(cmp.Or(it.alias, it.col), row[it.col])
			continue
		}
		for _, c := range t.cols {
			put(c, row[c])
		}
	}
	b.WriteByte('}')
}

// marshal encodes v as JSON without escaping HTML (as PostgREST); null
// when v cannot be encoded.
func marshal(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return []byte("null")
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}
