package secrets

import (
	"encoding/json"
	"time"

	"github.com/launchready/launchready/internal/jwtx"
)

// JWTClaims is what classification reads from a token's payload. The
// signature is not verified: the question is what the token would grant
// to whoever holds it, not whether it is genuine.
type JWTClaims struct {
	// Role is the "role" claim: anon or service_role for Supabase keys.
	Role string
	// Issuer is the "iss" claim.
	Issuer string
	// Ref is Supabase's project reference claim.
	Ref string
	// Expires is the "exp" claim; zero when absent or unusable.
	Expires time.Time
}

// ReadJWT decodes a JWT's claims with the project's hardened parser
// (jwtx.Parse: three base64url parts, JSON objects, a string alg, bounded
// size). It reports false for anything else; it never verifies.
func ReadJWT(token string) (JWTClaims, bool) {
	t, err := jwtx.Parse(token)
	if err != nil {
		return JWTClaims{}, false
	}
	c := JWTClaims{Role: str(t.Claims["role"]), Issuer: str(t.Claims["iss"]), Ref: str(t.Claims["ref"])}
	if n, ok := t.Claims["exp"].(json.Number); ok {
		if exp, err := n.Float64(); err == nil && exp > 0 && exp < 1e11 {
			c.Expires = time.Unix(int64(exp), 0).UTC()
		}
	}
	return c, true
}

// str returns v when it is a string, else "".
func str(v any) string {
	s, _ := v.(string)
	return s
}
