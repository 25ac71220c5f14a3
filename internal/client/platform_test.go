package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// authAPI is a minimal stand-in for a platform's Auth API with tokens
// that live ttl seconds and single-use refresh tokens: Supabase's
// /auth/v1/token and /auth/v1/user, Firebase's signInWithPassword,
// securetoken refresh and accounts:lookup, in their documented shapes.
// (The full fakes live in internal/fakes; this one pins the session
// mechanics.)
type authAPI struct {
	ttl int

	mu       sync.Mutex
	n        int
	access   map[string]time.Time // token -> expiry
	refresh  map[string]bool      // unused refresh tokens
	apikeys  []string             // apikey headers seen on /rest/v1
	grants   []string
	password string
}

func newAuthAPI(ttl int) *authAPI {
	return &authAPI{ttl: ttl, access: map[string]time.Time{}, refresh: map[string]bool{}, password: "right-password"}
}

// issue mints a token pair; the caller holds mu.
func (a *authAPI) issue() (string, string) {
	a.n++
	acc, ref := fmt.Sprintf("access-%d-xxxxxxxx", a.n), fmt.Sprintf("refresh-%d-xxxxxxxx", a.n)
	a.access[acc] = time.Now().Add(time.Duration(a.ttl) * time.Second)
	a.refresh[ref] = true
	return acc, ref
}

func (a *authAPI) valid(tok string) bool {
	exp, ok := a.access[tok]
	return ok && time.Now().Before(exp)
}

func (a *authAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	var body map[string]any
	if r.Header.Get("Content-Type") == "application/json" {
		_ = json.NewDecoder(r.Body).Decode(&body)
	}
	bearer := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.URL.Path == "/auth/v1/token":
		a.grants = append(a.grants, r.URL.Query().Get("grant_type"))
		if r.Header.Get("apikey") != "anon-key" {
			w.WriteHeader(401)
			fmt.Fprint(w, `{"message":"Invalid API key"}`)
			return
		}
		switch r.URL.Query().Get("grant_type") {
		case "password":
			if body["password"] != a.password {
				w.WriteHeader(400)
				fmt.Fprint(w, `{"code":400,"error_code":"invalid_credentials","msg":"Invalid login credentials"}`)
				return
			}
		case "refresh_token":
			ref, _ := body["refresh_token"].(string)
			if !a.refresh[ref] {
				w.WriteHeader(400)
				fmt.Fprint(w, `{"code":400,"error_code":"refresh_token_already_used","msg":"Invalid Refresh Token: Already Used"}`)
				return
			}
			delete(a.refresh, ref)
		}
		acc, ref := a.issue()
		fmt.Fprintf(w, `{"access_token":%q,"token_type":"bearer","expires_in":%d,"refresh_token":%q,"user":{"id":"u1"}}`, acc, a.ttl, ref)
	case r.URL.Path == "/auth/v1/user" || r.URL.Path == "/rest/v1/notes":
		a.apikeys = append(a.apikeys, r.Header.Get("apikey"))
		if !a.valid(bearer) {
			w.WriteHeader(401)
			fmt.Fprint(w, `{"code":401,"error_code":"bad_jwt","msg":"invalid JWT: token is expired"}`)
			return
		}
		fmt.Fprint(w, `{"id":"u1"}`)
	case r.URL.Path == "/v1/accounts:signInWithPassword":
		a.grants = append(a.grants, "password")
		if body["password"] != a.password || r.URL.Query().Get("key") != "web-key" {
			w.WriteHeader(400)
			fmt.Fprint(w, `{"error":{"code":400,"message":"INVALID_LOGIN_CREDENTIALS"}}`)
			return
		}
		acc, ref := a.issue()
		fmt.Fprintf(w, `{"idToken":%q,"refreshToken":%q,"expiresIn":"%d","localId":"u1"}`, acc, ref, a.ttl)
	case r.URL.Path == "/v1/token":
		a.grants = append(a.grants, "refresh_token")
		_ = r.ParseForm()
		ref := r.PostForm.Get("refresh_token")
		if !a.refresh[ref] || r.PostForm.Get("grant_type") != "refresh_token" {
			w.WriteHeader(400)
			fmt.Fprint(w, `{"error":{"code":400,"message":"INVALID_REFRESH_TOKEN","status":"INVALID_ARGUMENT"}}`)
			return
		}
		delete(a.refresh, ref)
		acc, ref2 := a.issue()
		fmt.Fprintf(w, `{"id_token":%q,"refresh_token":%q,"expires_in":"%d","token_type":"Bearer"}`, acc, ref2, a.ttl)
	case r.URL.Path == "/v1/accounts:lookup":
		tok, _ := body["idToken"].(string)
		if !a.valid(tok) {
			w.WriteHeader(400)
			fmt.Fprint(w, `{"error":{"code":400,"message":"INVALID_ID_TOKEN"}}`)
			return
		}
		fmt.Fprint(w, `{"users":[{"localId":"u1"}]}`)
	case r.URL.Path == "/data":
		if !a.valid(bearer) {
			w.WriteHeader(401)
			return
		}
		fmt.Fprint(w, `{}`)
	default:
		http.NotFound(w, r)
	}
}

func platformSessions(t *testing.T, kind string, api *authAPI) (*Sessions, string) {
	t.Helper()
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	origin, _ := url.Parse(srv.URL)
	pc := &PlatformConfig{Kind: kind, SupabaseURL: srv.URL, AnonKey: "anon-key", APIKey: "web-key", Identity: srv.URL, SecureToken: srv.URL}
	c := newClient(t, Options{Home: []string{srv.URL}})
	lc := LoginConfig{Origin: origin, Kind: kind, SessionKind: "token", TokenHeader: "Authorization", TokenPrefix: "Bearer ", Platform: pc}
	return NewSessions(c, lc, map[string]Credentials{"a": {Email: "a@portal.test", Password: "right-password"},
		"b": {Email: "b@portal.test", Password: "wrong-password"}}), srv.URL
}

// TestPlatformLoginRenews: a Supabase or Firebase session logs in with the
// password grant, is verified on the user endpoint, and is renewed with
// its refresh token before it expires, so a request after the token's
// lifetime still works; a wrong password is an error naming the refusal.
func TestPlatformLoginRenews(t *testing.T) {
	for _, tc := range []struct{ kind, probe, refused string }{
		{"supabase", "/rest/v1/notes", "invalid_credentials: Invalid login credentials"},
		{"firebase", "/data", "INVALID_LOGIN_CREDENTIALS"},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			api := newAuthAPI(2)
			ss, base := platformSessions(t, tc.kind, api)
			ctx := context.Background()
			sess, err := ss.Get(ctx, "a")
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(sess.Token(), "Bearer access-1-") {
				t.Errorf("token %q", sess.Token())
			}
			time.Sleep(1100 * time.Millisecond) // under a second left of 2: a renewal is due
			resp, err := sess.Do(ctx, &Request{URL: base + tc.probe})
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("after expiry: %v %v", resp, err)
			}
			if sess.Renewals() != 1 || !strings.HasPrefix(sess.Token(), "Bearer access-2-") {
				t.Errorf("renewals %d, token %q", sess.Renewals(), sess.Token())
			}
			api.mu.Lock()
			grants := strings.Join(api.grants, ",")
			keys := api.apikeys
			api.mu.Unlock()
			if grants != "password,refresh_token" {
				t.Errorf("grants %s", grants)
			}
			if tc.kind == "supabase" && (len(keys) == 0 || keys[len(keys)-1] != "anon-key") {
				t.Errorf("the project's apikey header was not sent: %q", keys)
			}
			if _, err := ss.Get(ctx, "b"); err == nil || !strings.Contains(err.Error(), tc.refused) {
				t.Errorf("wrong password: %v, want an error naming %q", err, tc.refused)
			}
		})
	}
}

// TestPlatformRenewalFailure: a refresh token the platform refuses makes
// the request an error that says the renewal failed, never a silently
// anonymous request.
func TestPlatformRenewalFailure(t *testing.T) {
	api := newAuthAPI(1)
	ss, base := platformSessions(t, "supabase", api)
	sess, err := ss.Get(context.Background(), "a")
	if err != nil {
		t.Fatal(err)
	}
	api.mu.Lock()
	clear(api.refresh)
	api.mu.Unlock()
	// A 1 s token is always within the renewal margin: the next request
	// renews, and the platform refuses.
	_, err = sess.Do(context.Background(), &Request{URL: base + "/rest/v1/notes"})
	if err == nil || !strings.Contains(err.Error(), "renewing the supabase session") || !strings.Contains(err.Error(), "refresh_token_already_used") {
		t.Errorf("err = %v", err)
	}
}
