package supabase

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// The project's JWTs: the legacy API keys and the users' access tokens,
// all HS256 with the project secret, as on a project that has not moved to
// asymmetric signing keys.

// keyLifetime is how long the legacy API keys are valid (ten years, as the
// dashboard mints them).
const keyLifetime = 10 * 365 * 24 * time.Hour

func (s *Server) mintKeys() error {
	iat := s.created.Unix()
	exp := s.created.Add(keyLifetime).Unix()
	var err1, err2 error
	s.anonKey, err1 = s.sign(jwt.MapClaims{"iss": "supabase", "ref": s.ref, "role": "anon", "iat": iat, "exp": exp})
	s.serviceKey, err2 = s.sign(jwt.MapClaims{"iss": "supabase", "ref": s.ref, "role": "service_role", "iat": iat, "exp": exp})
	if err := errors.Join(err1, err2); err != nil {
		return fmt.Errorf("supabase fake: minting the API keys: %w", err)
	}
	return nil
}

func (s *Server) sign(claims jwt.MapClaims) (string, error) {
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(s.secret)
}

// parseJWT verifies an HS256 token of this project and returns its
// claims. Its errors are golang-jwt's, the library GoTrue uses, so their
// text is GoTrue's.
func (s *Server) parseJWT(raw string) (jwt.MapClaims, error) {
	claims := jwt.MapClaims{}
	_, err := jwt.NewParser(jwt.WithValidMethods([]string{"HS256"})).ParseWithClaims(raw, claims,
		func(*jwt.Token) (any, error) { return s.secret, nil })
	if err != nil {
		return nil, err
	}
	return claims, nil
}

// jwtFailure classifies a parseJWT error.
type jwtFailure int

const (
	jwtMalformed jwtFailure = iota
	jwtBadSignature
	jwtExpired
	jwtBadClaims
)

func classify(err error) jwtFailure {
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return jwtExpired
	case errors.Is(err, jwt.ErrTokenMalformed):
		return jwtMalformed
	case errors.Is(err, jwt.ErrTokenSignatureInvalid), errors.Is(err, jwt.ErrTokenUnverifiable):
		return jwtBadSignature
	}
	return jwtBadClaims
}

// postgrestJWTMessage is PostgREST 12's message for a refused JWT (from
// its jose library's error names).
func postgrestJWTMessage(raw string, err error) string {
	switch classify(err) {
	case jwtExpired:
		return "JWT expired"
	case jwtMalformed:
		if n := strings.Count(raw, ".") + 1; n != 3 {
			return fmt.Sprintf("JWSError (CompactDecodeError Invalid number of parts: Expected 3 parts; got %d)", n)
		}
		return "JWSError (CompactDecodeError Invalid base64url encoding)"
	case jwtBadSignature:
		return "JWSError JWSInvalidSignature"
	}
	return "JWT claims validation or parsing failed"
}

// storageJWTMessage is Storage's message for a refused JWT (from the jose
// npm library it verifies with).
func storageJWTMessage(err error) string {
	switch classify(err) {
	case jwtExpired:
		return `"exp" claim timestamp check failed`
	case jwtMalformed:
		return "Invalid Compact JWS"
	case jwtBadSignature:
		return "signature verification failed"
	}
	return "JWT Claims Set must be a top-level JSON object"
}

// claimString reads a string claim ("" when absent or not a string).
func claimString(c map[string]any, name string) string {
	v, _ := c[name].(string)
	return v
}

// accessToken mints a user's access token for a session.
func (s *Server) accessToken(u *user, sess *session, origin string, now time.Time) (string, int64, error) {
	exp := ceilUnix(now.Add(s.ttl))
	tok, err := s.sign(jwt.MapClaims{
		"iss": origin + "/auth/v1", "sub": u.id, "aud": "authenticated", "exp": exp, "iat": now.Unix(),
		"email": u.email, "phone": "", "app_metadata": copyMap(u.appMeta), "user_metadata": copyMap(u.userMeta),
		"role": "authenticated", "aal": "aal1", "session_id": sess.id, "is_anonymous": false,
		"amr": []any{map[string]any{"method": "password", "timestamp": sess.created.Unix()}},
	})
	return tok, exp, err
}

// ceilUnix rounds t up to a whole second, so that a token lives at least
// its TTL even when the TTL is a second or two.
func ceilUnix(t time.Time) int64 {
	sec := t.Unix()
	if t.Nanosecond() > 0 {
		sec++
	}
	return sec
}

// ttlSeconds is expires_in: the TTL in whole seconds, at least 1.
func (s *Server) ttlSeconds() int64 {
	return max(int64((s.ttl+time.Second-1)/time.Second), 1)
}
