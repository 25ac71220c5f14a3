package firebase

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

const (
	stPath         = "/firebasestorage.googleapis.com/v0/b/demo-portal.appspot.com/o"
	stDeniedBody   = `{"error":{"code":403,"message":"Permission denied."}}`
	stNotFoundBody = `{"error":{"code":404,"message":"Not Found."}}`
)

func stObjects() []Object {
	return []Object{
		{Name: "users/uidA/avatar.png", Size: 10},
		{Name: "users/uidB/avatar.png", Size: 10},
		{Name: "invoices/2026-01-a.pdf", Owner: "uidA", Size: 100},
		{Name: "invoices/2026-01-b.pdf", Owner: "uidB", Size: 100},
		{Name: "public/logo.svg", Size: 5},
	}
}

// obj is the path of one object.
func obj(name string) string { return stPath + "/" + url.PathEscape(name) }

func TestStorageRules(t *testing.T) {
	type row struct {
		path string
		want [3]int // anon, A, B
	}
	all := func(s int) [3]int { return [3]int{s, s, s} }
	tests := []struct {
		rules Rules
		rows  []row
	}{
		{RulesOpen, []row{{"?delimiter=/", all(200)}, {obj("invoices/2026-01-b.pdf"), all(200)}, {obj("nothing"), all(404)}}},
		{RulesAuthed, []row{{"?prefix=invoices/", [3]int{403, 200, 200}}, {obj("users/uidB/avatar.png"), [3]int{403, 200, 200}}}},
		{RulesLocked, []row{{"", all(403)}, {obj("public/logo.svg"), all(403)}}},
		{RulesOwner, []row{
			{"", all(403)},
			{"?prefix=invoices/&delimiter=/", all(403)}, // list rules cannot see owners
			{"?prefix=users/uidA/&delimiter=/", [3]int{403, 200, 403}},
			{"?prefix=users/uidB/", [3]int{403, 403, 200}},
			{"?prefix=users/uidB", all(403)}, // could list users/uidBX/ too
			{obj("users/uidA/avatar.png"), [3]int{403, 200, 403}},
			{obj("invoices/2026-01-a.pdf"), [3]int{403, 200, 403}}, // owner metadata
			{obj("invoices/2026-01-b.pdf") + "?alt=media", [3]int{403, 403, 200}},
			{obj("users/uidA/missing.png"), [3]int{403, 404, 403}},
		}},
	}
	for _, tc := range tests {
		f := newFixture(t, Options{Storage: Storage{Rules: tc.rules, Objects: stObjects()}})
		for _, r := range tc.rows {
			for i, c := range callers {
				t.Run(tc.rules.String()+"/"+c.name+strings.TrimPrefix(r.path, stPath), func(t *testing.T) {
					path := r.path
					if !strings.HasPrefix(path, "/") {
						path = stPath + path
					}
					got := f.do(http.MethodGet, path, "", bearer("Firebase", f.idToken(c.user))...)
					if got.status != r.want[i] {
						t.Fatalf("status %d, want %d: %s", got.status, r.want[i], got.body)
					}
					switch got.status {
					case 403:
						wantBody(t, got.body, stDeniedBody)
					case 404:
						wantBody(t, got.body, stNotFoundBody)
					}
				})
			}
		}
	}
}

func TestStorageList(t *testing.T) {
	f := newFixture(t, Options{Storage: Storage{Rules: RulesOpen, Objects: stObjects()}})
	tests := []struct {
		name, query, want string
		items             int
	}{
		{"root folders", "?delimiter=/", `{"prefixes":["invoices/","public/","users/"],"items":[]}`, 0},
		{"one folder", "?prefix=invoices/&delimiter=/",
			`{"prefixes":[],"items":[{"name":"invoices/2026-01-a.pdf","bucket":"demo-portal.appspot.com"},{"name":"invoices/2026-01-b.pdf","bucket":"demo-portal.appspot.com"}]}`, 2},
		{"nested folders", "?prefix=users/&delimiter=/", `{"prefixes":["users/uidA/","users/uidB/"],"items":[]}`, 0},
		{"one result", "?prefix=invoices/&delimiter=/&maxResults=1", "", 1},
		{"no delimiter", "?prefix=users/", "", 2},
		{"nothing", "?prefix=zzz/", `{"prefixes":[],"items":[]}`, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := f.srv.ItemsReturned("storage")
			r := f.do(http.MethodGet, stPath+tc.query, "")
			if r.status != 200 {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			if tc.want != "" {
				wantBody(t, r.body, tc.want)
			}
			if got := f.srv.ItemsReturned("storage") - before; got != tc.items {
				t.Errorf("ItemsReturned grew by %d, want %d", got, tc.items)
			}
		})
	}
	// Paging walks every entry once.
	var names []string
	q := "?maxResults=2"
	for range 5 {
		m := f.do(http.MethodGet, stPath+q, "").json(t)
		for _, it := range m["items"].([]any) {
			names = append(names, it.(map[string]any)["name"].(string))
		}
		next, _ := m["nextPageToken"].(string)
		if next == "" {
			break
		}
		q = "?maxResults=2&pageToken=" + url.QueryEscape(next)
	}
	if len(names) != 5 {
		t.Errorf("paged through %v, want all 5 objects", names)
	}
}

func TestStorageObjects(t *testing.T) {
	f := newFixture(t, Options{Storage: Storage{Rules: RulesOwner, Objects: stObjects()}})
	a := f.idToken(userA)
	r := f.do(http.MethodGet, obj("invoices/2026-01-a.pdf"), "", bearer("Bearer", a)...)
	m := r.json(t)
	if r.status != 200 || m["name"] != "invoices/2026-01-a.pdf" || m["bucket"] != "demo-portal.appspot.com" || m["size"] != "100" ||
		m["contentType"] != "application/pdf" || m["metadata"].(map[string]any)["owner"] != "uidA" {
		t.Fatalf("metadata: %d %s", r.status, r.body)
	}
	token := m["downloadTokens"].(string)
	if len(token) != 36 {
		t.Errorf("download token %q is not a UUID", token)
	}
	// A download URL's token works for anyone, rules or not.
	before := f.srv.ItemsReturned("storage")
	r = f.do(http.MethodGet, obj("invoices/2026-01-a.pdf")+"?alt=media&token="+token, "")
	if r.status != 200 || len(r.body) != 100 || r.header.Get("Content-Type") != "application/pdf" {
		t.Errorf("download by token: %d %q", r.status, r.header)
	}
	if f.srv.ItemsReturned("storage")-before != 1 {
		t.Error("a download did not count one item")
	}
	if r := f.do(http.MethodGet, obj("invoices/2026-01-a.pdf")+"?alt=media&token=wrong", ""); r.status != 403 {
		t.Errorf("download with a wrong token: %d", r.status)
	}
	tests := []struct {
		name, method, path, body, tok string
		status                        int
	}{
		{"unknown bucket", "GET", "/firebasestorage.googleapis.com/v0/b/other.appspot.com/o", "", a, 404},
		{"bad route", "GET", "/firebasestorage.googleapis.com/v0/b/demo-portal.appspot.com/x", "", a, 400},
		{"bad maxResults", "GET", stPath + "?prefix=users/uidA/&maxResults=0", "", a, 400},
		{"bad pageToken", "GET", stPath + "?prefix=users/uidA/&pageToken=%21", "", a, 400},
		{"garbage token", "GET", stPath, "", "x.y.z", 401},
		{"A uploads to its folder", "POST", stPath + "?name=users/uidA/new.txt", "hello", a, 200},
		{"A uploads to B's folder", "POST", stPath + "?name=users/uidB/new.txt", "hello", a, 403},
		{"anon uploads", "POST", stPath + "?name=public/x.txt", "hello", "", 403},
		{"A deletes own", "DELETE", obj("users/uidA/new.txt"), "", a, 204},
		{"A deletes B's", "DELETE", obj("invoices/2026-01-b.pdf"), "", a, 403},
		{"A deletes a missing one", "DELETE", obj("users/uidA/none"), "", a, 404},
		{"PUT", "PUT", obj("users/uidA/x"), "", a, 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := f.do(tc.method, tc.path, tc.body, append(bearer("Firebase", tc.tok), "Content-Type", "text/plain")...)
			if r.status != tc.status {
				t.Errorf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
		})
	}
}
