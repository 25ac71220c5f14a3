// Package jwtx analyses JSON Web Tokens captured from a portal (session
// cookies, login responses, Authorization headers) offline: it parses them
// without verifying, finds them in text, reads their lifetime, re-encodes
// them with alg "none", tests their HMAC key against a list of weak secrets,
// forges tokens once a key is known, and audits their claims.
//
// Nothing here talks to the network; sending a variant or a forged token to
// the portal, and judging the answer, is the caller's job.
package jwtx

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

// MaxSize is the largest token, in bytes, that Parse accepts. Real session
// tokens are well under 4 KiB; the cap bounds the work spent on hostile input.
const MaxSize = 16 << 10

// Token is a JWT (JWS compact serialization) decoded without verifying its
// signature.
type Token struct {
	// Raw is the token as parsed, without a "Bearer " prefix.
	Raw string
	// Header is the decoded JOSE header.
	Header map[string]any
	// Claims is the decoded payload. Numbers are json.Number, so large
	// integers (user IDs) survive a round trip through Forge unchanged.
	Claims map[string]any
	// Alg is the header's "alg", exactly as written (it may be "nOnE").
	Alg string
	// Signature is the decoded third segment; empty for unsigned tokens.
	Signature []byte
	// SigningInput is "header.payload" as it appears in Raw: the bytes the
	// signature covers.
	SigningInput string
}

// Parse decodes a JWT without verifying its signature. It accepts an
// optional "Bearer " prefix and surrounding whitespace, and requires exactly
// three base64url segments (padding tolerated) whose first two are JSON
// objects, the header with a string "alg". Tokens over MaxSize are refused.
func Parse(s string) (*Token, error) {
	s = stripBearer(s)
	if err := checkShape(s); err != nil {
		return nil, err
	}
	p := jwt.NewParser(jwt.WithPaddingAllowed(), jwt.WithJSONNumber())
	claims := jwt.MapClaims{}
	jt, parts, err := p.ParseUnverified(s, claims)
	// An alg golang-jwt does not implement ("None", "HS1") is exactly what
	// a scanner wants to see, so only a malformed token is an error.
	if err != nil && (!errors.Is(err, jwt.ErrTokenUnverifiable) || jt == nil) {
		return nil, fmt.Errorf("jwtx: %w", err)
	}
	if jt.Header == nil {
		return nil, errors.New("jwtx: header is not a JSON object")
	}
	alg, ok := jt.Header["alg"].(string)
	if !ok {
		return nil, errors.New(`jwtx: header has no string "alg"`)
	}
	if err := checkClaimsObject(p, parts[1]); err != nil {
		return nil, err
	}
	sig, err := p.DecodeSegment(parts[2])
	if err != nil {
		return nil, fmt.Errorf("jwtx: could not base64 decode signature: %w", err)
	}
	return &Token{
		Raw:          s,
		Header:       jt.Header,
		Claims:       claims,
		Alg:          alg,
		Signature:    sig,
		SigningInput: parts[0] + "." + parts[1],
	}, nil
}

// stripBearer removes surrounding whitespace and a case-insensitive
// "Bearer" scheme, as copied from an Authorization header.
func stripBearer(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 7 && strings.EqualFold(s[:6], "bearer") && (s[6] == ' ' || s[6] == '\t') {
		s = strings.TrimSpace(s[7:])
	}
	return s
}

// checkShape rejects empty, oversized and wrongly segmented input before
// any decoding, with a message that says which.
func checkShape(s string) error {
	if s == "" {
		return errors.New("jwtx: empty token")
	}
	if len(s) > MaxSize {
		return fmt.Errorf("jwtx: token is %d bytes, over the %d-byte limit", len(s), MaxSize)
	}
	switch n := strings.Count(s, ".") + 1; n {
	case 3:
		return nil
	case 1:
		return errors.New("jwtx: not a JWT: no dots, want header.payload.signature")
	case 5:
		return errors.New("jwtx: token has 5 parts: an encrypted JWE, not a signed JWT")
	default:
		return fmt.Errorf("jwtx: token has %d parts, want 3 (header.payload.signature)", n)
	}
}

// checkClaimsObject makes the payload check as strict as the header's:
// golang-jwt's JSON-number decoder accepts "null" and trailing data.
func checkClaimsObject(p *jwt.Parser, seg string) error {
	b, err := p.DecodeSegment(seg)
	if err != nil {
		return fmt.Errorf("jwtx: could not base64 decode claims: %w", err)
	}
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' || !json.Valid(b) {
		return errors.New("jwtx: claims are not a single JSON object")
	}
	return nil
}
