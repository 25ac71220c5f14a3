package supabase

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestKeys: the legacy keys are HS256 JWTs with Supabase's claims.
func TestKeys(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	for key, role := range map[string]string{s.AnonKey(): "anon", s.ServiceRoleKey(): "service_role"} {
		c := claims(t, key)
		if c["iss"] != "supabase" || c["role"] != role || c["ref"] != s.Ref() || c["iat"] == nil || c["exp"] == nil {
			t.Errorf("%s key claims %v", role, c)
		}
		if _, err := s.parseJWT(key); err != nil {
			t.Errorf("%s key does not verify: %v", role, err)
		}
	}
	other, _ := New(Options{})
	if _, err := s.parseJWT(other.AnonKey()); err == nil {
		t.Error("another project's key verified: the secrets are not random")
	}
}

// TestGateway: every service needs the project's apikey, as the API
// gateway answers.
func TestGateway(t *testing.T) {
	s, base := fake(t, project())
	other, _ := New(Options{})
	noKey := `{"message":"No API key found in request","hint":"No ` + "`apikey`" + ` request header or url param was found."}`
	tests := []struct {
		name   string
		q      req
		status int
		body   string
	}{
		{"rest without key", req{method: "GET", path: "/rest/v1/posts"}, 401, noKey},
		{"auth without key", req{method: "GET", path: "/auth/v1/user"}, 401, noKey},
		{"storage without key", req{method: "GET", path: "/storage/v1/bucket"}, 401, noKey},
		{"another project's key", req{method: "GET", path: "/rest/v1/posts", apikey: other.AnonKey()}, 401, `{"message":"Invalid API key"}`},
		{"key as query parameter", req{method: "GET", path: "/rest/v1/posts?select=title&apikey=" + s.AnonKey()}, 200, ""},
		{"preflight needs no key", req{method: "OPTIONS", path: "/rest/v1/posts"}, 200, ""},
		{"no such service", req{method: "GET", path: "/graphql/v2", apikey: s.AnonKey()}, 404, `{"message":"no Route matched with those values"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, base, tc.q)
			if r.status != tc.status || tc.body != "" && !sameJSON(t, r.body, tc.body) {
				t.Errorf("got %d %s, want %d %s", r.status, r.body, tc.status, tc.body)
			}
			if r.header.Get("Access-Control-Allow-Origin") != "*" {
				t.Errorf("no CORS header")
			}
		})
	}
}

// TestLogin: the password grant's answer and tokens have GoTrue's shape.
func TestLogin(t *testing.T) {
	s, base := fake(t, project())
	r := do(t, base, req{method: "POST", path: "/auth/v1/token?grant_type=password", apikey: s.AnonKey(),
		body: `{"email":"Alice@Portal.test","password":"pw-alice"}`})
	if r.status != http.StatusOK {
		t.Fatalf("login: %d %s", r.status, r.body)
	}
	m := r.object(t)
	if m["token_type"] != "bearer" || m["expires_in"] != 3600.0 || m["expires_at"] == nil {
		t.Errorf("token response %v", m)
	}
	if !regexp.MustCompile(`^[a-z0-9]{12}$`).MatchString(m["refresh_token"].(string)) {
		t.Errorf("refresh token %q is not GoTrue's 12 characters", m["refresh_token"])
	}
	u := m["user"].(map[string]any)
	if u["id"] != idA || u["aud"] != "authenticated" || u["role"] != "authenticated" || u["email"] != "alice@portal.test" {
		t.Errorf("user %v", u)
	}
	c := claims(t, m["access_token"].(string))
	for k, want := range map[string]any{"aud": "authenticated", "iss": base + "/auth/v1", "sub": idA, "role": "authenticated",
		"email": "alice@portal.test"} {
		if c[k] != want {
			t.Errorf("claim %s = %v, want %v", k, c[k], want)
		}
	}
	if c["session_id"] == nil || c["exp"] == nil || c["iat"] == nil || c["app_metadata"].(map[string]any)["provider"] != "email" ||
		c["user_metadata"].(map[string]any)["name"] != "Alice" {
		t.Errorf("claims %v", c)
	}
}

// TestAuthErrors: GoTrue's refusals, in both API versions.
func TestAuthErrors(t *testing.T) {
	s, base := fake(t, project())
	key := s.AnonKey()
	tests := []struct {
		name   string
		q      req
		status int
		body   string
	}{
		{"wrong password", req{method: "POST", path: "/auth/v1/token?grant_type=password", body: `{"email":"alice@portal.test","password":"x"}`},
			400, `{"code":400,"error_code":"invalid_credentials","msg":"Invalid login credentials"}`},
		{"unknown user", req{method: "POST", path: "/auth/v1/token?grant_type=password", body: `{"email":"eve@portal.test","password":"x"}`},
			400, `{"code":400,"error_code":"invalid_credentials","msg":"Invalid login credentials"}`},
		{"API version 2024-01-01", req{method: "POST", path: "/auth/v1/token?grant_type=password", body: `{"email":"alice@portal.test","password":"x"}`,
			headers: []string{"X-Supabase-Api-Version: 2024-01-01"}}, 400, `{"code":"invalid_credentials","message":"Invalid login credentials"}`},
		{"no email", req{method: "POST", path: "/auth/v1/token?grant_type=password", body: `{"password":"x"}`},
			400, `{"code":400,"error_code":"validation_failed","msg":"missing email or phone"}`},
		{"unknown grant", req{method: "POST", path: "/auth/v1/token?grant_type=magic", body: `{}`},
			400, `{"code":400,"error_code":"invalid_credentials","msg":"unsupported_grant_type"}`},
		{"unknown refresh token", req{method: "POST", path: "/auth/v1/token?grant_type=refresh_token", body: `{"refresh_token":"abcdefabcdef"}`},
			400, `{"code":400,"error_code":"refresh_token_not_found","msg":"Invalid Refresh Token: Refresh Token Not Found"}`},
		{"no refresh token", req{method: "POST", path: "/auth/v1/token?grant_type=refresh_token", body: `{}`},
			400, `{"error":"invalid_request","error_description":"refresh_token required"}`},
		{"user without token", req{method: "GET", path: "/auth/v1/user"},
			401, `{"code":401,"error_code":"no_authorization","msg":"This endpoint requires a valid Bearer token"}`},
		{"user with the anon key", req{method: "GET", path: "/auth/v1/user", token: key},
			403, `{"code":403,"error_code":"bad_jwt","msg":"invalid claim: missing sub claim"}`},
		{"user with a forged token", req{method: "GET", path: "/auth/v1/user", token: key[:len(key)-2] + "xx"},
			403, `{"code":403,"error_code":"bad_jwt","msg":"invalid JWT: unable to parse or verify signature, token signature is invalid: signature is invalid"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.q.apikey = key
			r := do(t, base, tc.q)
			if r.status != tc.status || !sameJSON(t, r.body, tc.body) {
				t.Errorf("got %d %s, want %d %s", r.status, r.body, tc.status, tc.body)
			}
		})
	}
}

// TestRefreshAndExpiry: an expired access token is refused by Auth and
// the Data API, the refreshed one works; refresh tokens rotate, the one
// just used may be replayed (GoTrue hands the current one back), an
// older one is refused and revokes the session.
func TestRefreshAndExpiry(t *testing.T) {
	opts := project()
	opts.TokenTTL = time.Second
	s, base := fake(t, opts)
	first := login(t, s, base, "alice@portal.test", "pw-alice")
	get := func(tok, path string) response {
		return do(t, base, req{method: "GET", path: path, apikey: s.AnonKey(), token: tok})
	}
	if r := get(first.access, "/auth/v1/user"); r.status != 200 {
		t.Fatalf("fresh token: %d %s", r.status, r.body)
	}
	waitExpired(opts.TokenTTL)
	r := get(first.access, "/auth/v1/user")
	if r.status != 403 || !strings.Contains(string(r.body), `"error_code":"bad_jwt"`) ||
		!strings.Contains(string(r.body), "token has invalid claims: token is expired") {
		t.Errorf("expired token on /user: %d %s", r.status, r.body)
	}
	r = get(first.access, "/rest/v1/notes")
	if r.status != 401 || !sameJSON(t, r.body, `{"code":"PGRST301","details":null,"hint":null,"message":"JWT expired"}`) ||
		r.header.Get("WWW-Authenticate") != `Bearer error="invalid_token", error_description="JWT expired"` {
		t.Errorf("expired token on /rest: %d %s %v", r.status, r.body, r.header)
	}
	r = refresh(t, s, base, first.refresh)
	if r.status != 200 {
		t.Fatalf("refresh: %d %s", r.status, r.body)
	}
	second := tokens{access: r.object(t)["access_token"].(string), refresh: r.object(t)["refresh_token"].(string)}
	if second.refresh == first.refresh {
		t.Error("refresh token not rotated")
	}
	for _, path := range []string{"/auth/v1/user", "/rest/v1/notes"} {
		if r := get(second.access, path); r.status != 200 {
			t.Errorf("refreshed token on %s: %d %s", path, r.status, r.body)
		}
	}
	if r := refresh(t, s, base, first.refresh); r.status != 200 || r.object(t)["refresh_token"] != second.refresh {
		t.Errorf("replaying the token just used: %d %s, want the current one back", r.status, r.body)
	}
	if r := refresh(t, s, base, second.refresh); r.status != 200 {
		t.Fatalf("second refresh: %d %s", r.status, r.body)
	}
	used := `{"code":400,"error_code":"refresh_token_already_used","msg":"Invalid Refresh Token: Already Used"}`
	if r := refresh(t, s, base, first.refresh); r.status != 400 || !sameJSON(t, r.body, used) {
		t.Errorf("reusing an old token: %d %s", r.status, r.body)
	}
	if r := refresh(t, s, base, second.refresh); r.status != 400 || !sameJSON(t, r.body, used) {
		t.Errorf("after reuse the session is revoked: %d %s", r.status, r.body)
	}
}

// TestLogout: logout ends the session's refresh tokens and the user
// endpoint refuses its access token; the Data API, which checks only the
// signature, still takes it until it expires.
func TestLogout(t *testing.T) {
	s, base := fake(t, project())
	a := login(t, s, base, "alice@portal.test", "pw-alice")
	other := login(t, s, base, "alice@portal.test", "pw-alice")
	r := do(t, base, req{method: "POST", path: "/auth/v1/logout?scope=local", apikey: s.AnonKey(), token: a.access})
	if r.status != http.StatusNoContent {
		t.Fatalf("logout: %d %s", r.status, r.body)
	}
	if r := refresh(t, s, base, a.refresh); r.status != 400 || !strings.Contains(string(r.body), "refresh_token_not_found") {
		t.Errorf("refresh after logout: %d %s", r.status, r.body)
	}
	r = do(t, base, req{method: "GET", path: "/auth/v1/user", apikey: s.AnonKey(), token: a.access})
	if r.status != 403 || !sameJSON(t, r.body, `{"code":403,"error_code":"session_not_found","msg":"Session from session_id claim in JWT does not exist"}`) {
		t.Errorf("user after logout: %d %s", r.status, r.body)
	}
	if r := do(t, base, req{method: "GET", path: "/rest/v1/notes", apikey: s.AnonKey(), token: a.access}); r.status != 200 {
		t.Errorf("rest after logout: %d %s", r.status, r.body)
	}
	if r := refresh(t, s, base, other.refresh); r.status != 200 {
		t.Errorf("a local logout ended another session: %d %s", r.status, r.body)
	}
}

// TestUpdateUser: PUT /auth/v1/user merges data into user_metadata
// (null deletes a key) and refuses app_metadata.
func TestUpdateUser(t *testing.T) {
	s, base := fake(t, project())
	a := login(t, s, base, "alice@portal.test", "pw-alice")
	put := func(body string) response {
		return do(t, base, req{method: "PUT", path: "/auth/v1/user", apikey: s.AnonKey(), token: a.access, body: body})
	}
	r := put(`{"data":{"role":"admin","name":null,"plan":{"tier":2}}}`)
	if r.status != 200 {
		t.Fatalf("update: %d %s", r.status, r.body)
	}
	meta := r.object(t)["user_metadata"].(map[string]any)
	if meta["role"] != "admin" || meta["name"] != nil || meta["plan"].(map[string]any)["tier"] != 2.0 {
		t.Errorf("user_metadata %v", meta)
	}
	u, _ := s.UserByEmail("ALICE@portal.test")
	if u.UserMetadata["role"] != "admin" || u.AppMetadata["role"] != nil {
		t.Errorf("stored user %+v", u)
	}
	tests := []struct{ body, want string }{
		{`{"app_metadata":{"role":"admin"}}`, `{"code":403,"error_code":"not_admin","msg":"Updating app_metadata requires admin privileges"}`},
		{`{"password":"pw-alice"}`, `{"code":422,"error_code":"same_password","msg":"New password should be different from the old password."}`},
		{`{"data":`, ""},
	}
	for _, tc := range tests {
		r := put(tc.body)
		if r.status < 400 || r.status > 499 || tc.want != "" && !sameJSON(t, r.body, tc.want) {
			t.Errorf("PUT %s: %d %s, want %s", tc.body, r.status, r.body, tc.want)
		}
	}
	if r := put(`{"password":"pw-alice-2"}`); r.status != 200 {
		t.Fatalf("password change: %d %s", r.status, r.body)
	}
	login(t, s, base, "alice@portal.test", "pw-alice-2")
}

// TestNewRefuses: a configuration no project could hold is an error.
func TestNewRefuses(t *testing.T) {
	tests := map[string]Options{
		"non-UUID user id":  {Users: []User{{ID: "user-1", Email: "a@b.c", Password: "x"}}},
		"duplicate email":   {Users: []User{{Email: "a@b.c", Password: "x"}, {Email: "A@b.c", Password: "y"}}},
		"empty password":    {Users: []User{{Email: "a@b.c"}}},
		"bad table name":    {Tables: map[string]*Table{"no/pe": {}}},
		"duplicate row ids": {Tables: map[string]*Table{"t": {Rows: []map[string]any{{"id": 1}, {"id": 1}}}}},
		"unencodable value": {Tables: map[string]*Table{"t": {Rows: []map[string]any{{"f": func() {}}}}}},
		"nil RPC":           {RPCs: map[string]RPC{"f": nil}},
		"bad object name":   {Buckets: map[string]*Bucket{"b": {Objects: []Object{{Name: "a//b"}}}}},
		"negative TTL":      {TokenTTL: -time.Second},
	}
	for name, opts := range tests {
		if _, err := New(opts); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
