package supabase

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzQuery: the query-string parser, and binding and evaluating what it
// accepts against a table, never panic; what they refuse is a 4xx.
func FuzzQuery(f *testing.F) {
	for _, seed := range []string{
		"select=*&id=eq.1", "select=id,t:title&order=score.desc.nullslast&limit=1&offset=2",
		"title=in.(a,\"b,c\",d)&user_id=not.is.null", "title=ilike.*P_%25\\", "score=gte.1&score=lt.3",
		"id=eq", "id=not.foo.1", "select=count()", "select=*,rel(*)", "a.b=eq.1", "or=(a.eq.1)", "limit=-1",
		"title=like.%25%25%25x", "id=in.()", "select=\"id\"", "order=,", "id=isdistinct.2", "data->a=eq.1",
	} {
		f.Add(seed, "0-1")
	}
	tb, err := newTable("posts", project().Tables["posts"])
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw, rangeHeader string) {
		q, fail := parseQuery(raw)
		if fail != nil {
			if fail.status < 400 || fail.status > 499 {
				t.Fatalf("%q: status %d", raw, fail.status)
			}
			return
		}
		bound, fail := tb.bind(q)
		if fail != nil {
			if fail.status < 400 || fail.status > 499 {
				t.Fatalf("%q: bind status %d", raw, fail.status)
			}
			return
		}
		rows := append([]map[string]any(nil), tb.rows...)
		for _, r := range rows {
			matchAll(bound, r)
		}
		tb.sortRows(rows, q.order)
		off, lim, fail := pageRange(q, http.Header{"Range": {rangeHeader}})
		if fail != nil {
			return
		}
		if lim < 0 || lim > maxRows || off < 0 {
			t.Fatalf("%q %q: offset %d limit %d", raw, rangeHeader, off, lim)
		}
		start := min(off, len(rows))
		page := rows[start : start+min(lim, len(rows)-start)]
		_, _, _ = rangeStatus(off, len(page), len(rows), true)
		req := &tableReq{q: q, t: tb, single: len(raw)%2 == 0}
		req.respond(http.StatusOK, http.Header{}, page, true)
	})
}

// FuzzTableRequest drives the whole handler with any query, body and
// method on a table: never a panic, never a 5xx.
func FuzzTableRequest(f *testing.F) {
	f.Add(uint8(0), "select=*&title=eq.p1", "")
	f.Add(uint8(1), "select=title", `[{"title":"x"},{"title":"y"}]`)
	f.Add(uint8(2), "id=eq.1", `{"score":"7"}`)
	f.Add(uint8(3), "title=in.(p1,p2)", "")
	f.Add(uint8(4), "", `{"n":1}`)
	f.Fuzz(func(t *testing.T, verb uint8, query, body string) {
		s, err := New(project()) // a fresh project per input: writes must not pile up
		if err != nil {
			t.Fatal(err)
		}
		methods := []string{"GET", "POST", "PATCH", "DELETE", "POST", "HEAD"}
		paths := []string{"/rest/v1/posts", "/rest/v1/posts", "/rest/v1/notes", "/rest/v1/notes", "/rest/v1/rpc/echo", "/rest/v1/posts"}
		i := int(verb) % len(methods)
		r := httptest.NewRequest(methods[i], "/", strings.NewReader(body))
		r.URL.Path, r.URL.RawQuery = paths[i], query
		r.Header.Set("apikey", s.AnonKey())
		r.Header.Set("Prefer", "return=representation, count=exact")
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if w.Code >= 500 {
			t.Fatalf("%s %s?%s %q: %d %s", methods[i], paths[i], query, body, w.Code, w.Body)
		}
	})
}
