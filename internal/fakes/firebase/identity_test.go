package firebase

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// wantBody compares a JSON body with the expected JSON, ignoring layout.
func wantBody(t *testing.T, got, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want is not JSON: %v", err)
	}
	if mustJSON(t, g) != mustJSON(t, w) {
		t.Errorf("body\n%s\nwant\n%s", got, want)
	}
}

const invalidCredentials = `{"error":{"code":400,"message":"INVALID_LOGIN_CREDENTIALS","errors":[{"message":"INVALID_LOGIN_CREDENTIALS","domain":"global","reason":"invalid"}]}}`

func TestSignInWithPassword(t *testing.T) {
	f := newFixture(t, Options{})
	key := f.srv.APIKey()
	const path = "/identitytoolkit.googleapis.com/v1/accounts:signInWithPassword"
	creds := func(email, pw string) string {
		return mustJSON(t, map[string]any{"email": email, "password": pw, "returnSecureToken": true})
	}
	tests := []struct {
		name     string
		method   string
		query    string
		body     string
		status   int
		wantBody string // exact JSON, when set
		wantMsg  string // error.message, when set
	}{
		{name: "good", method: "POST", query: "?key=" + key, body: creds("ann@example.com", "ann-password"), status: 200},
		{name: "email case ignored", method: "POST", query: "?key=" + key, body: creds("ANN@Example.com", "ann-password"), status: 200},
		{name: "wrong password", method: "POST", query: "?key=" + key, body: creds("ann@example.com", "nope"), status: 400, wantBody: invalidCredentials},
		{name: "unknown email", method: "POST", query: "?key=" + key, body: creds("zed@example.com", "ann-password"), status: 400, wantBody: invalidCredentials},
		{name: "other user's password", method: "POST", query: "?key=" + key, body: creds("ann@example.com", "bob-password"), status: 400, wantBody: invalidCredentials},
		{name: "bad email", method: "POST", query: "?key=" + key, body: creds("ann", "x"), status: 400, wantMsg: "INVALID_EMAIL"},
		{name: "missing password", method: "POST", query: "?key=" + key, body: creds("ann@example.com", ""), status: 400, wantMsg: "MISSING_PASSWORD"},
		{name: "bad key", method: "POST", query: "?key=" + key + "x", body: creds("ann@example.com", "ann-password"), status: 400,
			wantBody: `{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","errors":[{"message":"API key not valid. Please pass a valid API key.","domain":"global","reason":"badRequest"}],"status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID","domain":"googleapis.com","metadata":{"service":"identitytoolkit.googleapis.com"}}]}}`},
		{name: "no key", method: "POST", body: creds("ann@example.com", "ann-password"), status: 403, wantMsg: "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API."},
		{name: "unknown field", method: "POST", query: "?key=" + key, body: `{"email":"ann@example.com","password":"ann-password","admin":true}`, status: 400, wantMsg: `Invalid JSON payload received. Unknown name "admin": Cannot find field.`},
		{name: "wrong type", method: "POST", query: "?key=" + key, body: `{"email":5}`, status: 400, wantMsg: "Invalid value at 'email' (TYPE_STRING), number"},
		{name: "not JSON", method: "POST", query: "?key=" + key, body: `{"email":`, status: 400, wantMsg: "Invalid JSON payload received. Unexpected token."},
		{name: "GET", method: "GET", query: "?key=" + key, status: 404},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := f.do(tc.method, path+tc.query, tc.body)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			if tc.wantBody != "" {
				wantBody(t, r.body, tc.wantBody)
			}
			if tc.wantMsg != "" {
				if got := r.json(t)["error"].(map[string]any)["message"]; got != tc.wantMsg {
					t.Errorf("message %q, want %q", got, tc.wantMsg)
				}
			}
			if tc.status != 200 {
				return
			}
			m := r.json(t)
			for k, want := range map[string]any{"kind": "identitytoolkit#VerifyPasswordResponse", "localId": "uidA",
				"email": "ann@example.com", "displayName": "Ann", "registered": true, "expiresIn": "3600"} {
				if m[k] != want {
					t.Errorf("%s = %v, want %v", k, m[k], want)
				}
			}
			if rt, _ := m["refreshToken"].(string); len(rt) < 100 {
				t.Errorf("refreshToken %q is too short to pass for Google's", rt)
			}
		})
	}
}

func TestAPIKeyShape(t *testing.T) {
	f := newFixture(t, Options{})
	if !regexp.MustCompile(`^AI` + `za[0-9A-Za-z_-]{35}$`).MatchString(f.srv.APIKey()) {
		t.Errorf("API key %q is not of Google's shape", f.srv.APIKey())
	}
	g := newFixture(t, Options{})
	if f.srv.APIKey() == g.srv.APIKey() {
		t.Error("two projects got the same random API key")
	}
}

// decodeJWT splits a token into header and claims, verifying its
// signature with the key the JWK endpoint publishes.
func decodeJWT(t *testing.T, f *fixture, tok string) (map[string]any, map[string]any) {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts", len(parts))
	}
	seg := func(i int) map[string]any {
		raw, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatalf("segment %d: %v", i, err)
		}
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("segment %d: %v", i, err)
		}
		return m
	}
	head, claims := seg(0), seg(1)
	jwks := f.do(http.MethodGet, "/www.googleapis.com/service_accounts/v1/jwk/securetoken@system.gserviceaccount.com", "")
	var set struct {
		Keys []struct{ Kid, N, E string }
	}
	if err := json.Unmarshal([]byte(jwks.body), &set); err != nil || len(set.Keys) != 1 {
		t.Fatalf("JWK set: %v %s", err, jwks.body)
	}
	k := set.Keys[0]
	if k.Kid != head["kid"] {
		t.Fatalf("token kid %v, published %v", head["kid"], k.Kid)
	}
	n, _ := base64.RawURLEncoding.DecodeString(k.N)
	e, _ := base64.RawURLEncoding.DecodeString(k.E)
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig); err != nil {
		t.Fatalf("signature does not verify with the published key: %v", err)
	}
	return head, claims
}

func TestIDTokenClaims(t *testing.T) {
	f := newFixture(t, Options{ProjectID: "acme-portal"})
	head, claims := decodeJWT(t, f, f.idToken(userC))
	if head["alg"] != "RS256" || head["typ"] != "JWT" || len(head["kid"].(string)) != 40 {
		t.Errorf("header %v", head)
	}
	now := float64(f.clock.now().Unix())
	want := map[string]any{
		"iss": "https://securetoken.google.com/acme-portal", "aud": "acme-portal", "sub": "uidC", "user_id": "uidC",
		"email": "cat@example.com", "email_verified": false, "iat": now, "exp": now + 3600, "auth_time": now,
		"role": "staff", "tier": float64(2),
		"firebase": map[string]any{"identities": map[string]any{"email": []any{"cat@example.com"}}, "sign_in_provider": "password"},
	}
	if mustJSON(t, claims) != mustJSON(t, want) {
		t.Errorf("claims\n%s\nwant\n%s", mustJSON(t, claims), mustJSON(t, want))
	}
	_, named := decodeJWT(t, f, f.idToken(userA))
	if named["name"] != "Ann" {
		t.Errorf("name claim %v, want Ann", named["name"])
	}
	certs := f.do(http.MethodGet, "/www.googleapis.com/robot/v1/metadata/x509/securetoken@system.gserviceaccount.com", "")
	if !strings.Contains(certs.body, head["kid"].(string)) || !strings.Contains(certs.body, "BEGIN CERTIFICATE") {
		t.Errorf("x509 key list lacks the kid or a certificate: %s", certs.body)
	}
}

func TestRefreshToken(t *testing.T) {
	f := newFixture(t, Options{TokenTTL: 90 * time.Second})
	id, refresh := f.tokens(userA)
	f.clock.advance(10 * time.Second)
	r := f.refresh(refresh)
	if r.status != 200 {
		t.Fatalf("refresh: %d %s", r.status, r.body)
	}
	m := r.json(t)
	if m["token_type"] != "Bearer" || m["expires_in"] != "90" || m["user_id"] != "uidA" || m["refresh_token"] != refresh ||
		m["access_token"] != m["id_token"] || m["id_token"] == id || !regexp.MustCompile(`^[1-9][0-9]{11}$`).MatchString(m["project_id"].(string)) {
		t.Errorf("refresh answer %s", r.body)
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	if len(keys) != 7 {
		t.Errorf("refresh answer has fields %v, want the 7 documented", keys)
	}
	key := f.srv.APIKey()
	tests := []struct {
		name, body, ctype, query, want string
		status                         int
	}{
		{"bad refresh token", "grant_type=refresh_token&refresh_token=AMf-vBnope", "application/x-www-form-urlencoded", "?key=" + key,
			`{"error":{"code":400,"message":"INVALID_REFRESH_TOKEN","status":"INVALID_ARGUMENT"}}`, 400},
		{"no grant type", "refresh_token=" + refresh, "application/x-www-form-urlencoded", "?key=" + key,
			`{"error":{"code":400,"message":"MISSING_GRANT_TYPE","status":"INVALID_ARGUMENT"}}`, 400},
		{"password grant", "grant_type=password&refresh_token=" + refresh, "application/x-www-form-urlencoded", "?key=" + key,
			`{"error":{"code":400,"message":"INVALID_GRANT_TYPE","status":"INVALID_ARGUMENT"}}`, 400},
		{"no refresh token", "grant_type=refresh_token", "application/x-www-form-urlencoded", "?key=" + key,
			`{"error":{"code":400,"message":"MISSING_REFRESH_TOKEN","status":"INVALID_ARGUMENT"}}`, 400},
		{"JSON body", mustJSON(t, map[string]string{"grant_type": "refresh_token", "refresh_token": refresh}), "application/json", "?key=" + key, "", 200},
		{"bad key", "grant_type=refresh_token&refresh_token=" + refresh, "application/x-www-form-urlencoded", "?key=nope", "", 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := f.do(http.MethodPost, "/securetoken.googleapis.com/v1/token"+tc.query, tc.body, "Content-Type", tc.ctype)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			if tc.want != "" {
				wantBody(t, r.body, tc.want)
			}
		})
	}
}

// TestExpiredTokenThenRefreshed runs on the real clock with a one-second
// token: every data API refuses the expired token and takes the
// refreshed one.
func TestExpiredTokenThenRefreshed(t *testing.T) {
	srv, err := New(Options{
		Users:     []User{userA},
		TokenTTL:  time.Second,
		RTDB:      RTDB{Rules: RulesAuthed, Data: map[string]any{"notes": map[string]any{"n1": map[string]any{"text": "hi"}}}},
		Firestore: Firestore{Rules: RulesAuthed, Collections: map[string][]Doc{"notes": {{ID: "n1", Fields: map[string]any{"text": "hi"}}}}},
		Storage:   Storage{Rules: RulesAuthed, Objects: []Object{{Name: "notes/n1.txt", Size: 3}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, srv: srv}
	f.url = startServer(t, srv)
	id, refresh := f.tokens(userA)
	probes := []struct {
		name, path, scheme string
		expired            int
		expiredBody        string
	}{
		{"rtdb", "/notes.json?auth=", "", 401, "{\n  \"error\" : \"Auth token is expired\"\n}\n"},
		{"firestore", "/firestore.googleapis.com/v1/projects/demo-portal/databases/(default)/documents/notes", "Bearer", 401, ""},
		{"storage", "/firebasestorage.googleapis.com/v0/b/demo-portal.appspot.com/o?prefix=notes/", "Firebase", 401, ""},
	}
	probe := func(tok string) []response {
		var out []response
		for _, p := range probes {
			if p.scheme == "" {
				out = append(out, f.do(http.MethodGet, p.path+tok, ""))
			} else {
				out = append(out, f.do(http.MethodGet, p.path, "", bearer(p.scheme, tok)...))
			}
		}
		return out
	}
	for i, r := range probe(id) {
		if r.status != 200 {
			t.Fatalf("%s with a fresh token: %d %s", probes[i].name, r.status, r.body)
		}
	}
	time.Sleep(2100 * time.Millisecond)
	for i, r := range probe(id) {
		if r.status != probes[i].expired {
			t.Errorf("%s with an expired token: %d %s", probes[i].name, r.status, r.body)
		}
		if probes[i].expiredBody != "" && r.body != probes[i].expiredBody {
			t.Errorf("%s expired body %q", probes[i].name, r.body)
		}
	}
	fsBody := probe(id)[1].json(t)["error"].(map[string]any)
	if fsBody["status"] != "UNAUTHENTICATED" {
		t.Errorf("Firestore expired-token status %v", fsBody["status"])
	}
	r := f.refresh(refresh)
	if r.status != 200 {
		t.Fatalf("refresh: %d %s", r.status, r.body)
	}
	if m := r.json(t); m["expires_in"] != "1" {
		t.Errorf("expires_in %v, want 1", m["expires_in"])
	}
	for i, r := range probe(r.json(t)["id_token"].(string)) {
		if r.status != 200 {
			t.Errorf("%s with the refreshed token: %d %s", probes[i].name, r.status, r.body)
		}
	}
}

func TestLookup(t *testing.T) {
	f := newFixture(t, Options{})
	r := f.identity("lookup", mustJSON(t, map[string]string{"idToken": f.idToken(userC)}))
	if r.status != 200 {
		t.Fatalf("lookup: %d %s", r.status, r.body)
	}
	m := r.json(t)
	users := m["users"].([]any)
	u := users[0].(map[string]any)
	if m["kind"] != "identitytoolkit#GetAccountInfoResponse" || len(users) != 1 || u["localId"] != "uidC" ||
		u["passwordHash"] != "UkVEQUNURUQ=" || u["customAttributes"] != `{"role":"staff","tier":2}` {
		t.Errorf("lookup answer %s", r.body)
	}
	r = f.identity("lookup", mustJSON(t, map[string]string{"idToken": f.idToken(userA)}))
	if _, ok := r.json(t)["users"].([]any)[0].(map[string]any)["customAttributes"]; ok {
		t.Errorf("user without claims shows customAttributes: %s", r.body)
	}
	for _, tc := range []struct{ name, body, msg string }{
		{"garbage token", `{"idToken":"x.y.z"}`, "INVALID_ID_TOKEN"},
		{"no token", `{}`, "MISSING_ID_TOKEN"},
		{"by localId", `{"localId":["uidA"]}`, "MISSING_ID_TOKEN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := f.identity("lookup", tc.body)
			if r.status != 400 || r.json(t)["error"].(map[string]any)["message"] != tc.msg {
				t.Errorf("got %d %s, want 400 %s", r.status, r.body, tc.msg)
			}
		})
	}
}

func TestUpdate(t *testing.T) {
	f := newFixture(t, Options{})
	idB, refreshB := f.tokens(userB)
	tests := []struct {
		name     string
		body     map[string]any
		status   int
		wantBody string
		wantMsg  string
	}{
		{name: "customAttributes refused", body: map[string]any{"idToken": idB, "customAttributes": `{"role":"admin"}`, "returnSecureToken": true}, status: 400,
			wantBody: `{"error":{"code":400,"message":"INSUFFICIENT_PERMISSION","errors":[{"message":"INSUFFICIENT_PERMISSION","domain":"global","reason":"invalid"}]}}`},
		{name: "customAttributes refused even with a bad token", body: map[string]any{"idToken": "x", "customAttributes": `{"admin":true}`}, status: 400, wantMsg: "INSUFFICIENT_PERMISSION"},
		{name: "no idToken", body: map[string]any{"localId": "uidB", "displayName": "x"}, status: 400, wantMsg: "INVALID_REQ_TYPE : Unsupported request parameters."},
		{name: "disableUser", body: map[string]any{"idToken": idB, "disableUser": true}, status: 400, wantMsg: "OPERATION_NOT_ALLOWED"},
		{name: "weak password", body: map[string]any{"idToken": idB, "password": "123"}, status: 400, wantMsg: "WEAK_PASSWORD : Password should be at least 6 characters"},
		{name: "taken email", body: map[string]any{"idToken": idB, "email": "ann@example.com"}, status: 400, wantMsg: "EMAIL_EXISTS"},
		{name: "bad deleteAttribute", body: map[string]any{"idToken": idB, "deleteAttribute": []string{"ROLE"}}, status: 400},
		{name: "displayName", body: map[string]any{"idToken": idB, "displayName": "Robert", "returnSecureToken": true}, status: 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := f.identity("update", mustJSON(t, tc.body))
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			if tc.wantBody != "" {
				wantBody(t, r.body, tc.wantBody)
			}
			if tc.wantMsg != "" && r.json(t)["error"].(map[string]any)["message"] != tc.wantMsg {
				t.Errorf("body %s, want message %s", r.body, tc.wantMsg)
			}
		})
	}
	// The refused claims never reached the account or its tokens.
	_, claims := decodeJWT(t, f, f.idToken(userB))
	if _, ok := claims["role"]; ok || claims["name"] != "Robert" {
		t.Errorf("claims after updates %v: want name Robert and no role", claims)
	}
	// A password change revokes earlier refresh tokens and issues new ones.
	f.clock.advance(2 * time.Second)
	r := f.identity("update", mustJSON(t, map[string]any{"idToken": idB, "password": "new-bob-password"}))
	if r.status != 200 || r.json(t)["idToken"] == nil {
		t.Fatalf("password change: %d %s", r.status, r.body)
	}
	if r := f.refresh(refreshB); r.status != 400 || !strings.Contains(r.body, "TOKEN_EXPIRED") {
		t.Errorf("old refresh token after a password change: %d %s", r.status, r.body)
	}
	if r := f.identity("lookup", mustJSON(t, map[string]string{"idToken": idB})); !strings.Contains(r.body, "TOKEN_EXPIRED") {
		t.Errorf("old ID token at lookup after a password change: %d %s", r.status, r.body)
	}
	if r := f.identity("signInWithPassword", `{"email":"bob@example.com","password":"new-bob-password"}`); r.status != 200 {
		t.Errorf("sign-in with the new password: %d %s", r.status, r.body)
	}
}

func TestNewRefusesBadOptions(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"project ID", Options{ProjectID: "Bad_Project"}, `project ID "Bad_Project"`},
		{"duplicate email", Options{Users: []User{userA, {Email: "ANN@example.com", Password: "x"}}}, "duplicate email"},
		{"no password", Options{Users: []User{{Email: "x@example.com"}}}, "empty password"},
		{"reserved claim", Options{Users: []User{{Email: "x@example.com", Password: "p", CustomClaims: map[string]any{"sub": "admin"}}}}, `custom claim "sub" is reserved`},
		{"negative TTL", Options{TokenTTL: -time.Second}, "negative TokenTTL"},
		{"RTDB key", Options{RTDB: RTDB{Data: map[string]any{"a.b": 1}}}, "RTDB: data: key"},
		{"rules", Options{Storage: Storage{Rules: Rules(9)}}, "unknown rules Rules(9)"},
		{"collection path", Options{Firestore: Firestore{Collections: map[string][]Doc{"users/u1": nil}}}, "collection path"},
		{"doc ID", Options{Firestore: Firestore{Collections: map[string][]Doc{"users": {{ID: "a/b"}}}}}, "invalid document ID"},
		{"field type", Options{Firestore: Firestore{Collections: map[string][]Doc{"users": {{ID: "a", Fields: map[string]any{"c": make(chan int)}}}}}}, "unsupported value"},
		{"object size", Options{Storage: Storage{Objects: []Object{{Name: "a", Size: -1}}}}, "size -1"},
		{"duplicate object", Options{Storage: Storage{Objects: []Object{{Name: "a"}, {Name: "a"}}}}, "duplicate name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
