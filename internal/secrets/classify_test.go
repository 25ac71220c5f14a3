package secrets

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/jwtx"
)

// TestClassify decides kind, class and severity by meaning, not by which
// rule happened to match.
func TestClassify(t *testing.T) {
	now := time.Now()
	for _, tc := range []struct {
		name, rule, value, line, around string
		kind                            string
		class                           Class
		severity                        check.Severity
	}{
		{"stripe live secret", "stripe-access-token", fakeStripe(t, "sk", "live"), "", "", "Stripe live secret key", Secret, check.Blocker},
		{"stripe live restricted", "stripe-access-token", fakeStripe(t, "rk", "live"), "", "", "Stripe live restricted key", Secret, check.Blocker},
		{"stripe test secret", "stripe-access-token", fakeStripe(t, "sk", "test"), "", "", "Stripe test-mode secret key", Secret, check.Major},
		{"stripe publishable via generic", "generic-api-key", fakeStripe(t, "pk", "live"), "", "", "Stripe live publishable key", Publishable, check.Info},
		{"stripe publishable test", RuleStripePublishable, fakeStripe(t, "pk", "test"), "", "", "Stripe test-mode publishable key", Publishable, check.Info},
		{"supabase anon jwt", "jwt", fakeSupabaseJWT(t, "anon"), "", "", "Supabase anon key", Publishable, check.Info},
		{"supabase service_role jwt", "jwt", fakeSupabaseJWT(t, "service_role"), "", "", "Supabase service_role key", Secret, check.Blocker},
		{"supabase secret key", RuleSupabaseKey, "sb_" + "secret_" + randBody(t, 32), "", "", "Supabase secret key", Secret, check.Blocker},
		{"supabase publishable key", RuleSupabaseKey, "sb_" + "publishable_" + randBody(t, 32), "", "", "Supabase publishable key", Publishable, check.Info},
		{"jwt without exp", "jwt", fakeJWT(t, jwt.MapClaims{"sub": "x"}), "", "", "JSON Web Token without expiry", Secret, check.Blocker},
		{"expired jwt", "jwt", fakeJWT(t, jwt.MapClaims{"sub": "x", "exp": now.AddDate(-1, 0, 0).Unix()}), "", "",
			"expired JSON Web Token (expired " + now.AddDate(-1, 0, 0).UTC().Format("2006-01-02") + ")", Secret, check.Minor},
		{"firebase web config", "gcp-api-key", "AIza" + randBody(t, 35), `  apiKey: "x",`, "const firebaseConfig = {", "Firebase web API key", Publishable, check.Info},
		{"google key elsewhere", "gcp-api-key", "AIza" + randBody(t, 35), `MAPS_KEY=x`, "MAPS_KEY=x", "Google API key", Secret, check.Blocker},
		{"database url", RuleDatabaseURL, fakeDBURL(t), "", "", "PostgreSQL connection URL with a password", Secret, check.Blocker},
		{"database url on localhost", RuleDatabaseURL, "postgres" + "://app:" + randBody(t, 12) + "@localhost:5432/app", "", "",
			"PostgreSQL connection URL with a password (local development host)", Harmless, check.Info},
		{"database url in compose network", RuleDatabaseURL, "mysql" + "://app:" + randBody(t, 12) + "@db:3306/app", "", "",
			"MySQL connection URL with a password (local development host)", Harmless, check.Info},
		{"database url placeholder", RuleDatabaseURL, "postgres" + "://app:${DB_PASSWORD}@db.example.com/app", "", "",
			"PostgreSQL connection URL with a password (placeholder password)", Harmless, check.Info},
		{"smtp url", RuleSMTPURL, "smtps" + "://mailer:" + randBody(t, 16) + "@smtp.example.com:465", "", "", "SMTP URL with a password", Secret, check.Blocker},
		{"smtp password", RuleSMTPPassword, randBody(t, 16), "SMTP_PASSWORD=x", "", "SMTP password", Secret, check.Blocker},
		{"smtp password via generic", "generic-api-key", randBody(t, 16), "SMTP_PASS=x", "", "SMTP password", Secret, check.Blocker},
		{"generic placeholder", "generic-api-key", "your-api-key-here", "API_KEY=x", "", "API key or password (generic rule) (placeholder)", Harmless, check.Info},
		{"generic", "generic-api-key", randBody(t, 24), "API_KEY=x", "", "API key or password (generic rule)", Secret, check.Blocker},
		{"private key", "private-key", fakePrivateKey(t), "", "", "private key", Secret, check.Blocker},
		{"aws", "aws-access-token", "AKIA" + strings.ToUpper(randBody(t, 16)), "", "", "AWS access key", Secret, check.Blocker},
		{"unlisted rule", "linear-api-key", "lin_api_" + randBody(t, 40), "", "", "Linear API key", Secret, check.Blocker},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := classify(candidate{rule: tc.rule, value: tc.value, line: tc.line, now: now,
				around: func() string { return tc.around + "\n" + tc.line }})
			if m.kind != tc.kind || m.class != tc.class || m.severity != tc.severity {
				t.Errorf("classify = %q %s %s, want %q %s %s", m.kind, m.class, m.severity, tc.kind, tc.class, tc.severity)
			}
			if m.class == Secret && m.rotate == "" {
				t.Errorf("secret %q says nothing about what to rotate", m.kind)
			}
		})
	}
}

// TestTextFindsAndClassifies runs the real rules on text: each planted
// value is found under its own kind, and the publishable ones are not
// secrets.
func TestTextFindsAndClassifies(t *testing.T) {
	s := newScanner(t)
	sk := fakeStripe(t, "sk", "live")
	for _, tc := range []struct {
		name, text, kind string
		class            Class
	}{
		{"stripe secret in js", "const stripe = require('stripe')(\"" + sk + "\");\n", "Stripe live secret key", Secret},
		{"stripe publishable", "const pk = \"" + fakeStripe(t, "pk", "live") + "\";\n", "Stripe live publishable key", Publishable},
		{"base64-wrapped key", "config: \"" + base64.StdEncoding.EncodeToString([]byte("STRIPE_KEY="+sk+"\n")) + "\"\n",
			"Stripe live secret key", Secret},
		{"service_role", "SUPABASE_SERVICE_ROLE_KEY=" + fakeSupabaseJWT(t, "service_role") + "\n", "Supabase service_role key", Secret},
		{"anon", "NEXT_PUBLIC_SUPABASE_ANON_KEY=" + fakeSupabaseJWT(t, "anon") + "\n", "Supabase anon key", Publishable},
		{"database url", "DATABASE_URL=" + fakeDBURL(t) + "\n", "PostgreSQL connection URL with a password", Secret},
		{"smtp", "SMTP_PASSWORD=" + randBody(t, 20) + "\n", "SMTP password", Secret},
		{"private key", fakePrivateKey(t), "private key", Secret},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := s.Text(context.Background(), "app.js", tc.text)
			if len(fs) != 1 {
				t.Fatalf("%d findings, want 1: %+v", len(fs), fs)
			}
			f := fs[0]
			if f.Kind != tc.kind || f.Class != tc.class || f.File != "app.js" || f.Line < 1 {
				t.Errorf("finding %+v, want %q %s in app.js", f, tc.kind, tc.class)
			}
			if strings.Contains(tc.name, "base64") && f.Encoding != "base64" {
				t.Errorf("encoding %q, want base64 (MaxDecodeDepth must be set)", f.Encoding)
			}
		})
	}
}

func TestRedact(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"sk_" + "live_abcdefghijklmnop", "sk_l…"},
		{"abcdefghijkl", "abcd…"},
		{"abcdef", "ab…"},
		{"ab", "…"},
		{"", "…"},
		{"ééééééééééééé", "éééé…"},
	} {
		if got := Redact(tc.in); got != tc.want {
			t.Errorf("Redact(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestReadJWT(t *testing.T) {
	exp := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		name, token string
		ok          bool
		role        string
	}{
		{"anon", fakeSupabaseJWT(t, "anon"), true, "anon"},
		{"service_role", fakeSupabaseJWT(t, "service_role"), true, "service_role"},
		{"no role", fakeJWT(t, jwt.MapClaims{"sub": "1", "exp": exp.Unix()}), true, ""},
		{"role not a string", fakeJWT(t, jwt.MapClaims{"role": 7}), true, ""},
		{"two parts", "eyJhbGciOiJub25lIn0.eyJyb2xlIjoiYW5vbiJ9", false, ""},
		{"not base64", "eyJ!.eyJ!.sig", false, ""},
		{"payload not an object", "eyJhbGciOiJIUzI1NiJ9." + base64.RawURLEncoding.EncodeToString([]byte(`"anon"`)) + ".c2ln", false, ""},
		{"header without alg", base64.RawURLEncoding.EncodeToString([]byte(`{"typ":"JWT"}`)) + ".eyJyb2xlIjoiYW5vbiJ9.c2ln", false, ""},
		{"too long", strings.Repeat("a", jwtx.MaxSize+1), false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, ok := ReadJWT(tc.token)
			if ok != tc.ok || c.Role != tc.role {
				t.Errorf("ReadJWT = %+v, %v; want role %q, %v", c, ok, tc.role, tc.ok)
			}
			if tc.name == "no role" && !c.Expires.Equal(exp) {
				t.Errorf("expires %v, want %v", c.Expires, exp)
			}
		})
	}
}

// FuzzReadJWT: any input, no panic; a token read back is three parts.
func FuzzReadJWT(f *testing.F) {
	f.Add(fakeSupabaseJWT(f, "anon"))
	f.Add("eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjFlMzAwfQ.x")
	f.Add("..")
	f.Fuzz(func(t *testing.T, token string) {
		if _, ok := ReadJWT(token); ok && strings.Count(strings.TrimSpace(token), ".") != 2 {
			t.Errorf("read %q, which is not three parts", token)
		}
	})
}

func TestIsEnvFile(t *testing.T) {
	for name, want := range map[string]bool{
		".env": true, "app/.env.production": true, ".env.local": true, "prod.env": true, ".envrc": true, ".dev.vars": true,
		".env.example": false, ".env.sample": false, "env.ts": false, ".environment": false, "config/.env.template": false,
	} {
		if got := IsEnvFile(name); got != want {
			t.Errorf("IsEnvFile(%q) = %v, want %v", name, got, want)
		}
	}
}

// FuzzClassify: any matched value (URLs with odd user info, templates,
// multi-byte text) classifies without panicking, and a secret always says
// what to rotate.
func FuzzClassify(f *testing.F) {
	f.Add(RuleDatabaseURL, "postgres://u:${X}@h:5432/db", "")
	f.Add(RuleSMTPURL, "smtp://a:b@[::1]:25", "")
	f.Add("generic-api-key", "\xff\xfe", "SMTP_PASSWORD=")
	f.Add("gcp-api-key", "AIza", "apiKey")
	f.Fuzz(func(t *testing.T, rule, value, line string) {
		m := classify(candidate{rule: rule, value: value, line: line, now: time.Now(), around: func() string { return line }})
		if m.kind == "" || (m.class == Secret && m.rotate == "") {
			t.Errorf("classify(%q, %q) = %+v", rule, value, m)
		}
	})
}
