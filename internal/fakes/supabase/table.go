package supabase

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
)

// The tables behind the Data API: fixed columns with Postgres types, and
// the casts and comparisons filters and writes need.

// colType is a column's Postgres type.
type colType int

const (
	typText colType = iota
	typBigint
	typNumber
	typUUID
	typBool
	typJSON
)

func (c colType) String() string {
	return [...]string{"text", "bigint", "double precision", "uuid", "boolean", "jsonb"}[c]
}

type table struct {
	name, owner string
	rls         bool
	cols        []string
	types       map[string]colType
	rows        []map[string]any
	uuidIDs     bool
	nextID      int64
}

func newTable(name string, t *Table) (*table, error) {
	if !validIdent(name) || t == nil {
		return nil, fmt.Errorf("want an identifier and a table")
	}
	tb := &table{name: name, owner: t.OwnerColumn, rls: t.RLS, types: map[string]colType{}, nextID: 1}
	if tb.owner == "" {
		tb.owner = "user_id"
	}
	if len(t.Rows) > maxTableRows {
		return nil, fmt.Errorf("%d seed rows, at most %d", len(t.Rows), maxTableRows)
	}
	keys := map[string]bool{}
	for i, r := range t.Rows {
		row, err := normalizeMap(r)
		if err != nil {
			return nil, fmt.Errorf("row %d: %w", i, err)
		}
		for k := range row {
			keys[k] = true
		}
		tb.rows = append(tb.rows, row)
	}
	for _, c := range slices.Concat([]string{"id"}, t.Columns, slices.Sorted(maps.Keys(keys)), []string{tb.owner}) {
		if !validIdent(c) {
			return nil, fmt.Errorf("column %q is not an identifier", c)
		}
		if _, dup := tb.types[c]; !dup {
			tb.cols = append(tb.cols, c)
			tb.types[c] = tb.inferType(c)
		}
	}
	return tb, tb.assignIDs()
}

// inferType types a column from its seed values.
func (t *table) inferType(col string) colType {
	seen := map[colType]bool{}
	for _, r := range t.rows {
		if v, ok := r[col]; ok && v != nil {
			seen[kindOf(v)] = true
		}
	}
	switch {
	case len(seen) == 0 && col == t.owner:
		return typUUID
	case len(seen) == 0 && col == "id":
		return typBigint
	case len(seen) == 0:
		return typText
	case len(seen) == 2 && seen[typBigint] && seen[typNumber]:
		return typNumber
	case len(seen) > 1:
		return typJSON
	}
	for k := range seen {
		return k
	}
	return typText
}

func kindOf(v any) colType {
	switch v := v.(type) {
	case json.Number:
		if _, err := strconv.ParseInt(string(v), 10, 64); err == nil {
			return typBigint
		}
		return typNumber
	case string:
		if isUUID(v) {
			return typUUID
		}
		return typText
	case bool:
		return typBool
	}
	return typJSON
}

// assignIDs gives seed rows without an id one, and refuses duplicates.
func (t *table) assignIDs() error {
	t.uuidIDs = t.types["id"] == typUUID || t.types["id"] == typText
	seen := map[string]bool{}
	for _, r := range t.rows {
		if v, ok := r["id"]; ok && v != nil {
			n, _ := strconv.ParseInt(textOf(v), 10, 64)
			t.nextID = max(t.nextID, n+1)
		}
	}
	for i, r := range t.rows {
		if v, ok := r["id"]; !ok || v == nil {
			r["id"] = t.newID()
		}
		id := textOf(r["id"])
		if seen[id] {
			return fmt.Errorf("row %d: duplicate id %s", i, id)
		}
		seen[id] = true
	}
	return nil
}

func (t *table) newID() any {
	if t.uuidIDs {
		return newUUID()
	}
	id := json.Number(strconv.FormatInt(t.nextID, 10))
	t.nextID++
	return id
}

// textOf is a value's text form, as Postgres would print it.
func textOf(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case json.Number:
		return string(v)
	case bool:
		return strconv.FormatBool(v)
	}
	raw, _ := json.Marshal(v) // decoded JSON always marshals
	return string(raw)
}

// invalidInput is Postgres's 22P02 for a value the type cannot hold.
func invalidInput(c colType, v any) *apiError {
	name := c.String()
	if c == typJSON {
		name = "json"
	}
	return pgError(400, "22P02", fmt.Sprintf("invalid input syntax for type %s: %q", name, textOf(v)), nil, nil)
}

// coerce converts a written value to the column's type.
func (c colType) coerce(v any) (any, *apiError) {
	if v == nil || c == typJSON {
		return v, nil
	}
	s := textOf(v)
	_, isMap := v.(map[string]any)
	_, isList := v.([]any)
	if c != typText && (isMap || isList) {
		return nil, invalidInput(c, v)
	}
	switch c {
	case typText:
		return s, nil
	case typBigint:
		if n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err == nil {
			return json.Number(strconv.FormatInt(n, 10)), nil
		}
	case typNumber:
		if f, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			return json.Number(strconv.FormatFloat(f, 'g', -1, 64)), nil
		}
	case typUUID:
		if isUUID(s) {
			return strings.ToLower(s), nil
		}
	case typBool:
		if b, ok := parseBool(s); ok {
			return b, nil
		}
	}
	return nil, invalidInput(c, v)
}

func parseBool(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "t", "true", "yes", "on", "1":
		return true, true
	case "f", "false", "no", "off", "0":
		return false, true
	}
	return false, false
}

// operand parses a filter's text as the column's type, into the form
// compare takes.
func (c colType) operand(s string) (any, *apiError) {
	if c == typJSON {
		var v any
		if err := decodeJSON([]byte(s), &v); err != nil {
			return nil, invalidInput(c, s)
		}
		return textOf(v), nil
	}
	v, err := c.coerce(s)
	if err != nil {
		return nil, err
	}
	return c.canon(v), nil
}

// canon is a stored value in comparable form: float64, string or bool;
// nil for null.
func (c colType) canon(v any) any {
	if v == nil {
		return nil
	}
	switch c {
	case typBigint, typNumber:
		f, err := strconv.ParseFloat(textOf(v), 64)
		if err != nil {
			return textOf(v)
		}
		return f
	case typBool:
		if b, ok := v.(bool); ok {
			return b
		}
	case typUUID:
		return strings.ToLower(textOf(v))
	}
	return textOf(v)
}

// compareCanon orders two canonical values of one column.
func compareCanon(a, b any) int {
	switch a := a.(type) {
	case float64:
		if b, ok := b.(float64); ok {
			return cmpOrdered(a, b)
		}
	case bool:
		if b, ok := b.(bool); ok {
			return cmpOrdered(boolInt(a), boolInt(b))
		}
	case string:
		if b, ok := b.(string); ok {
			return strings.Compare(a, b)
		}
	}
	return strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
}

func cmpOrdered[T int | float64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
