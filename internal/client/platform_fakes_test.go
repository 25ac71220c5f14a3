package client_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/config"
	"github.com/launchready/launchready/internal/fakes/firebase"
	"github.com/launchready/launchready/internal/fakes/supabase"
)

// platformConfig parses a config whose accounts a and b log in with the
// passwords in pw (by env: name).
func platformConfig(t *testing.T, yaml string, pw map[string]string) *config.Config {
	t.Helper()
	cfg, err := config.Parse([]byte(yaml), "", config.Options{Getenv: func(k string) (string, bool) { v, ok := pw[k]; return v, ok }})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestPlatformLoginsAgainstFakes: auth.kind supabase and firebase log in
// against the local projects (documented API shapes), with 2 s tokens;
// a request after the token's lifetime is renewed, not lost, and the data
// API answers it as the member (an owner-only row or document is read).
// A portal with its own login form reaches the same project through
// PlatformSession.
func TestPlatformLoginsAgainstFakes(t *testing.T) {
	pw := map[string]string{"PW_A": "pw-a-fake-123", "PW_B": "pw-b-fake-456"}
	sb, err := supabase.New(supabase.Options{
		TokenTTL: 2 * time.Second,
		Users: []supabase.User{{ID: "11111111-1111-4111-8111-111111111111", Email: "a@portal.test", Password: pw["PW_A"]},
			{ID: "22222222-2222-4222-8222-222222222222", Email: "b@portal.test", Password: pw["PW_B"]}},
		Tables: map[string]*supabase.Table{"notes": {RLS: true, Rows: []map[string]any{
			{"user_id": "11111111-1111-4111-8111-111111111111", "body": "a's note"}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	fb, err := firebase.New(firebase.Options{
		TokenTTL: 2 * time.Second,
		Users:    []firebase.User{{UID: "uidA", Email: "a@portal.test", Password: pw["PW_A"]}, {UID: "uidB", Email: "b@portal.test", Password: pw["PW_B"]}},
		Firestore: firebase.Firestore{Rules: firebase.RulesOwner, Collections: map[string][]firebase.Doc{
			"notes": {{ID: "n1", Fields: map[string]any{"owner": "uidA", "body": "a's note"}}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	sbSrv, fbSrv := httptest.NewServer(sb), httptest.NewServer(fb)
	t.Cleanup(sbSrv.Close)
	t.Cleanup(fbSrv.Close)
	accounts := "accounts:\n  a: {email: a@portal.test, password: env:PW_A}\n  b: {email: b@portal.test, password: env:PW_B}\n"
	supa := fmt.Sprintf("  supabase: {url: %s, anon_key: %s}\n", sbSrv.URL, sb.AnonKey())
	fire := fmt.Sprintf("  firebase:\n    api_key: %s\n    project_id: %s\n    endpoints: {identity: %[3]s/identitytoolkit.googleapis.com, securetoken: %[3]s/securetoken.googleapis.com, firestore: %[3]s/firestore.googleapis.com, storage: %[3]s/firebasestorage.googleapis.com}\n",
		fb.APIKey(), fb.ProjectID(), fbSrv.URL)
	head := "target: {url: %s, scope: [127.0.0.1]}\n"

	ctx := context.Background()
	for _, tc := range []struct {
		name, yaml string
		kind       string
		// own: the portal logs in with its own form; the platform
		// session comes from PlatformSession.
		own  bool
		read func(s *client.Session) (*client.Response, error)
	}{
		{name: "supabase", kind: "supabase", yaml: fmt.Sprintf(head, sbSrv.URL) + "auth:\n  kind: supabase\n" + supa + accounts,
			read: func(s *client.Session) (*client.Response, error) {
				return s.Do(ctx, &client.Request{URL: sbSrv.URL + "/rest/v1/notes?select=body&limit=1"})
			}},
		{name: "firebase", kind: "firebase", yaml: fmt.Sprintf(head, fbSrv.URL) + "auth:\n  kind: firebase\n" + fire + accounts,
			read: func(s *client.Session) (*client.Response, error) {
				return s.Do(ctx, &client.Request{URL: fbSrv.URL + "/firestore.googleapis.com/v1/projects/" + fb.ProjectID() + "/databases/(default)/documents/notes/n1"})
			}},
		{name: "supabase beside a form login", kind: "supabase", own: true,
			yaml: fmt.Sprintf(head, sbSrv.URL) + "auth:\n  login: {path: /login}\n  protected: [/dashboard]\n" + supa + accounts,
			read: func(s *client.Session) (*client.Response, error) {
				return s.Do(ctx, &client.Request{URL: sbSrv.URL + "/rest/v1/notes?select=body&limit=1"})
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := platformConfig(t, tc.yaml, pw)
			_, ss, err := client.FromConfig(cfg, "test")
			if err != nil {
				t.Fatal(err)
			}
			var a *client.Session
			if tc.own {
				a, err = ss.PlatformSession(ctx, tc.kind, "a")
			} else {
				a, err = ss.Get(ctx, "a")
			}
			if err != nil {
				t.Fatal(err)
			}
			if a.Login.Verified == nil || a.Login.Verified.StatusCode != http.StatusOK {
				t.Fatalf("login not verified: %+v", a.Login.Verified)
			}
			time.Sleep(2100 * time.Millisecond) // the first token has expired
			resp, err := tc.read(a)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusPartialContent {
				t.Fatalf("after expiry: status %d %s", resp.StatusCode, resp.Body)
			}
			if a.Renewals() < 1 {
				t.Errorf("renewals = %d, want the expired token renewed", a.Renewals())
			}
			if !strings.Contains(string(resp.Body), "a's note") {
				t.Errorf("member a did not read its own row after renewal: %s", resp.Body)
			}
			// The same shared session comes back.
			again, err := ss.PlatformSession(ctx, tc.kind, "a")
			if err != nil || again != a {
				t.Errorf("PlatformSession is not the shared session: %v", err)
			}
		})
	}
}
