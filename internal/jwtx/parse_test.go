package jwtx

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
)

func TestParse(t *testing.T) {
	key := randomKey(t)
	hs := hsToken(t, "HS256", claims(), key)
	hsHead, hsRest, _ := strings.Cut(hs, ".")
	hsClaims, hsSig, _ := strings.Cut(hsRest, ".")
	tests := []struct {
		name    string
		in      string
		alg     string
		sigLen  int
		wantErr string
	}{
		{name: "HS256", in: hs, alg: "HS256", sigLen: 32},
		{name: "Bearer prefix", in: "Bearer " + hs, alg: "HS256", sigLen: 32},
		{name: "lower-case bearer, tab and spaces", in: "  bearer\t" + hs + "\n", alg: "HS256", sigLen: 32},
		{name: "RS256", in: rsToken(t, claims()), alg: "RS256", sigLen: 256},
		{name: "none, empty signature", in: noneToken(t, claims()), alg: "none", sigLen: 0},
		{name: "alg unknown to golang-jwt", in: seg(`{"alg":"nOnE"}`) + "." + hsClaims + ".", alg: "nOnE", sigLen: 0},
		{name: "padding tolerated", in: pad(hsHead) + "." + pad(hsClaims) + "." + pad(hsSig), alg: "HS256", sigLen: 32},
		{name: "empty", in: "  ", wantErr: "empty token"},
		{name: "bearer only", in: "Bearer ", wantErr: "no dots"},
		{name: "two parts", in: hsHead + "." + hsClaims, wantErr: "has 2 parts, want 3"},
		{name: "four parts", in: hs + ".x", wantErr: "has 4 parts"},
		{name: "JWE", in: hs + ".x.y", wantErr: "encrypted JWE"},
		{name: "bad base64 header", in: "e!J." + hsClaims + "." + hsSig, wantErr: "base64 decode header"},
		{name: "standard alphabet", in: hsHead + "." + hsClaims + "+/." + hsSig, wantErr: "base64 decode claim"},
		{name: "bad base64 signature", in: hsHead + "." + hsClaims + ".a", wantErr: "base64 decode signature"},
		{name: "header not JSON", in: seg("alg: HS256") + "." + hsClaims + "." + hsSig, wantErr: "JSON decode header"},
		{name: "header null", in: seg("null") + "." + hsClaims + "." + hsSig, wantErr: "header is not a JSON object"},
		{name: "header array", in: seg(`["HS256"]`) + "." + hsClaims + "." + hsSig, wantErr: "JSON decode header"},
		{name: "header without alg", in: seg(`{"typ":"JWT"}`) + "." + hsClaims + "." + hsSig, wantErr: `no string "alg"`},
		{name: "numeric alg", in: seg(`{"alg":256}`) + "." + hsClaims + "." + hsSig, wantErr: `no string "alg"`},
		{name: "claims not JSON", in: hsHead + "." + seg("sub=1") + "." + hsSig, wantErr: "JSON decode claim"},
		{name: "claims null", in: hsHead + "." + seg("null") + "." + hsSig, wantErr: "claims are not a single JSON object"},
		{name: "claims array", in: hsHead + "." + seg(`[1]`) + "." + hsSig, wantErr: "JSON decode claim"},
		{name: "claims trailing data", in: hsHead + "." + seg(`{"a":1} {"b":2}`) + "." + hsSig, wantErr: "claims are not a single JSON object"},
		{name: "huge", in: hsHead + "." + seg(`{"x":"`+strings.Repeat("a", MaxSize)+`"}`) + "." + hsSig, wantErr: "over the 16384-byte limit"},
		{name: "huge garbage", in: strings.Repeat(".", 1<<20), wantErr: "over the 16384-byte limit"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tok, err := Parse(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.HasPrefix(err.Error(), "jwtx: ") {
					t.Fatalf("Parse error = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if tok.Alg != tc.alg || len(tok.Signature) != tc.sigLen {
				t.Errorf("alg %q, %d-byte signature; want %q, %d", tok.Alg, len(tok.Signature), tc.alg, tc.sigLen)
			}
			if tok.Claims["sub"] != "member-42" {
				t.Errorf("claims = %v", tok.Claims)
			}
			if strings.HasPrefix(tok.Raw, "Bearer") || strings.TrimSpace(tok.Raw) != tok.Raw {
				t.Errorf("Raw = %q, want the bare token", tok.Raw)
			}
		})
	}
}

func pad(s string) string {
	return s + strings.Repeat("=", (4-len(s)%4)%4)
}

// TestParseSigningInput checks that the signing input and signature are
// exactly what the issuer signed, and that numbers keep their precision.
func TestParseSigningInput(t *testing.T) {
	key := randomKey(t)
	c := claims()
	c["uid"] = json.Number("12345678901234567890")
	tok := mustParse(t, hsToken(t, "HS512", c, key))
	if err := jwt.SigningMethodHS512.Verify(tok.SigningInput, tok.Signature, key); err != nil {
		t.Fatalf("signature does not verify over SigningInput: %v", err)
	}
	if got := tok.Claims["uid"]; got != json.Number("12345678901234567890") {
		t.Errorf("uid = %#v, want the exact json.Number", got)
	}
	if tok.Header["typ"] != "JWT" {
		t.Errorf("header = %v", tok.Header)
	}
}
