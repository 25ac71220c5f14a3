package supabase

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// TestHostileInput: malformed requests get the service's 4xx, never a
// panic or a 5xx.
func TestHostileInput(t *testing.T) {
	s, base := fake(t, project())
	huge := `{"title":"` + strings.Repeat("x", maxBody+10) + `"}`
	tests := []struct {
		name, method, path, body string
		headers                  []string
		status                   int
		code                     string // "code" of a PostgREST error body
	}{
		{"bad JSON insert", "POST", "/rest/v1/posts", `{"title":`, nil, 400, "PGRST102"},
		{"scalar insert", "POST", "/rest/v1/posts", `42`, nil, 400, "PGRST102"},
		{"empty insert", "POST", "/rest/v1/posts", ``, nil, 400, "PGRST102"},
		{"mismatched keys", "POST", "/rest/v1/posts", `[{"title":"a"},{"score":1}]`, nil, 400, "PGRST102"},
		{"unknown column insert", "POST", "/rest/v1/posts", `{"nope":1}`, nil, 400, "PGRST204"},
		{"wrong type insert", "POST", "/rest/v1/posts", `{"score":"many"}`, nil, 400, "22P02"},
		{"duplicate id", "POST", "/rest/v1/posts", `{"id":1}`, nil, 409, "23505"},
		{"huge body", "POST", "/rest/v1/posts", huge, nil, 413, ""},
		{"filter without value", "GET", "/rest/v1/posts?id=eq", "", nil, 400, "PGRST100"},
		{"unknown negated operator", "GET", "/rest/v1/posts?id=not.foo.1", "", nil, 400, "PGRST100"},
		{"unclosed list", "GET", "/rest/v1/posts?id=in.(1,2", "", nil, 400, "PGRST100"},
		{"bad is", "GET", "/rest/v1/posts?id=is.maybe", "", nil, 400, "PGRST100"},
		{"bad order", "GET", "/rest/v1/posts?order=id.sideways", "", nil, 400, "PGRST100"},
		{"bad select", "GET", "/rest/v1/posts?select=id,(", "", nil, 400, "PGRST100"},
		{"text for bigint", "GET", "/rest/v1/posts?id=eq.abc", "", nil, 400, "22P02"},
		{"text for uuid", "GET", "/rest/v1/posts?user_id=eq.me", "", nil, 400, "22P02"},
		{"like on bigint", "GET", "/rest/v1/posts?id=like.1*", "", nil, 404, "42883"},
		{"unknown column filter", "GET", "/rest/v1/posts?nope=eq.1", "", nil, 400, "42703"},
		{"unknown column select", "GET", "/rest/v1/posts?select=nope", "", nil, 400, "42703"},
		{"aggregate", "GET", "/rest/v1/posts?select=count()", "", nil, 400, "PGRST123"},
		{"embedding", "GET", "/rest/v1/posts?select=*,users(*)", "", nil, 400, "PGRST200"},
		{"embedded filter", "GET", "/rest/v1/posts?users.id=eq.1", "", nil, 400, "PGRST108"},
		{"or tree", "GET", "/rest/v1/posts?or=(id.eq.1,id.eq.2)", "", nil, 400, "PGRST127"},
		{"full-text search", "GET", "/rest/v1/posts?title=fts.p1", "", nil, 400, "PGRST127"},
		{"negative limit", "GET", "/rest/v1/posts?limit=-1", "", nil, 416, "PGRST103"},
		{"backwards Range", "GET", "/rest/v1/posts", "", []string{"Range: 5-2"}, 416, "PGRST103"},
		{"update without filter", "PATCH", "/rest/v1/posts", `{"score":1}`, nil, 400, "21000"},
		{"delete without filter", "DELETE", "/rest/v1/posts", "", nil, 400, "21000"},
		{"array patch", "PATCH", "/rest/v1/posts?id=eq.1", `[{"score":1}]`, nil, 400, "PGRST102"},
		{"null id", "PATCH", "/rest/v1/posts?id=eq.1", `{"id":null}`, nil, 400, "23502"},
		{"unknown table", "GET", "/rest/v1/secrets", "", nil, 404, "PGRST205"},
		{"nested path", "GET", "/rest/v1/posts/1", "", nil, 404, "PGRST125"},
		{"PUT", "PUT", "/rest/v1/posts?id=eq.1", `{"id":1}`, nil, 400, "PGRST127"},
		{"garbage bearer", "GET", "/rest/v1/posts", "", []string{"Authorization: Bearer garbage"}, 401, "PGRST301"},
		{"bad RPC body", "POST", "/rest/v1/rpc/echo", `[1]`, nil, 400, "PGRST102"},
		{"token bad JSON", "POST", "/auth/v1/token?grant_type=password", `{`, nil, 400, ""},
		{"storage bad JSON", "POST", "/storage/v1/object/list/docs", `{`, nil, 400, ""},
		{"storage no prefix", "POST", "/storage/v1/object/list/docs", `{}`, nil, 400, ""},
		{"storage bad limit", "POST", "/storage/v1/object/list/docs", `{"prefix":"","limit":0}`, nil, 400, ""},
		{"storage garbage bearer", "GET", "/storage/v1/bucket", "", []string{"Authorization: Bearer x.y.z"}, 400, ""},
		{"huge offset", "GET", "/rest/v1/posts?offset=9223372036854775807&limit=9223372036854775807", "", nil, 200, ""},
		{"bad escapes", "GET", "/rest/v1/posts?id=eq.%zz&select=%", "", nil, 200, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, base, req{method: tc.method, path: tc.path, apikey: s.AnonKey(), body: tc.body, headers: tc.headers})
			if r.status != tc.status {
				t.Fatalf("got %d %s, want %d", r.status, r.body, tc.status)
			}
			if tc.code != "" {
				if m := r.object(t); m["code"] != tc.code || m["message"] == nil || !hasKeys(m, "details", "hint") {
					t.Errorf("body %s, want code %s", r.body, tc.code)
				}
			}
		})
	}
	if n := len(s.Rows("posts")); n != 3 {
		t.Errorf("refused writes changed the table: %d rows", n)
	}
}

func hasKeys(m map[string]any, keys ...string) bool {
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			return false
		}
	}
	return true
}

// TestUnknownTableBody: the exact PGRST205 body.
func TestUnknownTableBody(t *testing.T) {
	s, base := fake(t, project())
	r := do(t, base, req{method: "GET", path: "/rest/v1/secrets?select=*", apikey: s.AnonKey()})
	want := `{"code":"PGRST205","details":null,"hint":null,"message":"Could not find the table 'public.secrets' in the schema cache"}`
	if r.status != 404 || !sameJSON(t, r.body, want) {
		t.Errorf("%d %s", r.status, r.body)
	}
}

// TestConcurrent: logins, reads and writes from many goroutines (run
// with -race).
func TestConcurrent(t *testing.T) {
	s, base := fake(t, project())
	send := func(method, path, token, body string) (int, string) {
		r, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		r.Header.Set("apikey", s.AnonKey())
		if token != "" {
			r.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(raw)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			status, body := send("POST", "/auth/v1/token?grant_type=password", "", `{"email":"alice@portal.test","password":"pw-alice"}`)
			var tok struct {
				Access string `json:"access_token"`
			}
			if err := json.Unmarshal([]byte(body), &tok); status != 200 || err != nil {
				t.Errorf("login: %d %s", status, body)
				return
			}
			for i := range 10 {
				if status, body := send("POST", "/rest/v1/notes", tok.Access, fmt.Sprintf(`{"title":"g%d-%d"}`, g, i)); status != 201 {
					t.Errorf("insert: %d %s", status, body)
				}
				if status, body := send("GET", "/rest/v1/notes?limit=1", tok.Access, ""); status != 200 {
					t.Errorf("read: %d %s", status, body)
				}
				s.Rows("notes")
				s.RowsReturned("notes")
			}
		})
	}
	wg.Wait()
	if n := len(s.Rows("notes")); n != 3+80 {
		t.Errorf("%d rows, want 83", n)
	}
	if s.RowsReturned("notes") != 80 {
		t.Errorf("RowsReturned %d, want 80", s.RowsReturned("notes"))
	}
}

// TestNoPanicOnOddRequests drives the handler directly with requests a
// client library would never send.
func TestNoPanicOnOddRequests(t *testing.T) {
	s, err := New(project())
	if err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{"/rest/v1", "/rest/v1/rpc/", "/rest/v1/rpc/echo/x", "/auth/v1/", "/auth/v1/token",
		"/storage/v1/", "/storage/v1/object/list/", "/storage/v1/bucket/"} {
		for _, method := range []string{"GET", "HEAD", "POST", "PATCH", "DELETE", "PUT", "TRACE"} {
			r := httptest.NewRequest(method, target, strings.NewReader("{"))
			r.Header.Set("apikey", s.AnonKey())
			w := httptest.NewRecorder()
			s.ServeHTTP(w, r)
			if w.Code >= 500 {
				t.Errorf("%s %s: %d %s", method, target, w.Code, w.Body)
			}
		}
	}
}
