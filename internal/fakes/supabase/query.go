package supabase

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// The PostgREST query string: select, filters, order, limit, offset and
// columns, parsed as PostgREST 12's parser reads them (a parameter whose
// value carries no operator is no filter and is ignored).

type readQuery struct {
	sel     []selectItem // nil: *
	filters []filter
	order   []orderTerm
	limit   int // -1: none
	offset  int
	columns []string // ?columns=, nil when absent
}

// selectItem is one item of select=: a column (col "*" for all), or an
// embedded resource (rel), which this fake's schema never has.
type selectItem struct{ col, alias, rel string }

type filter struct {
	col  string
	neg  bool
	op   string // eq neq gt gte lt lte like ilike isdistinct is in
	val  string
	list []string
}

type orderTerm struct {
	col        string
	desc       bool
	nullsFirst bool
}

// The operators PostgREST knows, and the ones this fake evaluates.
var (
	knownOps = map[string]bool{"eq": true, "neq": true, "gt": true, "gte": true, "lt": true, "lte": true,
		"like": true, "ilike": true, "match": true, "imatch": true, "isdistinct": true, "cs": true, "cd": true,
		"ov": true, "sl": true, "sr": true, "nxr": true, "nxl": true, "adj": true}
	ftsOps   = map[string]bool{"fts": true, "plfts": true, "phfts": true, "wfts": true}
	fakedOps = map[string]bool{"eq": true, "neq": true, "gt": true, "gte": true, "lt": true, "lte": true,
		"like": true, "ilike": true, "isdistinct": true}
)

// parseQuery parses a raw query string. Repeated parameters are all
// filters; for select, order, limit and offset the first one counts.
func parseQuery(raw string) (*readQuery, *apiError) {
	vals, _ := url.ParseQuery(raw) // malformed pairs are dropped, as net/http drops them
	q := &readQuery{limit: -1}
	seen := map[string]bool{}
	for _, k := range slices.Sorted(maps.Keys(vals)) {
		for _, v := range vals[k] {
			if err := q.add(k, v, seen); err != nil {
				return nil, err
			}
		}
	}
	return q, nil
}

func (q *readQuery) add(k, v string, seen map[string]bool) *apiError {
	first := !seen[k]
	seen[k] = true
	last := k[strings.LastIndexByte(k, '.')+1:]
	switch {
	case k == "select" && first:
		sel, err := parseSelect(v)
		q.sel = sel
		return err
	case k == "columns" && first:
		q.columns = strings.Split(v, ",")
		for i, c := range q.columns {
			q.columns[i] = unquote(strings.TrimSpace(c))
		}
	case k == "order" && first:
		ord, err := parseOrder(v)
		q.order = ord
		return err
	case k == "limit" && first:
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err == nil && n < 0 {
			return pgError(416, "PGRST103", "Requested range not satisfiable", "Limit should be greater than or equal to zero.", nil)
		}
		if err == nil {
			q.limit = n
		}
	case k == "offset" && first:
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err == nil && n < 0 {
			return pgError(400, "2201X", "OFFSET must not be negative", nil, nil)
		}
		if err == nil {
			q.offset = n
		}
	case k == "select" || k == "columns" || k == "order" || k == "limit" || k == "offset" || k == "on_conflict":
	case last == "and" || last == "or":
		return notImplemented("and/or logic trees")
	case k != last && (last == "order" || last == "limit" || last == "offset"):
		return notEmbedded(k[:strings.IndexByte(k, '.')])
	case hasOperator(v) && strings.Contains(k, "."):
		return notEmbedded(k[:strings.IndexByte(k, '.')])
	case hasOperator(v):
		f, err := parseFilter(k, v)
		if err != nil {
			return err
		}
		q.filters = append(q.filters, f)
	}
	return nil
}

func notEmbedded(resource string) *apiError {
	return pgError(400, "PGRST108", fmt.Sprintf("'%s' is not an embedded resource in this request", resource), nil,
		fmt.Sprintf("Verify that '%s' is included in the 'select' query parameter.", resource))
}

func notImplemented(what string) *apiError {
	return pgError(400, "PGRST127", "Feature not implemented", "the Supabase fake does not implement "+what, nil)
}

func parseFailure(what, val string, column int, details string) *apiError {
	return pgError(400, "PGRST100", fmt.Sprintf("\"failed to parse %s (%s)\" (line 1, column %d)", what, val, column), details, nil)
}

// hasOperator is PostgREST's test for whether a parameter is a filter.
func hasOperator(v string) bool {
	parts := strings.Split(v, ".")
	switch {
	case parts[0] == "not" && len(parts) > 1, parts[0] == "is", parts[0] == "in":
		return true
	case knownOps[parts[0]] || ftsOps[parts[0]]:
		return true
	}
	name, _, paren := strings.Cut(v, "(")
	return paren && ftsOps[name]
}

// parseFilter parses the value of a filter on column col.
func parseFilter(col, v string) (filter, *apiError) {
	f := filter{col: unquote(col)}
	rest := v
	if strings.HasPrefix(rest, "not.") {
		f.neg, rest = true, rest[len("not."):]
	}
	op, arg, found := strings.Cut(rest, ".")
	name, modifier, _ := strings.Cut(op, "(")
	switch {
	case !found:
		return f, parseFailure("filter", v, len(v)+1, `unexpected end of input expecting "."`)
	case name == "is":
		f.op, f.val = "is", strings.ToLower(arg)
		if f.val != "null" && f.val != "true" && f.val != "false" && f.val != "unknown" {
			return f, parseFailure("filter", v, len(v)-len(arg)+1, "unexpected "+strconv.Quote(arg)+" expecting null or trilean value (unknown, true, false)")
		}
	case name == "in":
		list, ok := parseList(arg)
		if !ok {
			return f, parseFailure("filter", v, len(v)-len(arg)+1, `unexpected `+strconv.Quote(arg)+` expecting "("`)
		}
		f.op, f.list = "in", list
	case ftsOps[name] || knownOps[name] && !fakedOps[name]:
		return f, notImplemented("the " + name + " operator")
	case !knownOps[name]:
		return f, parseFailure("filter", v, len(v)-len(arg)+1, "unknown single value operator "+name)
	case modifier != "":
		return f, notImplemented("the any/all modifiers")
	default:
		f.op, f.val = name, arg
	}
	return f, nil
}

// parseList parses "(a,b,\"c,d\")".
func parseList(s string) ([]string, bool) {
	if len(s) < 2 || s[0] != '(' || s[len(s)-1] != ')' {
		return nil, false
	}
	body := s[1 : len(s)-1]
	if strings.TrimSpace(body) == "" {
		return []string{}, true
	}
	var out []string
	var cur strings.Builder
	quoted, inQuotes := false, false
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case inQuotes && c == '\\' && i+1 < len(body):
			i++
			cur.WriteByte(body[i])
		case c == '"' && inQuotes:
			inQuotes = false
		case c == ',' && !inQuotes:
			out = append(out, listValue(cur.String(), quoted))
			cur.Reset()
			quoted = false
		case !inQuotes && quoted && c != ' ':
			return nil, false // text after a closing quote
		case !inQuotes && quoted:
			// blanks after a closing quote
		case c == '"' && !inQuotes && strings.TrimSpace(cur.String()) == "":
			inQuotes, quoted = true, true
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	if inQuotes {
		return nil, false
	}
	return append(out, listValue(cur.String(), quoted)), true
}

func listValue(s string, quoted bool) string {
	if quoted {
		return s
	}
	return strings.TrimSpace(s)
}

func unquote(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1]
	}
	return s
}

// splitTop splits s at commas outside parentheses and double quotes.
func splitTop(s string) ([]string, bool) {
	var out []string
	depth, start, inQuotes := 0, 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			inQuotes = !inQuotes
		case inQuotes:
		case c == '(':
			depth++
		case c == ')':
			depth--
			if depth < 0 {
				return nil, false
			}
		case c == ',' && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	if depth != 0 || inQuotes {
		return nil, false
	}
	return append(out, s[start:]), true
}

var aggregates = []string{"count", "sum", "avg", "max", "min"}

// parseSelect parses select=.
func parseSelect(v string) ([]selectItem, *apiError) {
	items, ok := splitTop(v)
	if !ok || strings.TrimSpace(v) == "" {
		return nil, parseFailure("select parameter", v, len(v)+1, "unexpected end of input expecting field name (* or [a..z0..9_$])")
	}
	var out []selectItem
	for _, raw := range items {
		item := strings.TrimSpace(raw)
		if item == "" {
			return nil, parseFailure("select parameter", v, len(v)+1, "unexpected \",\" expecting field name (* or [a..z0..9_$])")
		}
		alias, body := splitAlias(item)
		name, _, paren := strings.Cut(body, "(")
		fn := name[strings.LastIndexByte(name, '.')+1:]
		switch {
		case paren && slices.Contains(aggregates, fn) && strings.HasSuffix(body, "()"):
			return nil, pgError(400, "PGRST123", "Use of aggregate functions is not allowed", nil, nil)
		case paren:
			rel := strings.TrimPrefix(name, "...")
			rel, _, _ = strings.Cut(rel, "!")
			out = append(out, selectItem{rel: rel, alias: alias})
		case strings.Contains(body, "->"):
			return nil, notImplemented("JSON paths in select")
		default:
			col, _, _ := strings.Cut(body, "::")
			out = append(out, selectItem{col: unquote(strings.TrimSpace(col)), alias: alias})
		}
	}
	return out, nil
}

// splitAlias splits "alias:col" (but not a "col::cast").
func splitAlias(item string) (string, string) {
	for i := 0; i < len(item); i++ {
		switch item[i] {
		case '(', '"':
			return "", item
		case ':':
			if i+1 < len(item) && item[i+1] == ':' {
				return "", item
			}
			return strings.TrimSpace(item[:i]), strings.TrimSpace(item[i+1:])
		}
	}
	return "", item
}

// parseOrder parses order=col.desc.nullslast,…
func parseOrder(v string) ([]orderTerm, *apiError) {
	var out []orderTerm
	for _, term := range strings.Split(v, ",") {
		parts := strings.Split(strings.TrimSpace(term), ".")
		t := orderTerm{col: unquote(parts[0])}
		nullsSet := false
		for i, p := range parts[1:] {
			switch {
			case i == 0 && (p == "asc" || p == "desc"):
				t.desc = p == "desc"
			case !nullsSet && (p == "nullsfirst" || p == "nullslast"):
				t.nullsFirst, nullsSet = p == "nullsfirst", true
			default:
				return nil, parseFailure("order", v, len(v)+1, `unexpected "`+p+`" expecting "asc", "desc", "nullsfirst" or "nullslast"`)
			}
		}
		if t.col == "" || strings.ContainsAny(t.col, "()") {
			return nil, parseFailure("order", v, 1, "unexpected end of input expecting field name (* or [a..z0..9_$])")
		}
		if !nullsSet {
			t.nullsFirst = t.desc // Postgres: NULLS FIRST for DESC, LAST for ASC
		}
		out = append(out, t)
	}
	return out, nil
}
