package config

import (
	"net/url"
	"reflect"
	"testing"
)

// pocketBaseYAML is a JSON-API portal's config in the shape of
// test/realworld/pocketbase/launchready.yaml: every key issue 13 (defect
// 8) added.
const pocketBaseYAML = `target:
  url: https://pocketbase.example.com
  pages: [/, /login.html]
  headers: {X-Gateway: env:LR_B_PASSWORD}
auth:
  kind: json
  login:
    path: /api/collections/users/auth-with-password
    json: {identity: "{{email}}", password: "{{password}}"}
  logout: {kind: client}
  protected: [/api/collections/users/records, "/api/collections/users/records/{{self.id}}"]
  signup:
    path: /api/collections/users/records
    json: {email: "{{email}}", password: "{{password}}", passwordConfirm: "{{password}}", name: "{{tag}}"}
    verify: true
    request: {path: /api/collections/users/request-verification, json: {email: "{{email}}"}}
    confirm: {path: /api/collections/users/confirm-verification, json: {token: "{{token}}"}}
    delete: {path: "/api/collections/users/records/{{self.id}}", method: DELETE}
  reset:
    path: /api/collections/users/request-password-reset
    json: {email: "{{email}}"}
    confirm: {path: /api/collections/users/confirm-password-reset, json: {token: "{{token}}", password: "{{new_password}}", passwordConfirm: "{{new_password}}"}}
  inbox: {kind: mailpit, url: "http://127.0.0.1:8025", address: "qa+{{tag}}@example.com"}
session: {kind: token, from: token, header: Authorization, prefix: ""}
accounts:
  me: {path: /api/collections/users/auth-refresh, method: POST, id_field: record.id}
  a: {email: a@example.com, password: env:LR_A_PASSWORD}
  b: {email: b@example.com, password: env:LR_B_PASSWORD}
  admin:
    email: admin@example.com
    password: env:LR_A_PASSWORD
    login: {path: /api/collections/_superusers/auth-with-password, json: {identity: "{{email}}", password: "{{password}}"}}
objects:
  - name: notes
    list: /api/collections/notes/records
    item: "/api/collections/notes/records/{id}"
    create: {path: /api/collections/notes/records, json: {owner: "{{self.id}}", title: "{{canary}}"}}
admin: [/api/settings, "/api/collections/users/records/{{self.id}}"]
profile: {path: "/api/collections/users/records/{{self.id}}", json: {name: "{{canary}}"}}
`

func TestParseJSONAPI(t *testing.T) {
	c, err := Parse([]byte(pocketBaseYAML), "", testOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	if want := (&Me{Path: "/api/collections/users/auth-refresh", Method: "POST", IDField: "record.id"}); !reflect.DeepEqual(c.Me, want) {
		t.Errorf("accounts.me = %+v, want %+v", c.Me, want)
	}
	if _, ok := c.Accounts["me"]; ok || len(c.Accounts) != 3 {
		t.Errorf("accounts = %v: me is not an account", c.Accounts)
	}
	s := c.Auth.Signup
	if s.Method != "POST" || s.Request.Method != "POST" || s.Confirm.Method != "POST" || s.Delete.Method != "DELETE" || s.JSON["name"] != "{{tag}}" {
		t.Errorf("signup = %+v", s)
	}
	if r := c.Auth.Reset; r.Method != "POST" || r.Confirm.JSON["password"] != "{{new_password}}" {
		t.Errorf("reset = %+v", r)
	}
	if l := c.Accounts["admin"].Login; l == nil || l.Path != "/api/collections/_superusers/auth-with-password" {
		t.Errorf("accounts.admin.login = %+v", l)
	}
	if got := c.Auth.Login.Fields()["identity"]; got != "{{email}}" {
		t.Errorf("login fields = %v", c.Auth.Login.Fields())
	}
	if h := c.Target.Headers["X-Gateway"]; h.Value != "pb-secret" || h.Ref != "env:LR_B_PASSWORD" {
		t.Errorf("target.headers = %+v", c.Target.Headers)
	}
}

// TestParseMeDuplicate: me is taken out of accounts before decoding, so
// its duplicate is caught there.
func TestParseMeDuplicate(t *testing.T) {
	y := "target: {url: https://app.example.com}\naccounts:\n  me: {path: /api/me}\n  me: {path: /api/me2}\n"
	_, err := Parse([]byte(y), "", testOptions(t))
	if got, want := errString(err), `launchready.yaml:4: accounts.me: duplicate key (first written on line 3)`; got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
}

func TestExpand(t *testing.T) {
	vars := map[string]string{PhEmail: "qa+x1@example.com", PhSelfID: "a b/c", PhTag: "x1"}
	for _, tc := range []struct {
		in   string
		esc  func(string) string
		want string
	}{
		{"/api/users/{{self.id}}", url.PathEscape, "/api/users/a%20b%2Fc"},
		{"{{email}} {{tag}}", nil, "qa+x1@example.com x1"},
		{"{{canary}} and {{email}}", nil, "{{canary}} and qa+x1@example.com"},
		{"open {{ never", nil, "open {{ never"},
		{"plain", nil, "plain"},
		{"{{self.id}}{{self.id}}", nil, "a b/ca b/c"},
	} {
		if got := Expand(tc.in, vars, tc.esc); got != tc.want {
			t.Errorf("Expand(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := Placeholders("/a/{{self.id}}/{{email}}/{{x"); !reflect.DeepEqual(got, []string{"{{self.id}}", "{{email}}"}) {
		t.Errorf("Placeholders = %v", got)
	}
}
