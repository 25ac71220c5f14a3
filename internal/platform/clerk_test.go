package platform

import (
	"encoding/base64"
	"testing"
)

func TestClerk(t *testing.T) {
	enc := func(s string) string { return base64.RawStdEncoding.EncodeToString([]byte(s)) }
	test := "pk_test_" + enc("happy-otter-12.clerk.accounts.dev$")
	live := "pk_live_" + base64.StdEncoding.EncodeToString([]byte("clerk.portal.example$"))
	stripe := "pk_test_51HxYzAbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ"
	for _, tt := range []struct {
		name, body string
		want       []ClerkInstance
	}{
		{"vite env in a bundle", `const k="` + test + `";createClerk(k)`,
			[]ClerkInstance{{PublishableKey: test, FrontendAPI: "happy-otter-12.clerk.accounts.dev", Where: "/app.js"}}},
		{"live key with padding, twice", `publishableKey:'` + live + `',x:'` + live + `'`,
			[]ClerkInstance{{PublishableKey: live, FrontendAPI: "clerk.portal.example", Live: true, Where: "/app.js"}}},
		{"stripe publishable key is not clerk", `Stripe("` + stripe + `")`, nil},
		{"decodes to no host", "pk_test_" + enc("not a host$"), nil},
		{"no dollar", "pk_test_" + enc("clerk.portal.example"), nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := Clerk([]Source{{Label: "/app.js", Body: tt.body}})
			if len(got) != len(tt.want) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("got %+v, want %+v", got[i], tt.want[i])
				}
			}
		})
	}
}

func FuzzClerk(f *testing.F) {
	f.Add("pk_test_aGFwcHktb3R0ZXItMTIuY2xlcmsuYWNjb3VudHMuZGV2JA")
	f.Add("pk_live_====")
	f.Fuzz(func(t *testing.T, body string) {
		for _, c := range Clerk([]Source{{Label: "x", Body: body}}) {
			if c.FrontendAPI == "" || c.PublishableKey == "" {
				t.Fatalf("empty instance %+v", c)
			}
		}
	})
}
