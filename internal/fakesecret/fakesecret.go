// Package fakesecret holds the secret-shaped values tests plant: keys,
// tokens and JWTs that look real to a secret scanner and to launchready's
// own recognisers, and grant nothing anywhere.
//
// Each is written in pieces ("sk_" + "test_…") so that no file of this
// repository holds a string a secret scanner flags: `launchready secrets .`
// on this repository must pass, and a literal committed once stays in its
// history for good. internal/secrets' TestFakesAreDetected scans each value
// in the context a test puts it in and checks the gitleaks rule that flags
// it, so an edit that breaks a fixture's shape fails there, loudly, rather
// than quietly weakening the test that uses it. Random values are made at
// test time by each test's own helpers; the values here are fixed because
// the tests that use them compare them exactly.
package fakesecret

// Clerk secret keys (Clerk uses Stripe's sk_test_ / sk_live_ shape, which
// gitleaks' stripe-access-token rule flags).
const (
	// ClerkDevKey is a development instance's secret key, as the config
	// tests read it from the environment.
	ClerkDevKey = "sk_" + "test_fakefakefakefake"
	// ClerkWrongKey is a development key the fake Clerk does not know.
	ClerkWrongKey = "sk_" + "test_notthekey0000"
	// ClerkProdKey is a production instance's secret key, which Clerk's
	// backend refuses to mint sessions with.
	ClerkProdKey = "sk_" + "live_prodprodprod"
)

// StripeLiveKey is a Stripe live secret key, where a recogniser of other
// vendors' keys must not take it for theirs.
const StripeLiveKey = "sk_" + "live_notfirebase"

// SupabaseSecretKey is a Supabase sb_secret_ key (gitleaks flags it with
// its generic-api-key rule after a key name).
const SupabaseSecretKey = "sb_" + "secret_0123456789abcdef"

// PlainJWT is an HS256 JWT with only a sub claim: no Supabase role, no
// expiry (gitleaks rule jwt).
const PlainJWT = "eyJhbGciOiJIUzI1NiJ9" + "." + "eyJzdWIiOiIxMjM0NTY3ODkwIn0" + "." + "c2lnbmF0dXJlLXNpZw"

// AnonAPIKey is a short JWT-looking anon key, as a curl command's Apikey
// header carries it (gitleaks rule curl-auth-header).
const AnonAPIKey = "eyJhbGciOi" + "." + "eyJyb2xlIjoiYW5vbiJ9" + ".sig"

// Random-looking tokens a portal keeps in the browser or hands out (gitleaks
// flags them with its generic-api-key rule after a token-like name).
const (
	// AccessToken is 27 random-looking characters.
	AccessToken = "Qm9x7LpZr2" + "Vt8KwYc4Nd1Hs6Jf3"
	// RefreshToken is 20 random-looking characters.
	RefreshToken = "k2Jd8sLq0P" + "z7Xw4Vn1Mc"
	// OpaqueToken is 21 random-looking characters.
	OpaqueToken = "aZ3kP9qL2m" + "X8vN4bR7tY1"
	// BearerToken is an API's opaque bearer token.
	BearerToken = "tok-" + "0123456789abcdef"
	// URLToken is a token a redirect carries in its query string.
	URLToken = "abcdef" + "123456"
)
