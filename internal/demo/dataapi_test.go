package demo

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestDataAPI: db.portal.test serves the portal's Supabase project over
// the demo's DNS and TLS; members log in there with their portal
// passwords; flawed, anonymous holders of the bundle's key read every
// member's orders and list the avatars bucket; hardened, they see nothing
// and a member sees only its own rows. The bundle uses the project as
// supabase-js code does.
func TestDataAPI(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			p := startPortal(t, m.flaws)
			c := newClient(t, p, false)
			key := p.data.srv.AnonKey()
			call := func(method, path, bearer string, body any) (int, string) {
				t.Helper()
				var rd io.Reader
				if body != nil {
					raw, _ := json.Marshal(body)
					rd = bytes.NewReader(raw)
				}
				req, err := http.NewRequest(method, p.data.URL+path, rd)
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("apikey", key)
				req.Header.Set("Authorization", "Bearer "+bearer)
				req.Header.Set("Content-Type", "application/json")
				resp, err := c.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				return resp.StatusCode, string(b)
			}
			flawed := m.flaws.SupabaseNoRLS
			status, body := call(http.MethodGet, "/rest/v1/orders?select=user_id", key, nil)
			if status != http.StatusOK || (strings.Count(body, "user_id") == 6) != flawed {
				t.Errorf("anonymous orders: %d %s (flawed %v)", status, body, flawed)
			}
			if status, body := call(http.MethodGet, "/rest/v1/notes?select=id", key, nil); status != http.StatusOK || body != "[]" {
				t.Errorf("anonymous notes: %d %s, want []", status, body)
			}
			status, body = call(http.MethodPost, "/storage/v1/object/list/avatars", key, map[string]any{"prefix": ""})
			if status != http.StatusOK || (body != "[]") != m.flaws.SupabaseListableBucket {
				t.Errorf("anonymous avatars listing: %d %s", status, body)
			}
			status, body = call(http.MethodPost, "/auth/v1/token?grant_type=password", key,
				map[string]string{"email": "alice@portal.test", "password": password(t, p, "a")})
			var tok struct {
				Access string `json:"access_token"`
			}
			if status != http.StatusOK || json.Unmarshal([]byte(body), &tok) != nil || tok.Access == "" {
				t.Fatalf("alice's password grant: %d %s", status, body)
			}
			if status, body := call(http.MethodGet, "/rest/v1/notes?select=body", tok.Access, nil); status != http.StatusOK ||
				!strings.Contains(body, "Alice Example's private note") || strings.Contains(body, "Bob") {
				t.Errorf("alice's notes: %d %s", status, body)
			}
			js := string(p.app.assets.bundle)
			for _, want := range []string{`supabase.createClient("` + p.data.URL + `", "` + key + `")`, `.from("notes")`, `.from("orders")`, `.storage.from("avatars")`} {
				if !strings.Contains(js, want) {
					t.Errorf("bundle lacks %s", want)
				}
			}
		})
	}
}
