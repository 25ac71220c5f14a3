// Package clerk is a local fake of Clerk's Backend API (BAPI): one
// http.Handler answering the few endpoints a scanner needs to mint a
// member's session from the backend, so tests and the demo can exercise
// auth.kind clerk offline on loopback.
//
// # Which documentation each endpoint follows
//
// Shapes follow Clerk's public Backend API reference
// (clerk.com/docs/reference/backend-api) and its guides; fields the
// scanner does not read are left out rather than guessed.
//
//   - Authentication (every path but the JWKS): "Backend API
//     reference → Authentication": the instance's secret key as
//     Authorization: Bearer sk_…. A missing or unknown key is 401 with
//     Clerk's error body {"errors":[{"message","long_message","code"}],
//     "clerk_trace_id"}, code "authentication_invalid".
//
//   - GET /v1/users?email_address=…: "List all users" (tag Users). The
//     answer is a bare JSON array of User objects ("object":"user", "id"
//     user_…, "email_addresses" [{"id" idn_…, "object":"email_address",
//     "email_address", "verification":{"status":"verified"}}],
//     "primary_email_address_id", created_at/updated_at in Unix
//     milliseconds). email_address may repeat; unknown addresses are
//     ignored, so no match is [].
//
//   - POST /v1/sessions {"user_id"}: "Create a new active session" (tag
//     Sessions). Clerk documents it as intended only for testing and not
//     available on production instances, recommending Sign-in Tokens
//     (POST /v1/sign_in_tokens) for production; the fake refuses it for a
//     sk_live_ key with a 403 (Options.Production does the same for a test
//     key). The answer is a Session object ("object":"session", "id"
//     sess_…, "user_id", "client_id" client_…, "status":"active",
//     expire_at/abandon_at/last_active_at in Unix milliseconds). An
//     unknown user is 404 "resource_not_found".
//
//   - POST /v1/sessions/{session_id}/tokens: "Create a session token" (tag
//     Sessions): {"object":"token","jwt":…}. The JWT is RS256 with a kid,
//     and carries the default session-token claims of Clerk's "Session
//     tokens" guide (clerk.com/docs/guides/sessions/session-tokens): azp,
//     exp, iat, iss, nbf, sid, sub, and v 2. Clerk's default lifetime is
//     60 s (Options.TokenTTL); nbf comes from the instance's "allowed clock
//     skew" setting, which the fake fixes at 10 s before iat. A revoked or
//     unknown session is 404. The 401 message texts are the fake's own; the
//     code and the body's shape are Clerk's.
//
//   - POST /v1/sessions/{session_id}/revoke: "Revoke a session": the
//     Session object with status "revoked"; its tokens stop being minted.
//
//   - GET /v1/jwks: "Get the JWKS of the Backend API" (tag JWKS), the
//     public key that verifies session tokens as the "Manual JWT
//     verification" guide describes: {"keys":[{"use":"sig","kty":"RSA",
//     "kid","alg":"RS256","n","e"}]}. Clerk requires the secret key here
//     too; so does the fake. Verify checks a token the same way a portal
//     would.
package clerk
