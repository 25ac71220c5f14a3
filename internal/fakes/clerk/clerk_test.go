package clerk

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func call(t *testing.T, srv *httptest.Server, key, method, path, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw
}

// TestBackendAPIFlow: user lookup, session, token, JWKS verification,
// revocation, and the documented error shapes.
func TestBackendAPIFlow(t *testing.T) {
	c, err := New(Options{TokenTTL: 30 * time.Second, Users: []User{{Email: "a@portal.test"}}, AuthorizedParty: "http://portal.test"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(c)
	defer srv.Close()
	key := c.SecretKey()

	status, raw := call(t, srv, "sk_test_wrong", "GET", "/v1/users?email_address=a@portal.test", "")
	var errBody struct {
		Errors []struct{ Message, LongMessage, Code string } `json:"errors"`
	}
	if err := json.Unmarshal(raw, &errBody); status != 401 || err != nil || len(errBody.Errors) != 1 || errBody.Errors[0].Code != "authentication_invalid" {
		t.Fatalf("wrong key: %d %s", status, raw)
	}

	status, raw = call(t, srv, key, "GET", "/v1/users?email_address=A@portal.test&email_address=nobody@portal.test", "")
	var users []struct {
		ID             string `json:"id"`
		EmailAddresses []struct {
			EmailAddress string `json:"email_address"`
		} `json:"email_addresses"`
	}
	if err := json.Unmarshal(raw, &users); status != 200 || err != nil || len(users) != 1 || !strings.HasPrefix(users[0].ID, "user_") {
		t.Fatalf("users: %d %s", status, raw)
	}
	status, raw = call(t, srv, key, "POST", "/v1/sessions", `{"user_id":"`+users[0].ID+`"}`)
	var sess struct{ ID, Object, Status string }
	if err := json.Unmarshal(raw, &sess); status != 200 || err != nil || !strings.HasPrefix(sess.ID, "sess_") || sess.Status != "active" {
		t.Fatalf("session: %d %s", status, raw)
	}
	status, raw = call(t, srv, key, "POST", "/v1/sessions/"+sess.ID+"/tokens", "")
	var tok struct{ Object, JWT string }
	if err := json.Unmarshal(raw, &tok); status != 200 || err != nil || tok.Object != "token" {
		t.Fatalf("token: %d %s", status, raw)
	}
	_, jwks := call(t, srv, key, "GET", "/v1/jwks", "")
	pub, err := KeyFromJWKS(jwks, "")
	if err != nil {
		t.Fatal(err)
	}
	claims, err := Verify(tok.JWT, pub, time.Now())
	if err != nil || claims.Sid != sess.ID || claims.Sub != users[0].ID || claims.Azp != "http://portal.test" || claims.Exp-claims.Iat != 30 {
		t.Fatalf("claims %+v, %v", claims, err)
	}
	if _, err := Verify(tok.JWT, pub, time.Now().Add(31*time.Second)); err == nil {
		t.Error("an expired token verified")
	}
	if status, _ := call(t, srv, key, "POST", "/v1/sessions/"+sess.ID+"/revoke", ""); status != 200 {
		t.Fatalf("revoke: %d", status)
	}
	if status, raw := call(t, srv, key, "POST", "/v1/sessions/"+sess.ID+"/tokens", ""); status != 404 {
		t.Errorf("token for a revoked session: %d %s", status, raw)
	}
	if status, _ := call(t, srv, key, "POST", "/v1/sessions", `{"user_id":"user_nobody"}`); status != 404 {
		t.Errorf("session for an unknown user: %d", status)
	}
}

func TestProductionRefusesSessions(t *testing.T) {
	c, err := New(Options{SecretKey: "sk_live_abcdef", Users: []User{{ID: "user_1", Email: "a@portal.test"}}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(c)
	defer srv.Close()
	if status, raw := call(t, srv, c.SecretKey(), "POST", "/v1/sessions", `{"user_id":"user_1"}`); status != 403 || !strings.Contains(string(raw), "sign-in tokens") {
		t.Errorf("production instance: %d %s", status, raw)
	}
}
