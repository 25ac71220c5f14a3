package jwtx

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
)

func TestWeakSecrets(t *testing.T) {
	list := WeakSecrets()
	if len(list) < 150 {
		t.Errorf("%d weak secrets, want at least 150", len(list))
	}
	seen := map[string]bool{}
	for _, s := range list {
		if s == "" || strings.TrimSpace(s) != s {
			t.Errorf("entry %q is empty or padded", s)
		}
		if seen[s] {
			t.Errorf("entry %q is duplicated", s)
		}
		seen[s] = true
	}
	for _, must := range []string{"secret", "changeme", "your-256-bit-secret", "jwt_secret", "supersecret",
		"keyboard cat", "mysecretkey", "super-secret-jwt-token-with-at-least-32-characters-long"} {
		if !seen[must] {
			t.Errorf("list lacks %q", must)
		}
	}
	list[0] = "changed"
	if WeakSecrets()[0] == "changed" {
		t.Error("WeakSecrets shares its slice between calls")
	}
}

func TestCrackHMAC(t *testing.T) {
	list := WeakSecrets()
	tests := []struct {
		name   string
		alg    string
		key    []byte
		secret string
		ok     bool
	}{
		{name: "HS256 jwt.io default", alg: "HS256", key: []byte("your-256-bit-secret"), secret: "your-256-bit-secret", ok: true},
		{name: "HS384 tutorial key", alg: "HS384", key: []byte("keyboard cat"), secret: "keyboard cat", ok: true},
		{name: "HS512 Supabase demo", alg: "HS512", key: []byte("super-secret-jwt-token-with-at-least-32-characters-long"),
			secret: "super-secret-jwt-token-with-at-least-32-characters-long", ok: true},
		{name: "last entry", alg: "HS256", key: []byte(list[len(list)-1]), secret: list[len(list)-1], ok: true},
		{name: "random 32-byte key", alg: "HS256", key: randomKey(t)},
		{name: "near miss", alg: "HS256", key: []byte("secret ")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tok := mustParse(t, hsToken(t, tc.alg, claims(), tc.key))
			secret, ok, err := CrackHMAC(context.Background(), tok, list)
			if err != nil || ok != tc.ok || secret != tc.secret {
				t.Errorf("CrackHMAC = %q, %v, %v; want %q, %v, nil", secret, ok, err, tc.secret, tc.ok)
			}
		})
	}
}

func TestCrackHMACErrors(t *testing.T) {
	hs := mustParse(t, hsToken(t, "HS256", claims(), []byte("secret")))
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err := CrackHMAC(cancelled, hs, WeakSecrets())
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled ctx: err = %v, want context.Canceled", err)
	}

	for name, tok := range map[string]*Token{
		"RS256":       mustParse(t, rsToken(t, claims())),
		"none":        mustParse(t, noneToken(t, claims())),
		"lower hs256": {Alg: "hs256", Signature: hs.Signature, SigningInput: hs.SigningInput},
		"short sig":   {Alg: "HS256", Signature: hs.Signature[:16], SigningInput: hs.SigningInput},
		"nil":         nil,
	} {
		if secret, ok, err := CrackHMAC(context.Background(), tok, []string{"secret"}); err == nil || ok || secret != "" {
			t.Errorf("%s: CrackHMAC = %q, %v, %v; want an error", name, secret, ok, err)
		}
	}
}

func TestForge(t *testing.T) {
	for _, alg := range []string{"HS256", "HS384", "HS512"} {
		t.Run(alg, func(t *testing.T) {
			jt := jwt.NewWithClaims(jwt.GetSigningMethod(alg), claims())
			jt.Header["kid"] = "k1"
			raw, err := jt.SignedString([]byte("changeme"))
			if err != nil {
				t.Fatal(err)
			}
			orig := mustParse(t, raw)
			want := map[string]any{"sub": "admin", "role": "admin", "uid": json.Number("12345678901234567890")}
			forged, err := Forge(orig, want, "changeme")
			if err != nil {
				t.Fatal(err)
			}
			got, err := jwt.Parse(forged, func(*jwt.Token) (any, error) { return []byte("changeme"), nil },
				jwt.WithValidMethods([]string{alg}), jwt.WithJSONNumber())
			if err != nil {
				t.Fatalf("golang-jwt refuses the forged token: %v", err)
			}
			mc := got.Claims.(jwt.MapClaims)
			if mc["role"] != "admin" || mc["uid"] != json.Number("12345678901234567890") || mc["exp"] != nil {
				t.Errorf("forged claims = %v, want exactly %v", mc, want)
			}
			if got.Header["kid"] != "k1" || got.Header["alg"] != alg {
				t.Errorf("forged header = %v", got.Header)
			}
		})
	}
}

func TestForgeErrors(t *testing.T) {
	rs := mustParse(t, rsToken(t, claims()))
	if _, err := Forge(rs, claims(), "secret"); err == nil || !strings.Contains(err.Error(), "not HMAC") {
		t.Errorf("Forge(RS256) error = %v", err)
	}
	if _, err := Forge(nil, claims(), "secret"); err == nil {
		t.Error("Forge(nil) succeeded")
	}
	hs := mustParse(t, hsToken(t, "HS256", claims(), []byte("secret")))
	if _, err := Forge(hs, map[string]any{"bad": func() {}}, "secret"); err == nil {
		t.Error("Forge with unencodable claims succeeded")
	}
	forged, err := Forge(hs, nil, "secret")
	if err != nil {
		t.Fatalf("Forge(nil claims): %v", err)
	}
	if tok := mustParse(t, forged); len(tok.Claims) != 0 {
		t.Errorf("Forge(nil claims) claims = %v, want {}", tok.Claims)
	}
}

// BenchmarkCrackHMAC is the worst case: the whole list against a token
// signed with a random key.
func BenchmarkCrackHMAC(b *testing.B) {
	tok := mustParse(b, hsToken(b, "HS256", claims(), randomKey(b)))
	list := WeakSecrets()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, ok, err := CrackHMAC(ctx, tok, list); ok || err != nil {
			b.Fatal(ok, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(list)), "ns/candidate")
}

// BenchmarkCrackHMACGolangJWT is the same loop through golang-jwt's
// Verify, kept to justify the crypto/hmac loop in CrackHMAC.
func BenchmarkCrackHMACGolangJWT(b *testing.B) {
	tok := mustParse(b, hsToken(b, "HS256", claims(), randomKey(b)))
	list := WeakSecrets()
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range list {
			if jwt.SigningMethodHS256.Verify(tok.SigningInput, tok.Signature, []byte(s)) == nil {
				b.Fatal("matched")
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(list)), "ns/candidate")
}
