package jwtx

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	_ "embed"
	"errors"
	"fmt"
	"hash"
	"maps"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

//go:embed weak_secrets.txt
var weakSecretsTxt string

// ctxCheckEvery is how many candidates CrackHMAC tests between looks at
// its context: often enough to stop within microseconds, rarely enough
// not to show in the benchmark.
const ctxCheckEvery = 64

// WeakSecrets returns the built-in list of weak HMAC secrets (defaults,
// placeholders and tutorial keys; see weak_secrets.txt), a fresh copy per
// call. Entries are trimmed; blank lines and # comments are skipped.
func WeakSecrets() []string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(weakSecretsTxt))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, line)
	}
	return out
}

// CrackHMAC tests each candidate as the HMAC key of an HS256, HS384 or
// HS512 token and returns the one that reproduces its signature. Other
// algorithms are an error, as is a signature of the wrong length for the
// alg. Signatures are compared in constant time. When ctx ends first, the
// error wraps ctx.Err().
func CrackHMAC(ctx context.Context, t *Token, candidates []string) (secret string, ok bool, err error) {
	if t == nil {
		return "", false, errors.New("jwtx: nil token")
	}
	newHash, err := hmacHash(t.Alg)
	if err != nil {
		return "", false, err
	}
	if size := newHash().Size(); len(t.Signature) != size {
		return "", false, fmt.Errorf("jwtx: %s signature is %d bytes, want %d", t.Alg, len(t.Signature), size)
	}
	msg := []byte(t.SigningInput)
	sum := make([]byte, 0, sha512.Size)
	for i, c := range candidates {
		if i%ctxCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				return "", false, fmt.Errorf("jwtx: stopped after %d of %d candidates: %w", i, len(candidates), err)
			}
		}
		mac := hmac.New(newHash, []byte(c))
		mac.Write(msg)
		if hmac.Equal(mac.Sum(sum[:0]), t.Signature) {
			return c, true, nil
		}
	}
	return "", false, nil
}

// hmacHash maps an HS* alg to its hash; the names are case-sensitive, as
// in RFC 7518.
func hmacHash(alg string) (func() hash.Hash, error) {
	switch alg {
	case "HS256":
		return sha256.New, nil
	case "HS384":
		return sha512.New384, nil
	case "HS512":
		return sha512.New, nil
	}
	return nil, fmt.Errorf("jwtx: alg %q is not HMAC (HS256, HS384, HS512): no shared secret to test", alg)
}

// Forge returns a token with t's header (same alg, typ, kid…) and the given
// claims, signed with secret. Only HS256, HS384 and HS512 can be forged.
func Forge(t *Token, claims map[string]any, secret string) (string, error) {
	if t == nil {
		return "", errors.New("jwtx: nil token")
	}
	if _, err := hmacHash(t.Alg); err != nil {
		return "", err
	}
	method := jwt.GetSigningMethod(t.Alg)
	if method == nil {
		return "", fmt.Errorf("jwtx: alg %q is not registered in golang-jwt", t.Alg)
	}
	if claims == nil {
		claims = map[string]any{}
	}
	jt := jwt.NewWithClaims(method, jwt.MapClaims(claims))
	if t.Header != nil {
		jt.Header = maps.Clone(t.Header)
		jt.Header["alg"] = t.Alg
	}
	s, err := jt.SignedString([]byte(secret))
	if err != nil {
		return "", fmt.Errorf("jwtx: signing forged token: %w", err)
	}
	return s, nil
}
