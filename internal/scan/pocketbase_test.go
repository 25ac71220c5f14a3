package scan

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/checktest"
	"github.com/launchready/launchready/internal/config"
)

// pocketBase speaks the PocketBase API shape (NOTES.md): password login at
// /api/collections/users/auth-with-password → {"token": …}, the token sent
// back as "Authorization: <token>" with no Bearer prefix, and records a
// caller may not see answered with 404.
type pocketBase struct {
	key    []byte
	logins atomic.Int32
}

func (pb *pocketBase) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/api/collections/users/auth-with-password":
		var in struct{ Identity, Password string }
		if json.NewDecoder(r.Body).Decode(&in) != nil || in.Identity != "a@portal.test" || in.Password != checktest.Password {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"code":400,"message":"Failed to authenticate.","data":{}}`)
			return
		}
		pb.logins.Add(1)
		tok, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
			"id": "u1a2b3c4d5e6f7g", "type": "auth", "collectionId": "_pb_users_auth_",
			"exp": time.Now().Add(time.Hour).Unix(), "refreshable": true,
		}).SignedString(pb.key)
		json.NewEncoder(w).Encode(map[string]any{"token": tok, "record": map[string]any{"id": "u1a2b3c4d5e6f7g", "email": in.Identity}})
	case r.URL.Path == "/api/collections/users/records/u1a2b3c4d5e6f7g" && pb.authed(r):
		fmt.Fprint(w, `{"id":"u1a2b3c4d5e6f7g","email":"a@portal.test","name":"Alice Example","plan":"Community Pro","verified":true}`)
	default:
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"code":404,"message":"The requested resource wasn't found.","data":{}}`)
	}
}

func (pb *pocketBase) authed(r *http.Request) bool {
	h := r.Header.Get("Authorization")
	if h == "" || strings.HasPrefix(h, "Bearer ") {
		return false // PocketBase takes the bare token
	}
	t, err := jwt.Parse(h, func(*jwt.Token) (any, error) { return pb.key, nil }, jwt.WithValidMethods([]string{"HS256"}))
	return err == nil && t.Valid
}

func TestTokenLoginPocketBaseShape(t *testing.T) {
	key := make([]byte, 32)
	rand.Read(key)
	pb := &pocketBase{key: key}
	_, yaml := checktest.TLSServer(t, pb)
	yaml += `auth:
  kind: json
  login: {path: /api/collections/users/auth-with-password, form: {identity: "{{email}}", password: "{{password}}"}}
  logout: none
  protected: [/api/collections/users/records/u1a2b3c4d5e6f7g]
session: {kind: token, from: token, header: Authorization}
accounts:
  a: {email: a@portal.test, password: env:A}
  b: {email: b@portal.test, password: env:B}
`
	cfg, err := config.Parse([]byte(yaml), "", config.Options{Getenv: func(string) (string, bool) { return checktest.Password, true }})
	if err != nil {
		t.Fatal(err)
	}
	run, err := Execute(context.Background(), cfg, Options{Version: "test", FailOn: check.Blocker,
		Only: []string{"AUTH-002", "AUTH-003", "AUTH-007", "AUTH-008", "SESS-001", "SESS-004", "SESS-006"}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]check.Status{
		"AUTH-002": check.Pass, "AUTH-003": check.NA, "AUTH-007": check.Pass, "AUTH-008": check.Pass,
		"SESS-001": check.NA, "SESS-004": check.Pass, "SESS-006": check.Pass,
	}
	for _, o := range run.Outcomes {
		if o.Result.Status != want[o.Meta.ID] {
			t.Errorf("%s = %s (%s %s), want %s", o.Meta.ID, o.Result.Status, o.Result.Summary, o.Result.Reason, want[o.Meta.ID])
		}
	}
	if pb.logins.Load() == 0 {
		t.Error("no token login reached the server")
	}
}

// TestTokenJWTWeakKey proves the bearer-token path of SESS-006: a token
// signed with a listed weak key is cracked offline and a forged one sent in
// the configured header is accepted.
func TestTokenJWTWeakKey(t *testing.T) {
	pb := &pocketBase{key: []byte("secret")}
	_, yaml := checktest.TLSServer(t, pb)
	yaml += `auth:
  kind: json
  login: {path: /api/collections/users/auth-with-password, form: {identity: "{{email}}", password: "{{password}}"}}
  protected: [/api/collections/users/records/u1a2b3c4d5e6f7g]
session: {kind: token, from: token, header: Authorization}
accounts:
  a: {email: a@portal.test, password: env:A}
`
	cfg, err := config.Parse([]byte(yaml), "", config.Options{Getenv: func(string) (string, bool) { return checktest.Password, true }})
	if err != nil {
		t.Fatal(err)
	}
	run, err := Execute(context.Background(), cfg, Options{Version: "test", FailOn: check.Blocker, Only: []string{"SESS-006"}})
	if err != nil {
		t.Fatal(err)
	}
	r := run.Outcomes[0].Result
	if r.Status != check.Fail || !strings.Contains(r.Summary, "forged token accepted") {
		t.Fatalf("SESS-006 = %s (%s)", r.Status, r.Summary)
	}
	for _, ev := range r.Evidence {
		if strings.Contains(ev.Detail+ev.Repro, "eyJ") {
			t.Errorf("token unredacted in evidence: %s", ev.Detail+ev.Repro)
		}
	}
}
