package demo

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

const (
	// weakJWTSecret is the WeakJWTSecret flaw's HMAC key: the first entry
	// of every JWT cracking list.
	weakJWTSecret = "secret"
	// maxTokenLen bounds a token before any decoding.
	maxTokenLen = 4096
)

// claims are a session JWT's claims. Hardened tokens carry sub (absent on
// an anonymous pre-login token), sid, iat and exp only; the others are the
// SensitiveClaims flaw's and the MixedAuth cookie's.
type claims struct {
	Sub     string      `json:"sub,omitempty"`
	Sid     string      `json:"sid,omitempty"`
	Iat     numericDate `json:"iat"`
	Exp     numericDate `json:"exp"`
	Email   string      `json:"email,omitempty"`
	Name    string      `json:"name,omitempty"`
	Role    string      `json:"role,omitempty"`
	IsAdmin *bool       `json:"is_admin,omitempty"`
}

// admin reports whether the claims themselves say admin: what the
// SensitiveClaims flaw trusts.
func (c claims) admin() bool {
	return c.Role == "admin" || (c.IsAdmin != nil && *c.IsAdmin)
}

// numericDate is a JWT NumericDate: seconds since the epoch. It reads
// fractions too, as other libraries write them.
type numericDate int64

// UnmarshalJSON accepts any JSON number.
func (d *numericDate) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	*d = numericDate(f)
	return nil
}

// jwtHeader is the part of a JOSE header the portal reads.
type jwtHeader struct {
	Alg string `json:"alg"`
	Typ string `json:"typ,omitempty"`
}

var b64 = base64.RawURLEncoding

// signHS256 encodes c as a compact JWT signed with HMAC-SHA256.
func signHS256(key []byte, c claims) string {
	h, _ := json.Marshal(jwtHeader{Alg: "HS256", Typ: "JWT"}) // plain structs always marshal
	p, _ := json.Marshal(c)
	input := b64.EncodeToString(h) + "." + b64.EncodeToString(p)
	return input + "." + b64.EncodeToString(hmacSHA256(key, input))
}

func hmacSHA256(key []byte, input string) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(input))
	return mac.Sum(nil)
}

// verifier checks tokens: HS256 with key; with allowNone (the JWTAlgNone
// flaw) also alg "none" in any case with an empty signature.
type verifier struct {
	key       []byte
	allowNone bool
}

// verify checks a compact JWT's algorithm, signature and exp at now and
// returns its claims.
func (v verifier) verify(token string, now time.Time) (claims, error) {
	if len(token) > maxTokenLen {
		return claims{}, errors.New("token too long")
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return claims{}, errors.New("not a compact JWS")
	}
	var h jwtHeader
	if err := decodeSegment(parts[0], &h); err != nil {
		return claims{}, fmt.Errorf("header: %w", err)
	}
	if err := v.checkSignature(h.Alg, parts); err != nil {
		return claims{}, err
	}
	var c claims
	if err := decodeSegment(parts[1], &c); err != nil {
		return claims{}, fmt.Errorf("claims: %w", err)
	}
	if c.Exp == 0 || now.Unix() >= int64(c.Exp) {
		return claims{}, errors.New("expired or no exp")
	}
	return c, nil
}

// checkSignature applies the algorithm rules.
func (v verifier) checkSignature(alg string, parts []string) error {
	switch {
	case alg == "HS256":
		sig, err := b64.DecodeString(parts[2])
		if err != nil || !hmac.Equal(sig, hmacSHA256(v.key, parts[0]+"."+parts[1])) {
			return errors.New("bad signature")
		}
		return nil
	case strings.EqualFold(alg, "none") && v.allowNone && parts[2] == "":
		return nil
	}
	return fmt.Errorf("algorithm %q refused", alg)
}

// decodeSegment decodes one base64url JSON segment into v.
func decodeSegment(seg string, v any) error {
	b, err := b64.DecodeString(strings.TrimRight(seg, "="))
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}
