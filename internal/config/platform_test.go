package config

import (
	"slices"
	"testing"
)

// TestPlatformDefaults: a platform login defaults its session to the
// bearer access token, and admits the platform's APIs into the scope
// under the project's own prefix only.
func TestPlatformDefaults(t *testing.T) {
	for _, tc := range []struct {
		name, yaml, from string
		scope            []string
	}{
		{"supabase", "target:\n  url: https://app.example.com\nauth:\n  kind: supabase\n  supabase: {url: https://abcdefghijklmnopqrst.supabase.co, anon_key: sb_publishable_x}\n",
			"access_token", []string{"app.example.com", "https://abcdefghijklmnopqrst.supabase.co/"}},
		{"firebase", "target:\n  url: https://app.example.com\nauth:\n  kind: firebase\n  firebase: {api_key: k, project_id: demo-portal, storage_bucket: demo-portal.appspot.com, database_url: https://demo-portal.firebaseio.com}\n",
			"idToken", []string{"app.example.com", "https://identitytoolkit.googleapis.com/v1/", "https://securetoken.googleapis.com/v1/",
				"https://firestore.googleapis.com/v1/projects/demo-portal/", "https://firebasestorage.googleapis.com/v0/b/demo-portal.appspot.com/",
				"https://demo-portal.firebaseio.com/"}},
		{"firebase emulator", "target:\n  url: http://127.0.0.1:3000\nauth:\n  kind: firebase\n  firebase:\n    api_key: k\n    project_id: demo-portal\n    endpoints: {identity: http://127.0.0.1:9099/identitytoolkit.googleapis.com/, securetoken: http://127.0.0.1:9099/securetoken.googleapis.com, firestore: http://127.0.0.1:8080, storage: http://127.0.0.1:9199}\n",
			"idToken", []string{"127.0.0.1", "http://127.0.0.1:9099/identitytoolkit.googleapis.com/v1/", "http://127.0.0.1:9099/securetoken.googleapis.com/v1/",
				"http://127.0.0.1:8080/v1/projects/demo-portal/"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse([]byte(tc.yaml), "launchready.yaml", Options{})
			if err != nil {
				t.Fatal(err)
			}
			s := c.Session
			if s.Kind != "token" || s.From != tc.from || s.Header != "Authorization" || s.Prefix != "Bearer " {
				t.Errorf("session = %+v", s)
			}
			if !slices.Equal(c.Target.Scope, tc.scope) {
				t.Errorf("scope = %q\nwant %q", c.Target.Scope, tc.scope)
			}
		})
	}
}
