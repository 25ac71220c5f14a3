package client_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/launchready/launchready/internal/client"
)

// meAPI is a JSON API whose members read their own record at POST
// /api/me ({"user": {"id": N}}, a number as Django REST framework writes
// it) and whose every other answer echoes the request it got.
type meAPI struct {
	meCalls atomic.Int32
	mu      sync.Mutex
	got     []string // "METHOD path?query body" of every echoed request
}

func (m *meAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.URL.Path == "/api/login":
		var in map[string]string
		_ = json.NewDecoder(r.Body).Decode(&in)
		fmt.Fprintf(w, `{"token": "tok-%s"}`, in["email"])
	case r.URL.Path == "/api/me" && r.Method == http.MethodPost:
		m.meCalls.Add(1)
		id := map[string]string{"Bearer tok-a@example.com": "41", "Bearer tok-b@example.com": "42"}[r.Header.Get("Authorization")]
		if id == "" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		fmt.Fprintf(w, `{"user": {"id": %s, "name": "x"}}`, id)
	default:
		body, _ := io.ReadAll(r.Body)
		m.mu.Lock()
		m.got = append(m.got, r.Method+" "+r.URL.RequestURI()+" "+string(body))
		m.mu.Unlock()
		fmt.Fprint(w, `{}`)
	}
}

func (m *meAPI) last() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.got[len(m.got)-1]
}

func meSessions(t *testing.T, api http.Handler) *client.Sessions {
	t.Helper()
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	cfg := parseWithEnv(t, "target: {url: "+srv.URL+"}\n"+`auth:
  kind: json
  login: {path: /api/login, json: {email: "{{email}}", password: "{{password}}"}}
session: {kind: token, from: token, header: Authorization, prefix: "Bearer "}
accounts:
  me: {path: /api/me, method: post, id_field: user.id}
  a: {email: a@example.com, password: env:PW}
  b: {email: b@example.com, password: env:PW}
`, map[string]string{"PW": "correct horse"})
	c, ss, err := client.FromConfig(cfg, "test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return ss
}

// TestMemberPlaceholders: a member's request built from a config path or
// body is filled with that member's values, escaped for where each
// stands, its id read at accounts.me once per session.
func TestMemberPlaceholders(t *testing.T) {
	ctx := client.WithPurpose(context.Background(), client.SignIn)
	api := &meAPI{}
	ss := meSessions(t, api)
	origin := ss.Config().Origin.String()
	a, err := ss.Get(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		req  *client.Request
		want string
	}{
		{"path, escaped by URL resolution", &client.Request{URL: origin + "/api/users/%7B%7Bself.id%7D%7D/notes"}, "GET /api/users/41/notes "},
		{"path as written, query", &client.Request{URL: origin + "/api/users/{{self.id}}?email={{email}}&tag={{tag}}"},
			"GET /api/users/41?email=a%40example.com&tag=a "},
		{"JSON body", &client.Request{Method: http.MethodPost, URL: origin + "/api/notes", Header: http.Header{"Content-Type": {"application/json"}},
			Body: []byte(`{"owner":"{{self.id}}","by":"{{email}}"}`)}, `POST /api/notes {"owner":"41","by":"a@example.com"}`},
		{"form body", &client.Request{Method: http.MethodPost, URL: origin + "/api/notes", Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
			Body: []byte(`owner=%7B%7Bself.id%7D%7D&by=%7B%7Bemail%7D%7D`)}, `POST /api/notes owner=41&by=a%40example.com`},
		{"no placeholder, unknown ones kept", &client.Request{URL: origin + "/api/x?q={{canary}}"}, "GET /api/x?q={{canary}} "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := a.Do(ctx, tc.req); err != nil {
				t.Fatal(err)
			}
			if got := api.last(); got != tc.want {
				t.Errorf("sent %q, want %q", got, tc.want)
			}
		})
	}
	if n := api.meCalls.Load(); n != 1 {
		t.Errorf("accounts.me read %d times in one session, want once", n)
	}
	// Member b's own page is b's; a's page, filled for a, is a's whoever
	// sends it.
	b, err := ss.Get(ctx, "b")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Do(ctx, &client.Request{URL: origin + "/api/users/{{self.id}}"}); err != nil || api.last() != "GET /api/users/42 " {
		t.Errorf("b's own page: %v, sent %q", err, api.last())
	}
	aPage, err := a.FillPath(ctx, origin+"/api/users/{{self.id}}")
	if err != nil || aPage != origin+"/api/users/41" {
		t.Errorf("FillPath = %q, %v", aPage, err)
	}
	// A visitor with no account fills nothing.
	if _, err := ss.Anonymous().Do(ctx, &client.Request{URL: origin + "/api/users/{{self.id}}"}); err != nil || api.last() != "GET /api/users/%7B%7Bself.id%7D%7D " {
		t.Errorf("anonymous: %v, sent %q", err, api.last())
	}
}

// TestSelfIDRefused: a member whose accounts.me answers an error cannot
// send a request that needs its id, and says why.
func TestSelfIDRefused(t *testing.T) {
	ctx := client.WithPurpose(context.Background(), client.SignIn)
	api := &meAPI{}
	ss := meSessions(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/me" {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		api.ServeHTTP(w, r)
	}))
	a, err := ss.Get(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	_, err = a.Do(ctx, &client.Request{URL: ss.Config().Origin.String() + "/api/users/{{self.id}}"})
	if err == nil || !strings.Contains(err.Error(), "accounts.me (POST /api/me) answered 403 for a") {
		t.Errorf("err = %v", err)
	}
}

func TestJSONValue(t *testing.T) {
	body := []byte(`{"id": "x1", "record": {"id": 1234567890123, "empty": "", "list": [1]}}`)
	for _, tc := range []struct{ path, want, err string }{
		{"id", "x1", ""},
		{"record.id", "1234567890123", ""},
		{"record.empty", "", "not a non-empty string or a number"},
		{"record.list", "", "not a non-empty string or a number"},
		{"record.nope", "", `no field "nope"`},
		{"id.deeper", "", `no object at "deeper"`},
	} {
		got, err := client.JSONValue(body, tc.path)
		if got != tc.want || (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("JSONValue(%q) = %q, %v; want %q, %q", tc.path, got, err, tc.want, tc.err)
		}
	}
}
