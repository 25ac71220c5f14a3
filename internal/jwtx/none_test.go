package jwtx

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
)

func TestNoneVariants(t *testing.T) {
	c := claims()
	c["role"] = "member"
	c["uid"] = 9007199254740993 // 2^53+1: must not be rounded by re-encoding
	jt := jwt.NewWithClaims(jwt.SigningMethodHS256, c)
	jt.Header["kid"] = "k1"
	raw, err := jt.SignedString(randomKey(t))
	if err != nil {
		t.Fatal(err)
	}
	orig := mustParse(t, raw)

	variants := NoneVariants(orig)
	var algs []string
	for _, v := range variants {
		if !strings.HasSuffix(v, ".") || strings.Count(v, ".") != 2 {
			t.Errorf("variant %q: want header.payload. with an empty signature", v)
		}
		tok := mustParse(t, v)
		algs = append(algs, tok.Alg)
		if len(tok.Signature) != 0 {
			t.Errorf("alg %s: signature %x, want none", tok.Alg, tok.Signature)
		}
		if !reflect.DeepEqual(tok.Claims, orig.Claims) {
			t.Errorf("alg %s: claims %v, want %v", tok.Alg, tok.Claims, orig.Claims)
		}
		if tok.Header["kid"] != "k1" || tok.Header["typ"] != "JWT" {
			t.Errorf("alg %s: header %v lost fields", tok.Alg, tok.Header)
		}
	}
	if want := []string{"none", "None", "NONE", "nOnE"}; !slices.Equal(algs, want) {
		t.Errorf("algs = %q, want %q", algs, want)
	}
	if NoneVariants(nil) != nil {
		t.Error("NoneVariants(nil) != nil")
	}
}

// TestNoneVariantsRefusedByStrictVerifier shows what the variants test: a
// verifier with an algorithm allowlist refuses every one of them.
func TestNoneVariantsRefusedByStrictVerifier(t *testing.T) {
	key := randomKey(t)
	for _, v := range NoneVariants(mustParse(t, hsToken(t, "HS256", claims(), key))) {
		_, err := jwt.Parse(v, func(*jwt.Token) (any, error) { return key, nil },
			jwt.WithValidMethods([]string{"HS256"}), jwt.WithoutClaimsValidation())
		if err == nil {
			t.Errorf("strict verifier accepted %q", v)
		}
	}
}
