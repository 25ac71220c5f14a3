package authz

import (
	"bytes"
	"encoding/json"
	"slices"

	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/page"
)

// idsIn returns the object IDs a list response holds, each once, in
// order: the idField values of JSON objects, or the IDs in links that
// match the item template. A *page.CutError says the list's links were
// not all read.
func idsIn(resp *client.Response, idField string, t Template) ([]string, error) {
	var ids []string
	seen := map[string]bool{}
	add := func(id string) {
		if id != "" && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	trimmed := bytes.TrimSpace(resp.Body)
	if len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') && json.Valid(trimmed) {
		jsonIDs(trimmed, idField, add)
		return ids, nil
	}
	if t.Raw == "" {
		return ids, nil
	}
	links, err := page.Links(resp.Body, resp.URL)
	for _, l := range links {
		add(t.Match(l.URL))
	}
	return ids, err
}

// jsonIDs calls add with the idField value of every JSON object in a valid
// document, in document order, streaming: a list of many objects is never
// built in memory.
func jsonIDs(body []byte, idField string, add func(string)) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	// Each open container: an object expecting a key next, or an array.
	type frame struct{ object, expectKey, isID bool }
	var stack []frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			continue
		}
		isID := false
		if top := len(stack) - 1; top >= 0 && stack[top].object {
			f := &stack[top]
			if f.expectKey {
				f.expectKey, f.isID = false, tok == idField
				continue
			}
			f.expectKey, isID = true, f.isID
		}
		switch t := tok.(type) {
		case json.Delim:
			stack = append(stack, frame{object: t == '{', expectKey: t == '{'})
		case string, json.Number:
			if isID {
				add(scalar(t))
			}
		}
	}
}

// walkJSON calls fn on every JSON object, depth-bounded.
func walkJSON(v any, depth int, fn func(map[string]any)) {
	if depth > 32 {
		return
	}
	switch x := v.(type) {
	case map[string]any:
		fn(x)
		for _, k := range sortedMapKeys(x) {
			walkJSON(x[k], depth+1, fn)
		}
	case []any:
		for _, e := range x {
			walkJSON(e, depth+1, fn)
		}
	}
}

func sortedMapKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// scalar renders a JSON string or number; "" for anything else.
func scalar(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	}
	return ""
}
