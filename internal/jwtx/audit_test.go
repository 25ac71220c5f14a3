package jwtx

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestAudit(t *testing.T) {
	now := time.Now().Unix()
	hour := func(h int64) int64 { return now + h*3600 }
	inner := hsToken(t, "HS256", claims(), randomKey(t))
	stripe := "sk_" + "live_" + strings.Repeat("x", 24)
	tests := []struct {
		name   string
		alg    string
		claims map[string]any
		want   []string // "kind:claim"
	}{
		{name: "minimal", alg: "HS256", claims: map[string]any{"sub": "m1", "sid": "s1", "iat": now, "exp": hour(1)}},
		{name: "missing exp", alg: "RS256", claims: map[string]any{"sub": "m1"}, want: []string{"missing-exp:exp"}},
		{name: "exp not a date", alg: "RS256", claims: map[string]any{"exp": "next week"}, want: []string{"missing-exp:exp"}},
		{name: "long lifetime", alg: "HS256", claims: map[string]any{"iat": now, "exp": hour(24 * 30)}, want: []string{"long-lifetime:exp"}},
		{name: "long lifetime without iat", alg: "HS256", claims: map[string]any{"exp": hour(48)}, want: []string{"long-lifetime:exp"}},
		{name: "exp in milliseconds", alg: "HS256", claims: map[string]any{"iat": now, "exp": now * 1000}, want: []string{"long-lifetime:exp"}},
		{name: "alg none", alg: "nOnE", claims: map[string]any{"exp": hour(1)}, want: []string{"alg-none-header:"}},
		{name: "unknown alg", alg: "HS1", claims: map[string]any{"exp": hour(1)}, want: []string{"weak-alg:"}},
		{name: "sensitive names", alg: "HS256", claims: map[string]any{
			"exp": hour(1), "password": "hunter2", "pwd": "x", "ssn": "078-05-1120", "credit_card": "4111111111111111",
			"cvv": 123, "iban": "DE89", "api_key": "k", "private_key": "k", "clientSecret": "s", "cc": "4111",
		}, want: []string{"sensitive-claim:api_key", "sensitive-claim:cc", "sensitive-claim:clientSecret",
			"sensitive-claim:credit_card", "sensitive-claim:cvv", "sensitive-claim:iban", "sensitive-claim:password",
			"sensitive-claim:private_key", "sensitive-claim:pwd", "sensitive-claim:ssn"}},
		{name: "empty or boolean sensitive-looking claims", alg: "HS256", claims: map[string]any{
			"exp": hour(1), "has_password": true, "password": "", "secret": nil, "password_changed_at": now,
		}},
		{name: "token-like values", alg: "HS256", claims: map[string]any{
			"exp": hour(1), "upstream": inner, "pay": stripe, "k": "-----BEGIN RSA PRIVATE KEY-----\nMIIE…",
		}, want: []string{"sensitive-claim:k", "sensitive-claim:pay", "sensitive-claim:upstream"}},
		{name: "editable claims", alg: "HS256", claims: map[string]any{
			"exp": hour(1), "role": "member", "roles": []any{"member"}, "isAdmin": false, "is_admin": false, "admin": false,
			"permissions": []any{}, "scope": "read", "scopes": "read", "groups": []any{}, "plan": "free", "tier": "basic",
			"paid": false, "subscription": "none", "is_staff": false, "superuser": false, "https://example.com/roles": []any{},
		}, want: []string{"client-editable-claim:admin", "client-editable-claim:groups", "client-editable-claim:https://example.com/roles",
			"client-editable-claim:isAdmin", "client-editable-claim:is_admin", "client-editable-claim:is_staff",
			"client-editable-claim:paid", "client-editable-claim:permissions", "client-editable-claim:plan",
			"client-editable-claim:role", "client-editable-claim:roles", "client-editable-claim:scope", "client-editable-claim:scopes",
			"client-editable-claim:subscription", "client-editable-claim:superuser", "client-editable-claim:tier"}},
		{name: "one level deep (Supabase shape)", alg: "HS256", claims: map[string]any{
			"exp": hour(1), "role": "authenticated", "aud": "authenticated",
			"app_metadata":  map[string]any{"provider": "email", "role": "admin"},
			"user_metadata": map[string]any{"role": "gold", "name": "Ann", "card": map[string]any{"password": "deeper is not inspected"}},
		}, want: []string{"client-editable-claim:app_metadata.role", "client-editable-claim:role",
			"sensitive-claim:user_metadata.card", "client-editable-claim:user_metadata.role"}},
		{name: "registered claims never flagged", alg: "HS256", claims: map[string]any{
			"exp": hour(1), "sub": "admin", "iss": "https://auth.example.com/admin", "jti": strings.Repeat("a", 40),
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tok := mustParse(t, seg(fmt.Sprintf(`{"alg":%q}`, tc.alg))+"."+jsonSeg(t, tc.claims)+".")
			var got []string
			for _, is := range Audit(tok, 24*time.Hour) {
				got = append(got, is.Kind+":"+is.Claim)
				if is.Detail == "" {
					t.Errorf("%s: empty detail", is.Kind)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("Audit =\n  %q\nwant\n  %q", got, tc.want)
			}
		})
	}
}

func TestAuditDetails(t *testing.T) {
	tok := mustParse(t, seg(`{"alg":"HS256"}`)+"."+jsonSeg(t, map[string]any{
		"password": "hunter2", "user_metadata": map[string]any{"role": "admin"},
	})+".")
	issues := Audit(tok, 0)
	text := fmt.Sprint(issues)
	if strings.Contains(text, "hunter2") {
		t.Error("a detail quotes a claim value")
	}
	for _, want := range []string{"no exp claim", "only safe while the server verifies the signature with a strong key", "writable by the user"} {
		if !strings.Contains(text, want) {
			t.Errorf("details lack %q:\n%s", want, text)
		}
	}
	if Audit(nil, time.Hour) != nil {
		t.Error("Audit(nil) != nil")
	}
}
