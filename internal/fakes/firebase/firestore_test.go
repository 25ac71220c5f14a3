package firebase

import (
	"encoding/json"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"
)

const (
	fsPath         = "/firestore.googleapis.com/v1/projects/demo-portal/databases/(default)/documents"
	fsDeniedBody   = `{"error":{"code":403,"message":"Missing or insufficient permissions.","status":"PERMISSION_DENIED"}}`
	fsNotFoundBody = `{"error":{"code":404,"message":"Document \"projects/demo-portal/databases/(default)/documents/invoices/i9\" not found.","status":"NOT_FOUND"}}`
)

func fsCollections() map[string][]Doc {
	return map[string][]Doc{
		"users": {
			{ID: "uidA", Fields: map[string]any{"name": "Ann", "role": "member"}},
			{ID: "uidB", Fields: map[string]any{"name": "Bob", "role": "member"}},
		},
		"invoices": {
			{ID: "i1", Fields: map[string]any{"owner": "uidA", "total": 120}},
			{ID: "i2", Fields: map[string]any{"owner": "uidB", "total": 80}},
			{ID: "i3", Fields: map[string]any{"owner": "uidB", "total": 15.5}},
		},
		"users/uidA/orders": {{ID: "o1", Fields: map[string]any{"item": "book"}}},
		"empty":             {},
	}
}

func TestFirestoreRules(t *testing.T) {
	type row struct {
		method, path string
		want         [3]int // anon, A, B
	}
	all := func(s int) [3]int { return [3]int{s, s, s} }
	tests := []struct {
		rules Rules
		rows  []row
	}{
		{RulesOpen, []row{{"GET", "/invoices", all(200)}, {"GET", "/invoices/i2", all(200)}, {"GET", "/invoices/i9", all(404)}, {"GET", "/empty", all(200)}}},
		{RulesAuthed, []row{{"GET", "/invoices", [3]int{403, 200, 200}}, {"GET", "/users/uidB", [3]int{403, 200, 200}}}},
		{RulesLocked, []row{{"GET", "/invoices", all(403)}, {"GET", "/users/uidA", all(403)}}},
		{RulesOwner, []row{
			{"GET", "/invoices", all(403)}, // rules are not filters
			{"GET", "/users", all(403)},
			{"GET", "/invoices/i1", [3]int{403, 200, 403}},
			{"GET", "/invoices/i2", [3]int{403, 403, 200}},
			{"GET", "/invoices/i9", all(403)}, // no resource, no owner
			{"GET", "/users/uidA", [3]int{403, 200, 403}},
			{"GET", "/users/uidB", [3]int{403, 403, 200}},
			{"GET", "/users/uidA/orders", [3]int{403, 200, 403}}, // the path proves ownership
			{"GET", "/users/uidA/orders/o1", [3]int{403, 200, 403}},
		}},
	}
	for _, tc := range tests {
		f := newFixture(t, Options{Firestore: Firestore{Rules: tc.rules, Collections: fsCollections()}})
		for _, r := range tc.rows {
			for i, c := range callers {
				t.Run(tc.rules.String()+"/"+c.name+r.path, func(t *testing.T) {
					got := f.do(r.method, fsPath+r.path, "", bearer("Bearer", f.idToken(c.user))...)
					if got.status != r.want[i] {
						t.Fatalf("status %d, want %d: %s", got.status, r.want[i], got.body)
					}
					switch got.status {
					case 403:
						wantBody(t, got.body, fsDeniedBody)
					case 404:
						wantBody(t, got.body, fsNotFoundBody)
					}
				})
			}
		}
	}
}

func TestFirestoreDocuments(t *testing.T) {
	f := newFixture(t, Options{Firestore: Firestore{Rules: RulesOpen, Collections: fsCollections()}})
	r := f.do(http.MethodGet, fsPath+"/invoices/i3", "")
	wantBody(t, strings.NewReplacer(r.json(t)["createTime"].(string), "T", r.json(t)["updateTime"].(string), "T").Replace(r.body),
		`{"name":"projects/demo-portal/databases/(default)/documents/invoices/i3","fields":{"owner":{"stringValue":"uidB"},"total":{"doubleValue":15.5}},"createTime":"T","updateTime":"T"}`)
	if !strings.HasPrefix(r.body, "{\n  \"name\"") {
		t.Errorf("Google APIs indent JSON by default: %q", r.body[:20])
	}
	if c := r.json(t)["createTime"].(string); len(c) != len("2026-01-01T00:00:00.000000Z") {
		t.Errorf("createTime %q: want microseconds", c)
	}
	if r := f.do(http.MethodGet, fsPath+"/invoices/i1?prettyPrint=false", ""); strings.Contains(r.body, "\n ") {
		t.Errorf("prettyPrint=false answer is indented: %s", r.body)
	}
	if r := f.do(http.MethodGet, fsPath+"/empty", ""); strings.TrimSpace(r.body) != "{}" {
		t.Errorf("empty collection: %s, want {}", r.body)
	}
	r = f.do(http.MethodGet, fsPath+"/invoices/i1?mask.fieldPaths=total", "")
	if fields := r.json(t)["fields"].(map[string]any); len(fields) != 1 || fields["total"] == nil {
		t.Errorf("masked fields %v", fields)
	}
	for _, tc := range []struct {
		name, path string
		status     int
	}{
		{"other project", "/firestore.googleapis.com/v1/projects/other-proj/databases/(default)/documents/users", 404},
		{"other database", "/firestore.googleapis.com/v1/projects/demo-portal/databases/db2/documents/users", 404},
		{"v1beta1", "/firestore.googleapis.com/v1beta1/projects/demo-portal/databases/(default)/documents/users", 404},
		{"documents root", fsPath, 404},
		{"reserved ID", fsPath + "/users/__x__", 400},
		{"bad pageSize", fsPath + "/users?pageSize=abc", 400},
		{"negative pageSize", fsPath + "/users?pageSize=-1", 400},
		{"bad pageToken", fsPath + "/users?pageToken=!!", 400},
		{"bad mask", fsPath + "/users?mask.fieldPaths=a..b", 400},
		{"bad key", fsPath + "/users?key=nope", 400},
		{"garbage bearer", fsPath + "/users", 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var hdr []string
			if tc.name == "garbage bearer" {
				hdr = bearer("Bearer", "abc.def.ghi")
			}
			if r := f.do(http.MethodGet, tc.path, "", hdr...); r.status != tc.status {
				t.Errorf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
		})
	}
}

func TestFirestorePaging(t *testing.T) {
	f := newFixture(t, Options{Firestore: Firestore{Rules: RulesAuthed, Collections: fsCollections()}})
	tok := f.idToken(userA)
	var ids []string
	next := ""
	for range 5 {
		before := f.srv.ItemsReturned("firestore")
		r := f.do(http.MethodGet, fsPath+"/invoices?pageSize=1"+next, "", bearer("Bearer", tok)...)
		if r.status != 200 {
			t.Fatalf("list: %d %s", r.status, r.body)
		}
		if got := f.srv.ItemsReturned("firestore") - before; got != 1 {
			t.Errorf("a page of one counted %d items", got)
		}
		m := r.json(t)
		docs := m["documents"].([]any)
		ids = append(ids, docs[0].(map[string]any)["name"].(string))
		tokn, _ := m["nextPageToken"].(string)
		if tokn == "" {
			break
		}
		next = "&pageToken=" + tokn
	}
	want := []string{"i1", "i2", "i3"}
	if len(ids) != len(want) {
		t.Fatalf("pages %v, want %v", ids, want)
	}
	for i, id := range ids {
		if !strings.HasSuffix(id, "/invoices/"+want[i]) {
			t.Errorf("page %d is %s, want %s", i, id, want[i])
		}
	}
	if r := f.do(http.MethodGet, fsPath+"/invoices", "", bearer("Bearer", tok)...); len(r.json(t)["documents"].([]any)) != 3 {
		t.Errorf("default page: %s", r.body)
	}
}

func TestFirestoreValues(t *testing.T) {
	ts := time.Date(2026, 5, 1, 12, 30, 0, 123456000, time.UTC)
	f := newFixture(t, Options{Firestore: Firestore{Rules: RulesOpen, Collections: map[string][]Doc{"things": {{ID: "t1", Fields: map[string]any{
		"s": "x", "i": 42, "big": int64(math.MaxInt64), "d": 1.5, "whole": 2.0, "b": true, "n": nil, "t": ts, "bytes": []byte("hi"),
		"arr": []any{1, "two"}, "strs": []string{"a"}, "m": map[string]any{"k": "v"}, "em": map[string]any{}, "ea": []any{}, "nan": math.NaN(),
	}}}}}})
	r := f.do(http.MethodGet, fsPath+"/things/t1", "")
	want := `{"arr":{"arrayValue":{"values":[{"integerValue":"1"},{"stringValue":"two"}]}},"b":{"booleanValue":true},` +
		`"big":{"integerValue":"9223372036854775807"},"bytes":{"bytesValue":"aGk="},"d":{"doubleValue":1.5},"ea":{"arrayValue":{}},` +
		`"em":{"mapValue":{}},"i":{"integerValue":"42"},"m":{"mapValue":{"fields":{"k":{"stringValue":"v"}}}},"n":{"nullValue":null},` +
		`"nan":{"doubleValue":"NaN"},"s":{"stringValue":"x"},"strs":{"arrayValue":{"values":[{"stringValue":"a"}]}},` +
		`"t":{"timestampValue":"2026-05-01T12:30:00.123456Z"},"whole":{"doubleValue":2}}`
	if got := mustJSON(t, r.json(t)["fields"]); got != want {
		t.Errorf("fields\n%s\nwant\n%s", got, want)
	}
	// What a client writes comes back the same.
	body := `{"fields":` + want + `}`
	if r := f.do(http.MethodPatch, fsPath+"/things/t2", body); r.status != 200 || mustJSON(t, r.json(t)["fields"]) != want {
		t.Errorf("round trip: %d\n%s", r.status, r.body)
	}
	d, ok := f.srv.Doc("things", "t2")
	if !ok || d.Fields["i"] != int64(42) || !d.Fields["t"].(time.Time).Equal(ts) {
		t.Errorf("stored %v", d.Fields)
	}
	for _, bad := range []string{
		`{"fields":{"x":{"stringValue":"a","integerValue":"1"}}}`,
		`{"fields":{"x":{"integerValue":"1.5"}}}`,
		`{"fields":{"x":{"timestampValue":"yesterday"}}}`,
		`{"fields":{"x":{"fooValue":1}}}`,
		`{"fields":{"x":{"arrayValue":{"values":[{"arrayValue":{}}]}}}}`,
		`{"fields":{"x":5}}`,
		`{"fields":{}, "owner":"me"}`,
		`{"name":"projects/demo-portal/databases/(default)/documents/things/other"}`,
	} {
		if r := f.do(http.MethodPatch, fsPath+"/things/t3", bad); r.status != 400 {
			t.Errorf("PATCH %s: %d %s, want 400", bad, r.status, r.body)
		}
	}
}

func TestFirestoreWrites(t *testing.T) {
	f := newFixture(t, Options{Firestore: Firestore{Rules: RulesOwner, Collections: fsCollections()}})
	a, b := f.idToken(userA), f.idToken(userB)
	tests := []struct {
		name, method, path, body, tok string
		status                        int
	}{
		{"anon creates", "PATCH", "/invoices/i9", `{"fields":{"owner":{"stringValue":""}}}`, "", 403},
		{"A updates own total", "PATCH", "/invoices/i1?updateMask.fieldPaths=total", `{"fields":{"total":{"integerValue":"1"}}}`, a, 200},
		{"A gives own away", "PATCH", "/invoices/i1?updateMask.fieldPaths=owner", `{"fields":{"owner":{"stringValue":"uidB"}}}`, a, 403},
		{"A edits B's", "PATCH", "/invoices/i2?updateMask.fieldPaths=total", `{"fields":{"total":{"integerValue":"0"}}}`, a, 403},
		{"A creates its own", "PATCH", "/invoices/i9?currentDocument.exists=false", `{"fields":{"owner":{"stringValue":"uidA"}}}`, a, 200},
		{"A creates again", "PATCH", "/invoices/i9?currentDocument.exists=false", `{"fields":{"owner":{"stringValue":"uidA"}}}`, a, 409},
		{"A updates a missing one", "PATCH", "/invoices/i7?currentDocument.exists=true", `{"fields":{"owner":{"stringValue":"uidA"}}}`, a, 404},
		{"A creates one for B", "PATCH", "/invoices/i8", `{"fields":{"owner":{"stringValue":"uidB"}}}`, a, 403},
		{"B writes own profile", "PATCH", "/users/uidB?updateMask.fieldPaths=role", `{"fields":{"role":{"stringValue":"admin"}}}`, b, 200},
		{"B writes A's profile", "PATCH", "/users/uidA?updateMask.fieldPaths=role", `{"fields":{"role":{"stringValue":"guest"}}}`, b, 403},
		{"B deletes A's invoice", "DELETE", "/invoices/i1", "", b, 403},
		{"A deletes own", "DELETE", "/invoices/i9", "", a, 200},
		{"PUT is no method", "PUT", "/invoices/i1", "{}", a, 404},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := f.do(tc.method, fsPath+tc.path, tc.body, bearer("Bearer", tc.tok)...)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
		})
	}
	if d, _ := f.srv.Doc("invoices", "i1"); d.Fields["total"] != int64(1) || d.Fields["owner"] != "uidA" {
		t.Errorf("i1 after the masked update: %v", d.Fields)
	}
	if d, _ := f.srv.Doc("users", "uidB"); d.Fields["role"] != "admin" || d.Fields["name"] != "Bob" {
		t.Errorf("B's profile after the masked update: %v", d.Fields)
	}
	if _, ok := f.srv.Doc("invoices", "i9"); ok {
		t.Error("i9 survived its delete")
	}
}

// TestRoleFromProfile is the self-escalation flaw: B makes itself admin
// through its own profile and then reads everything.
func TestRoleFromProfile(t *testing.T) {
	for _, flawed := range []bool{true, false} {
		name := map[bool]string{true: "flawed", false: "sound"}[flawed]
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, Options{Firestore: Firestore{Rules: RulesOwner, Collections: fsCollections(), RoleFromProfile: flawed}})
			b := f.idToken(userB)
			get := func(p string) int { return f.do(http.MethodGet, fsPath+p, "", bearer("Bearer", b)...).status }
			if s := get("/invoices"); s != 403 {
				t.Fatalf("B lists invoices before escalating: %d", s)
			}
			r := f.do(http.MethodPatch, fsPath+"/users/uidB?updateMask.fieldPaths=role",
				`{"fields":{"role":{"stringValue":"admin"}}}`, bearer("Bearer", b)...)
			if r.status != 200 {
				t.Fatalf("B writes its role: %d %s", r.status, r.body)
			}
			want := map[bool]int{true: 200, false: 403}[flawed]
			for _, p := range []string{"/invoices", "/users", "/invoices/i1", "/users/uidA"} {
				if s := get(p); s != want {
					t.Errorf("B reads %s after escalating: %d, want %d", p, s, want)
				}
			}
			if flawed {
				r := f.do(http.MethodGet, fsPath+"/users", "", bearer("Bearer", b)...)
				if n := len(r.json(t)["documents"].([]any)); n != 2 {
					t.Errorf("admin B listed %d users, want 2", n)
				}
			}
		})
	}
}

func TestFirestoreRunQuery(t *testing.T) {
	f := newFixture(t, Options{Firestore: Firestore{Rules: RulesOwner, Collections: fsCollections()}})
	query := func(where string, limit int) string {
		q := map[string]any{"from": []any{map[string]any{"collectionId": "invoices"}}}
		if where != "" {
			q["where"] = json.RawMessage(where)
		}
		if limit > 0 {
			q["limit"] = limit
		}
		return mustJSON(t, map[string]any{"structuredQuery": q})
	}
	ownerIs := func(uid string) string {
		return `{"fieldFilter":{"field":{"fieldPath":"owner"},"op":"EQUAL","value":{"stringValue":"` + uid + `"}}}`
	}
	b := f.idToken(userB)
	tests := []struct {
		name, body, tok string
		status, docs    int
	}{
		{"B's own invoices", query(ownerIs("uidB"), 0), b, 200, 2},
		{"B's own, limited", query(ownerIs("uidB"), 1), b, 200, 1},
		{"B's own and big", query(`{"compositeFilter":{"op":"AND","filters":[`+ownerIs("uidB")+`,{"fieldFilter":{"field":{"fieldPath":"total"},"op":"GREATER_THAN","value":{"integerValue":"50"}}}]}}`, 0), b, 200, 1},
		{"B asks for A's", query(ownerIs("uidA"), 0), b, 403, 0},
		{"B asks for all", query("", 0), b, 403, 0},
		{"anon asks for B's", query(ownerIs("uidB"), 0), "", 403, 0},
		{"no collection", `{"structuredQuery":{}}`, b, 400, 0},
		{"OR filter", query(`{"compositeFilter":{"op":"OR","filters":[]}}`, 0), b, 400, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := f.srv.ItemsReturned("firestore")
			r := f.do(http.MethodPost, fsPath+":runQuery", tc.body, bearer("Bearer", tc.tok)...)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			if got := f.srv.ItemsReturned("firestore") - before; got != tc.docs {
				t.Errorf("%d documents counted, want %d", got, tc.docs)
			}
			if tc.status != 200 {
				return
			}
			var out []map[string]any
			if err := json.Unmarshal([]byte(r.body), &out); err != nil || len(out) != tc.docs {
				t.Errorf("answer %s: want %d results", r.body, tc.docs)
			}
		})
	}
}
