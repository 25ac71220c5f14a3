package supabase

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// Fixed user ids, so that seed rows can name their owners.
const (
	idA = "0a0a0a0a-0000-4000-8000-00000000000a"
	idB = "0b0b0b0b-0000-4000-8000-00000000000b"
)

// project is the fixture most tests start from: notes (RLS, two rows of
// A and one of B), posts (no RLS), three RPCs, three buckets.
func project() Options {
	return Options{
		Users: []User{
			{ID: idA, Email: "alice@portal.test", Password: "pw-alice", UserMetadata: map[string]any{"name": "Alice"}},
			{ID: idB, Email: "bob@portal.test", Password: "pw-bob"},
		},
		Tables: map[string]*Table{
			"notes": {RLS: true, Rows: []map[string]any{
				{"title": "a1", "user_id": idA, "pinned": true},
				{"title": "a2", "user_id": idA, "pinned": false},
				{"title": "b1", "user_id": idB, "pinned": false},
			}},
			"posts": {Rows: []map[string]any{
				{"title": "p1", "user_id": idA, "score": 3},
				{"title": "p2", "user_id": idB, "score": 1},
				{"title": "p3", "user_id": nil, "score": 2},
			}},
		},
		RPCs: map[string]RPC{
			"whoami": func(uid string, _ map[string]any) (any, int) { return uid, 0 },
			"echo":   func(_ string, args map[string]any) (any, int) { return args, 0 },
			"fail":   func(string, map[string]any) (any, int) { return "nope", http.StatusBadRequest },
			"noop":   func(string, map[string]any) (any, int) { return nil, 0 },
		},
		Buckets: map[string]*Bucket{
			"docs": {RLS: true, Objects: []Object{
				{Name: idA + "/cv.pdf", Owner: idA, Size: 10}, {Name: idA + "/id.png", Owner: idA, Size: 20},
				{Name: idB + "/tax.pdf", Owner: idB, Size: 30},
			}},
			"shared":  {Objects: []Object{{Name: "team/plan.txt", Owner: idA, Size: 1}, {Name: "readme.md", Size: 2}}},
			"avatars": {Public: true, Objects: []Object{{Name: "a.png", Owner: idA, Size: 5}}},
		},
	}
}

// fake starts a fresh project on loopback.
func fake(t *testing.T, opts Options) (*Server, string) {
	t.Helper()
	s, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv.URL
}

// response is what a call got back.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("body %q: %v", r.body, err)
	}
	return v
}

func (r response) object(t *testing.T) map[string]any {
	t.Helper()
	m, ok := r.json(t).(map[string]any)
	if !ok {
		t.Fatalf("body %s is not an object", r.body)
	}
	return m
}

func (r response) array(t *testing.T) []any {
	t.Helper()
	a, ok := r.json(t).([]any)
	if !ok {
		t.Fatalf("body %s is not an array", r.body)
	}
	return a
}

// req describes a call: headers as "Name: value" lines.
type req struct {
	method, path, apikey, token, body string
	headers                           []string
}

func do(t *testing.T, base string, q req) response {
	t.Helper()
	var body io.Reader
	if q.body != "" {
		body = strings.NewReader(q.body)
	}
	r, err := http.NewRequest(q.method, base+q.path, body)
	if err != nil {
		t.Fatal(err)
	}
	if q.apikey != "" {
		r.Header.Set("apikey", q.apikey)
	}
	if q.token != "" {
		r.Header.Set("Authorization", "Bearer "+q.token)
	}
	if q.body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	for _, h := range q.headers {
		k, v, _ := strings.Cut(h, ":")
		r.Header.Add(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: raw}
}

// tokens are a logged-in user's tokens.
type tokens struct{ access, refresh string }

func login(t *testing.T, s *Server, base, email, password string) tokens {
	t.Helper()
	r := do(t, base, req{method: "POST", path: "/auth/v1/token?grant_type=password", apikey: s.AnonKey(),
		body: `{"email":"` + email + `","password":"` + password + `"}`})
	if r.status != http.StatusOK {
		t.Fatalf("login %s: %d %s", email, r.status, r.body)
	}
	m := r.object(t)
	return tokens{access: m["access_token"].(string), refresh: m["refresh_token"].(string)}
}

func refresh(t *testing.T, s *Server, base, token string) response {
	t.Helper()
	return do(t, base, req{method: "POST", path: "/auth/v1/token?grant_type=refresh_token", apikey: s.AnonKey(),
		body: `{"refresh_token":"` + token + `"}`})
}

// claims decodes a JWT's payload without verifying it.
func claims(t *testing.T, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", tok)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// sameJSON reports whether two JSON texts hold the same value.
func sameJSON(t *testing.T, got []byte, want string) bool {
	t.Helper()
	var a, b any
	if err := json.Unmarshal(got, &a); err != nil {
		return false
	}
	if err := json.Unmarshal([]byte(want), &b); err != nil {
		t.Fatalf("bad want %q: %v", want, err)
	}
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// waitExpired sleeps until a token minted now with this TTL has expired
// (exp is rounded up to a whole second).
func waitExpired(ttl time.Duration) { time.Sleep(ttl + time.Second + 100*time.Millisecond) }

// roleTokens logs A and B in and returns the token each role sends.
func roleTokens(t *testing.T, s *Server, base string) map[string]string {
	t.Helper()
	return map[string]string{
		"anon":    s.AnonKey(),
		"A":       login(t, s, base, "alice@portal.test", "pw-alice").access,
		"B":       login(t, s, base, "bob@portal.test", "pw-bob").access,
		"service": s.ServiceRoleKey(),
	}
}
