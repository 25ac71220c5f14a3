package secrets

import (
	"context"
	"testing"

	"github.com/launchready/launchready/internal/fakesecret"
)

// TestFakesAreDetected: every fixed fake secret the tests plant
// (internal/fakesecret) is still flagged, in the context its test puts it
// in, by the gitleaks rule it stands for, and as a secret. The fakes are
// written in pieces so that this repository passes its own scan; this is
// what proves the pieces still join into something a scanner flags.
func TestFakesAreDetected(t *testing.T) {
	sc, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, text, rule string
	}{
		{"ClerkDevKey", `CLERK_SK="` + fakesecret.ClerkDevKey + `"`, "stripe-access-token"},
		{"ClerkWrongKey", `{"wrong key", clerk.Options{}, "` + fakesecret.ClerkWrongKey + `"}`, "stripe-access-token"},
		{"ClerkProdKey", `clerk.Options{SecretKey: "` + fakesecret.ClerkProdKey + `"}`, "stripe-access-token"},
		{"StripeLiveKey", `{apiKey: "` + fakesecret.StripeLiveKey + `", projectId: "x-proj"}`, "stripe-access-token"},
		{"SupabaseSecretKey", `key: "` + fakesecret.SupabaseSecretKey + `"`, "generic-api-key"},
		{"PlainJWT", `token = "` + fakesecret.PlainJWT + `"`, "jwt"},
		{"AnonAPIKey", `curl -sS -H 'Content-Type: application/json' -H 'Apikey: ` + fakesecret.AnonAPIKey + `' 'https://x/'`, "curl-auth-header"},
		{"AccessToken", `objectStore('kv').put({accessToken: '` + fakesecret.AccessToken + `'}, 'creds');`, "generic-api-key"},
		{"RefreshToken", `JSON.stringify({refresh_token: '` + fakesecret.RefreshToken + `'})`, "generic-api-key"},
		{"OpaqueToken", `{"refresh_token", "` + fakesecret.OpaqueToken + `"}`, "generic-api-key"},
		{"BearerToken", `{"token": "` + fakesecret.BearerToken + `"}`, "generic-api-key"},
		{"URLToken", `http.Redirect(w, r, tr.srv.URL+"/stolen?token=` + fakesecret.URLToken + `", http.StatusFound)`, "generic-api-key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := sc.Text(context.Background(), "fixture_test.go", tc.text+"\n")
			if len(fs) != 1 || fs[0].RuleID != tc.rule || fs[0].Class != Secret {
				t.Errorf("%s: findings %+v, want one secret flagged by %s", tc.text, fs, tc.rule)
			}
		})
	}
}
