package firebase

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The two users of most tests, and a third with custom claims.
var (
	userA = User{UID: "uidA", Email: "ann@example.com", Password: "ann-password", DisplayName: "Ann"}
	userB = User{UID: "uidB", Email: "bob@example.com", Password: "bob-password", DisplayName: "Bob"}
	userC = User{UID: "uidC", Email: "cat@example.com", Password: "cat-password", CustomClaims: map[string]any{"role": "staff", "tier": 2}}
)

// clock is a settable clock for the server under test. It starts at the
// real time (accounts made at New date from then) and moves only when
// told.
type clock struct{ unixNano atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.unixNano.Store(time.Now().Truncate(time.Second).UnixNano())
	return c
}

func (c *clock) now() time.Time          { return time.Unix(0, c.unixNano.Load()) }
func (c *clock) advance(d time.Duration) { c.unixNano.Add(int64(d)) }

// fixture is a fake project behind a loopback HTTP server.
type fixture struct {
	t     *testing.T
	srv   *Server
	url   string
	clock *clock
}

// newFixture starts a fake project with users A, B and C (plus those in
// opts) on a fake clock, behind a fresh httptest server.
func newFixture(t *testing.T, opts Options) *fixture {
	t.Helper()
	if opts.Users == nil {
		opts.Users = []User{userA, userB, userC}
	}
	srv, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	c := newClock()
	srv.now = c.now
	return &fixture{t: t, srv: srv, url: startServer(t, srv), clock: c}
}

// startServer serves srv on loopback until the test ends.
func startServer(t *testing.T, srv *Server) string {
	t.Helper()
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts.URL
}

// response is what a request got.
type response struct {
	status int
	header http.Header
	body   string
}

// json decodes the body into a generic value.
func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.body), &m); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, r.body)
	}
	return m
}

// do sends a request; hdr alternates names and values.
func (f *fixture) do(method, path, body string, hdr ...string) response {
	f.t.Helper()
	req, err := http.NewRequest(method, f.url+path, strings.NewReader(body))
	if err != nil {
		f.t.Fatalf("request %s %s: %v", method, path, err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	if body != "" && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(raw)}
}

func (f *fixture) identity(method, body string) response {
	f.t.Helper()
	return f.do(http.MethodPost, "/identitytoolkit.googleapis.com/v1/accounts:"+method+"?key="+f.srv.APIKey(), body)
}

// tokens signs u in and returns its ID and refresh tokens.
func (f *fixture) tokens(u User) (string, string) {
	f.t.Helper()
	r := f.identity("signInWithPassword", mustJSON(f.t, map[string]any{"email": u.Email, "password": u.Password, "returnSecureToken": true}))
	if r.status != http.StatusOK {
		f.t.Fatalf("sign-in of %s: %d %s", u.Email, r.status, r.body)
	}
	m := r.json(f.t)
	return m["idToken"].(string), m["refreshToken"].(string)
}

// idToken signs u in; the zero User is anonymous ("").
func (f *fixture) idToken(u User) string {
	f.t.Helper()
	if u.Email == "" {
		return ""
	}
	tok, _ := f.tokens(u)
	return tok
}

func (f *fixture) refresh(refresh string) response {
	f.t.Helper()
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}}
	return f.do(http.MethodPost, "/securetoken.googleapis.com/v1/token?key="+f.srv.APIKey(), form.Encode(),
		"Content-Type", "application/x-www-form-urlencoded")
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	return string(raw)
}

// bearer returns header arguments for do: none for anonymous.
func bearer(scheme, tok string) []string {
	if tok == "" {
		return nil
	}
	return []string{"Authorization", scheme + " " + tok}
}

// callers are the three callers every rules table runs as.
var callers = []struct {
	name string
	user User
}{{"anon", User{}}, {"A", userA}, {"B", userB}}
