package jwtx

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"testing"

	"github.com/golang-jwt/jwt/v5"
)

// Every token in these tests is minted at run time: the repository holds no
// token string for a secret scanner to flag.

func hsToken(t testing.TB, alg string, claims jwt.MapClaims, key []byte) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.GetSigningMethod(alg), claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func rsToken(t testing.TB, claims jwt.MapClaims) string {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodRS256, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func noneToken(t testing.TB, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodNone, claims).SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// seg encodes raw JSON (or anything) as an unpadded base64url segment.
func seg(s string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

func jsonSeg(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func randomKey(t testing.TB) []byte {
	t.Helper()
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		t.Fatal(err)
	}
	return k
}

func mustParse(t testing.TB, s string) *Token {
	t.Helper()
	tok, err := Parse(s)
	if err != nil {
		t.Fatalf("Parse(%.40q…): %v", s, err)
	}
	return tok
}

func claims() jwt.MapClaims {
	return jwt.MapClaims{"sub": "member-42", "iat": 1700000000, "exp": 1700003600}
}
