package supabase

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// rowID finds the id of the row with this title.
func rowID(t *testing.T, s *Server, table, title string) string {
	t.Helper()
	for _, r := range s.Rows(table) {
		if r["title"] == title {
			return textOf(r["id"])
		}
	}
	t.Fatalf("no row %q in %s", title, table)
	return ""
}

// TestRLS: what anon, user A, user B and the service role may do on a
// table with and without row-level security: select, HEAD with a count,
// insert, update and delete. A fresh project per case.
func TestRLS(t *testing.T) {
	type want struct {
		visible  int    // rows a select returns
		insert   int    // status of inserting a row owned by the caller
		updated  int    // rows a PATCH of A's row a1 changes
		deleted  int    // rows a DELETE of B's row b1 removes
		violates string // body of the insert refusal, if any
	}
	rlsAnon := `{"code":"42501","details":null,"hint":null,"message":"new row violates row-level security policy for table \"notes\""}`
	tests := []struct {
		table, role string
		want        want
	}{
		{"notes", "anon", want{visible: 0, insert: 401, violates: rlsAnon}},
		{"notes", "A", want{visible: 2, insert: 201, updated: 1}},
		{"notes", "B", want{visible: 1, insert: 201, deleted: 1}},
		{"notes", "service", want{visible: 3, insert: 201, updated: 1, deleted: 1}},
		{"posts", "anon", want{visible: 3, insert: 201, updated: 1, deleted: 1}},
		{"posts", "A", want{visible: 3, insert: 201, updated: 1, deleted: 1}},
		{"posts", "B", want{visible: 3, insert: 201, updated: 1, deleted: 1}},
		{"posts", "service", want{visible: 3, insert: 201, updated: 1, deleted: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.table+"/"+tc.role, func(t *testing.T) {
			s, base := fake(t, project())
			tok := roleTokens(t, s, base)[tc.role]
			call := func(method, path, body string, headers ...string) response {
				return do(t, base, req{method: method, path: "/rest/v1/" + tc.table + path, apikey: s.AnonKey(), token: tok, body: body, headers: headers})
			}
			if r := call("GET", "?select=*", ""); r.status != 200 || len(r.array(t)) != tc.want.visible {
				t.Errorf("select: %d %s, want %d rows", r.status, r.body, tc.want.visible)
			}
			r := call("HEAD", "?select=*&limit=1", "", "Prefer: count=exact")
			wantRange, wantStatus := fmt.Sprintf("0-0/%d", tc.want.visible), http.StatusPartialContent
			if tc.want.visible <= 1 {
				wantRange, wantStatus = map[int]string{0: "*/0", 1: "0-0/1"}[tc.want.visible], http.StatusOK
			}
			if r.status != wantStatus || r.header.Get("Content-Range") != wantRange || len(r.body) != 0 {
				t.Errorf("HEAD count: %d %q body %q, want %d %q", r.status, r.header.Get("Content-Range"), r.body, wantStatus, wantRange)
			}
			r = call("POST", "", `{"title":"new"}`)
			if r.status != tc.want.insert || tc.want.violates != "" && !sameJSON(t, r.body, tc.want.violates) {
				t.Errorf("insert: %d %s, want %d", r.status, r.body, tc.want.insert)
			}
			r = call("PATCH", "?id=eq."+rowID(t, s, tc.table, map[string]string{"notes": "a1", "posts": "p1"}[tc.table]),
				`{"title":"changed"}`, "Prefer: return=representation")
			if r.status != 200 || len(r.array(t)) != tc.want.updated {
				t.Errorf("update: %d %s, want %d rows", r.status, r.body, tc.want.updated)
			}
			before := len(s.Rows(tc.table))
			r = call("DELETE", "?id=eq."+rowID(t, s, tc.table, map[string]string{"notes": "b1", "posts": "p2"}[tc.table]), "")
			if r.status != http.StatusNoContent || before-len(s.Rows(tc.table)) != tc.want.deleted {
				t.Errorf("delete: %d %s, removed %d rows, want %d", r.status, r.body, before-len(s.Rows(tc.table)), tc.want.deleted)
			}
		})
	}
}

// TestWithCheck: a user may not write rows it would not own.
func TestWithCheck(t *testing.T) {
	s, base := fake(t, project())
	tok := roleTokens(t, s, base)
	violation := `{"code":"42501","details":null,"hint":null,"message":"new row violates row-level security policy for table \"notes\""}`
	tests := []struct {
		name, method, path, body string
		status                   int
	}{
		{"insert for another user", "POST", "/rest/v1/notes", `{"title":"x","user_id":"` + idB + `"}`, 403},
		{"give own row away", "PATCH", "/rest/v1/notes?title=eq.a1", `{"user_id":"` + idB + `"}`, 403},
	}
	for _, tc := range tests {
		r := do(t, base, req{method: tc.method, path: tc.path, apikey: s.AnonKey(), token: tok["A"], body: tc.body})
		if r.status != tc.status || !sameJSON(t, r.body, violation) {
			t.Errorf("%s: %d %s", tc.name, r.status, r.body)
		}
	}
	r := do(t, base, req{method: "POST", path: "/rest/v1/notes?select=title,owner:user_id", apikey: s.AnonKey(), token: tok["A"],
		body: `[{"title":"n1"},{"title":"n2"}]`, headers: []string{"Prefer: return=representation"}})
	if r.status != 201 || !sameJSON(t, r.body, `[{"title":"n1","owner":"`+idA+`"},{"title":"n2","owner":"`+idA+`"}]`) {
		t.Errorf("insert with the owner defaulted to auth.uid(): %d %s", r.status, r.body)
	}
	if r.header.Get("Preference-Applied") != "return=representation" {
		t.Errorf("Preference-Applied %q", r.header.Get("Preference-Applied"))
	}
}

// TestRowsReturned counts rows in bodies only: HEAD and counts carry none.
func TestRowsReturned(t *testing.T) {
	s, base := fake(t, project())
	key := s.ServiceRoleKey()
	steps := []struct {
		q    req
		want int // RowsReturned("posts") after the step
	}{
		{req{method: "HEAD", path: "/rest/v1/posts?select=*", headers: []string{"Prefer: count=exact"}}, 0},
		{req{method: "GET", path: "/rest/v1/posts?select=id&limit=1", headers: []string{"Prefer: count=exact"}}, 1},
		{req{method: "GET", path: "/rest/v1/posts?select=id", headers: []string{"Range: 0-0"}}, 2},
		{req{method: "GET", path: "/rest/v1/posts?select=id&title=eq.p2", headers: []string{"Accept: application/vnd.pgrst.object+json"}}, 3},
		{req{method: "GET", path: "/rest/v1/posts"}, 6},
		{req{method: "POST", path: "/rest/v1/posts", body: `{"title":"p4"}`}, 6},
		{req{method: "POST", path: "/rest/v1/posts", body: `{"title":"p5"}`, headers: []string{"Prefer: return=representation"}}, 7},
		{req{method: "PATCH", path: "/rest/v1/posts?title=eq.p5", body: `{"score":9}`}, 7},
		{req{method: "DELETE", path: "/rest/v1/posts?title=eq.p5", headers: []string{"Prefer: return=representation"}}, 8},
		{req{method: "GET", path: "/rest/v1/notes?limit=1"}, 8},
	}
	for i, st := range steps {
		st.q.apikey, st.q.token = key, key
		r := do(t, base, st.q)
		if r.status >= 300 {
			t.Fatalf("step %d: %d %s", i, r.status, r.body)
		}
		if got := s.RowsReturned("posts"); got != st.want {
			t.Errorf("step %d (%s %s): RowsReturned %d, want %d", i, st.q.method, st.q.path, got, st.want)
		}
	}
	if got := s.RowsReturned("notes"); got != 1 {
		t.Errorf("notes: %d", got)
	}
	if s.Requests() != len(steps) {
		t.Errorf("Requests %d, want %d", s.Requests(), len(steps))
	}
}

// TestRanges: Content-Range and status as PostgREST's "Pagination and
// Count" chapter gives them.
func TestRanges(t *testing.T) {
	s, base := fake(t, project())
	tests := []struct {
		path    string
		headers []string
		status  int
		rng     string
		rows    int
	}{
		{"?select=id", nil, 200, "0-2/*", 3},
		{"?select=id", []string{"Prefer: count=exact"}, 200, "0-2/3", 3},
		{"?select=id&limit=2&offset=1", []string{"Prefer: count=exact"}, 206, "1-2/3", 2},
		{"?select=id", []string{"Range-Unit: items", "Range: 0-0", "Prefer: count=planned"}, 206, "0-0/3", 1},
		{"?select=id&title=eq.none", []string{"Prefer: count=exact"}, 200, "*/0", 0},
		{"?select=id&title=eq.none", nil, 200, "*/*", 0},
		{"?select=id&offset=3", []string{"Prefer: count=exact"}, 206, "*/3", 0},
		{"?select=id&offset=9", []string{"Prefer: count=exact"}, 416, "*/3", -1},
		{"?select=id&order=score.desc&limit=1", nil, 200, "0-0/*", 1},
	}
	for _, tc := range tests {
		r := do(t, base, req{method: "GET", path: "/rest/v1/posts" + tc.path, apikey: s.AnonKey(), headers: tc.headers})
		if r.status != tc.status || r.header.Get("Content-Range") != tc.rng {
			t.Errorf("%s %v: %d %q %s, want %d %q", tc.path, tc.headers, r.status, r.header.Get("Content-Range"), r.body, tc.status, tc.rng)
			continue
		}
		if tc.rows >= 0 && len(r.array(t)) != tc.rows {
			t.Errorf("%s: %d rows, want %d", tc.path, len(r.array(t)), tc.rows)
		}
	}
	r := do(t, base, req{method: "GET", path: "/rest/v1/posts?select=id&offset=9", apikey: s.AnonKey(), headers: []string{"Prefer: count=exact"}})
	if !sameJSON(t, r.body, `{"code":"PGRST103","details":"An offset of 9 was requested, but there are only 3 rows.","hint":null,"message":"Requested range not satisfiable"}`) {
		t.Errorf("416 body %s", r.body)
	}
}

// TestFilters: the operators, select lists and order.
func TestFilters(t *testing.T) {
	s, base := fake(t, project())
	tests := []struct {
		query string
		want  []string // titles, in order
	}{
		{"title=eq.p2", []string{"p2"}},
		{"title=neq.p2", []string{"p1", "p3"}},
		{"score=gt.1&order=score", []string{"p3", "p1"}},
		{"score=lte.2&order=score.desc", []string{"p3", "p2"}},
		{"title=in.(p1,\"p3\")", []string{"p1", "p3"}},
		{"title=not.in.(p1,p3)", []string{"p2"}},
		{"title=like.p*", []string{"p1", "p2", "p3"}},
		{"title=ilike.P_", []string{"p1", "p2", "p3"}},
		{"user_id=is.null", []string{"p3"}},
		{"user_id=not.is.null", []string{"p1", "p2"}},
		{"user_id=neq." + idA, []string{"p2"}}, // NULL is neither equal nor unequal
		{"user_id=isdistinct." + idA, []string{"p2", "p3"}},
		{"user_id=eq." + strings.ToUpper(idA), []string{"p1"}},
		{"order=user_id.desc.nullslast,title", []string{"p2", "p1", "p3"}},
		{"order=user_id.asc.nullsfirst", []string{"p3", "p1", "p2"}},
		{"title=p2", []string{"p1", "p2", "p3"}}, // no operator: not a filter
		{"score=gte.2&score=lt.3", []string{"p3"}},
	}
	for _, tc := range tests {
		r := do(t, base, req{method: "GET", path: "/rest/v1/posts?select=title&" + tc.query, apikey: s.AnonKey()})
		var got []string
		if r.status == 200 {
			for _, row := range r.array(t) {
				got = append(got, row.(map[string]any)["title"].(string))
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: %d %s, want %v", tc.query, r.status, r.body, tc.want)
		}
	}
}

// TestSelectShape: columns in table order, aliases, and one object for the
// singular Accept type.
func TestSelectShape(t *testing.T) {
	s, base := fake(t, project())
	r := do(t, base, req{method: "GET", path: "/rest/v1/posts?title=eq.p1", apikey: s.AnonKey()})
	if !strings.HasPrefix(string(r.body), `[{"id":1,"score":3,"title":"p1","user_id":"`+idA+`"}`) {
		t.Errorf("select *: %s", r.body)
	}
	r = do(t, base, req{method: "GET", path: "/rest/v1/posts?select=t:title,score&title=eq.p1", apikey: s.AnonKey(),
		headers: []string{"Accept: application/vnd.pgrst.object+json"}})
	if r.status != 200 || string(r.body) != `{"t":"p1","score":3}` || !strings.HasPrefix(r.header.Get("Content-Type"), "application/vnd.pgrst.object+json") {
		t.Errorf("singular: %d %s %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	r = do(t, base, req{method: "GET", path: "/rest/v1/posts", apikey: s.AnonKey(), headers: []string{"Accept: application/vnd.pgrst.object+json"}})
	if r.status != 406 || !sameJSON(t, r.body, `{"code":"PGRST116","details":"The result contains 3 rows","hint":null,"message":"JSON object requested, multiple (or no) rows returned"}`) {
		t.Errorf("singular of 3: %d %s", r.status, r.body)
	}
}

// TestOpenAPIRoot: GET /rest/v1/ lists the tables and functions, unless
// HideRoot refuses the anon key as hosted projects now do.
func TestOpenAPIRoot(t *testing.T) {
	for _, hide := range []bool{false, true} {
		t.Run(fmt.Sprintf("HideRoot=%v", hide), func(t *testing.T) {
			opts := project()
			opts.HideRoot = hide
			s, base := fake(t, opts)
			r := do(t, base, req{method: "GET", path: "/rest/v1/", apikey: s.AnonKey()})
			if hide {
				want := `{"message":"Access to schema is forbidden","hint":"Accessing the schema via the Data API is only allowed using a secret API key."}`
				if r.status != 401 || !sameJSON(t, r.body, want) {
					t.Errorf("anon: %d %s", r.status, r.body)
				}
				r = do(t, base, req{method: "GET", path: "/rest/v1/", apikey: s.ServiceRoleKey()})
			}
			if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "application/openapi+json") {
				t.Fatalf("root: %d %s", r.status, r.header.Get("Content-Type"))
			}
			spec := r.object(t)
			paths := spec["paths"].(map[string]any)
			for _, p := range []string{"/", "/notes", "/posts", "/rpc/whoami", "/rpc/echo", "/rpc/fail", "/rpc/noop"} {
				if paths[p] == nil {
					t.Errorf("paths lack %s", p)
				}
			}
			if spec["swagger"] != "2.0" || len(paths) != 7 {
				t.Errorf("spec %v with %d paths", spec["swagger"], len(paths))
			}
			props := spec["definitions"].(map[string]any)["posts"].(map[string]any)["properties"].(map[string]any)
			if props["score"].(map[string]any)["format"] != "bigint" || props["user_id"].(map[string]any)["format"] != "uuid" {
				t.Errorf("posts definition %v", props)
			}
		})
	}
}

// TestMetadataRole: with MetadataRoleTrusted, a user who writes
// user_metadata.role = "admin" reads every row once its token carries it.
func TestMetadataRole(t *testing.T) {
	for _, trusted := range []bool{false, true} {
		t.Run(fmt.Sprintf("trusted=%v", trusted), func(t *testing.T) {
			opts := project()
			opts.MetadataRoleTrusted = trusted
			s, base := fake(t, opts)
			b := login(t, s, base, "bob@portal.test", "pw-bob")
			count := func(tok string) int {
				r := do(t, base, req{method: "GET", path: "/rest/v1/notes", apikey: s.AnonKey(), token: tok})
				return len(r.array(t))
			}
			r := do(t, base, req{method: "PUT", path: "/auth/v1/user", apikey: s.AnonKey(), token: b.access, body: `{"data":{"role":"admin"}}`})
			if r.status != 200 {
				t.Fatalf("update: %d %s", r.status, r.body)
			}
			if n := count(b.access); n != 1 {
				t.Errorf("the old token's claims still say no admin: %d rows", n)
			}
			r = refresh(t, s, base, b.refresh)
			want := map[bool]int{false: 1, true: 3}[trusted]
			if n := count(r.object(t)["access_token"].(string)); n != want {
				t.Errorf("after refresh: %d rows, want %d", n, want)
			}
			r = do(t, base, req{method: "PATCH", path: "/rest/v1/notes?title=eq.a1", apikey: s.AnonKey(),
				token: r.object(t)["access_token"].(string), body: `{"title":"x"}`, headers: []string{"Prefer: return=representation"}})
			if len(r.array(t)) != 0 {
				t.Errorf("the admin role opened writes too: %s", r.body)
			}
		})
	}
}

// TestRPC: functions get the caller's uid and their result; unknown ones
// are PGRST202.
func TestRPC(t *testing.T) {
	s, base := fake(t, project())
	tok := roleTokens(t, s, base)
	tests := []struct {
		name, method, path, token, body string
		status                          int
		want                            string
	}{
		{"uid of A", "POST", "/rpc/whoami", tok["A"], `{}`, 200, `"` + idA + `"`},
		{"anon has no uid", "POST", "/rpc/whoami", tok["anon"], "", 200, `""`},
		{"arguments", "POST", "/rpc/echo", tok["anon"], `{"n":12345678901234567890}`, 200, `{"n":12345678901234567890}`},
		{"GET arguments", "GET", "/rpc/echo?a=1", tok["anon"], "", 200, `{"a":"1"}`},
		{"error", "POST", "/rpc/fail", tok["A"], `{}`, 400, `{"code":"P0001","details":null,"hint":null,"message":"nope"}`},
		{"void", "POST", "/rpc/noop", tok["A"], `{}`, 204, ""},
		{"unknown", "POST", "/rpc/missing", tok["A"], `{"b":1,"a":2}`, 404,
			`{"code":"PGRST202","details":"Searched for the function public.missing with parameters a, b or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.","hint":null,"message":"Could not find the function public.missing(a, b) in the schema cache"}`},
		{"wrong verb", "DELETE", "/rpc/whoami", tok["A"], "", 405, `{"code":"PGRST101","details":null,"hint":null,"message":"Cannot use the DELETE method on RPC"}`},
	}
	for _, tc := range tests {
		r := do(t, base, req{method: tc.method, path: "/rest/v1" + tc.path, apikey: s.AnonKey(), token: tc.token, body: tc.body})
		if r.status != tc.status || tc.want != "" && string(r.body) != tc.want && !sameJSON(t, r.body, tc.want) {
			t.Errorf("%s: %d %s, want %d %s", tc.name, r.status, r.body, tc.status, tc.want)
		}
	}
}

// TestRowsCopy: Rows and UserByEmail hand out copies.
func TestRowsCopy(t *testing.T) {
	s, _ := fake(t, project())
	rows := s.Rows("posts")
	rows[0]["title"] = "changed"
	if s.Rows("posts")[0]["title"] != "p1" {
		t.Error("Rows shares the table's maps")
	}
	if rows[0]["id"] != json.Number("1") || s.Rows("nope") != nil {
		t.Errorf("ids %v", rows[0]["id"])
	}
}
