package clerk

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Options configure a fake instance.
type Options struct {
	// SecretKey is the instance's secret key; empty mints a sk_test_ one.
	SecretKey string
	// TokenTTL is the session tokens' lifetime (default 60 s, Clerk's).
	TokenTTL time.Duration
	// Users are the instance's users; an empty ID gets a user_… one.
	Users []User
	// Issuer is the iss claim, the Frontend API URL (default
	// https://fake.clerk.accounts.dev).
	Issuer string
	// AuthorizedParty is the azp claim (the portal's origin); empty omits it.
	AuthorizedParty string
	// Production makes POST /v1/sessions refuse as on a production
	// instance.
	Production bool
}

// User is one user of the instance.
type User struct {
	ID    string
	Email string
}

// Server is a fake Clerk instance's Backend API.
type Server struct {
	opts Options
	key  *rsa.PrivateKey
	kid  string
	mux  *http.ServeMux

	mu       sync.Mutex
	users    []User
	sessions map[string]*session
	minted   int
}

type session struct {
	id, userID, clientID, status string
	created                      time.Time
}

var _ http.Handler = (*Server)(nil)

// New starts a fake instance with a fresh RSA signing key.
func New(opts Options) (*Server, error) {
	if opts.SecretKey == "" {
		opts.SecretKey = "sk_test_" + randomID(20)
	}
	if opts.TokenTTL <= 0 {
		opts.TokenTTL = 60 * time.Second
	}
	if opts.Issuer == "" {
		opts.Issuer = "https://fake.clerk.accounts.dev"
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("clerk fake: signing key: %w", err)
	}
	s := &Server{opts: opts, key: key, kid: "ins_" + randomID(12), sessions: map[string]*session{}}
	for _, u := range opts.Users {
		if u.ID == "" {
			u.ID = "user_" + randomID(20)
		}
		s.users = append(s.users, u)
	}
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("GET /v1/users", s.listUsers)
	s.mux.HandleFunc("POST /v1/sessions", s.createSession)
	s.mux.HandleFunc("POST /v1/sessions/{id}/tokens", s.createToken)
	s.mux.HandleFunc("POST /v1/sessions/{id}/revoke", s.revoke)
	s.mux.HandleFunc("GET /v1/jwks", s.jwks)
	return s, nil
}

// SecretKey returns the instance's secret key.
func (s *Server) SecretKey() string { return s.opts.SecretKey }

// PublicKey returns the key that verifies session tokens.
func (s *Server) PublicKey() *rsa.PublicKey { return &s.key.PublicKey }

// TokensMinted counts session tokens issued.
func (s *Server) TokensMinted() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.minted
}

// Revoke ends a session as POST /v1/sessions/{id}/revoke does.
func (s *Server) Revoke(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ss, ok := s.sessions[id]; ok {
		ss.status = "revoked"
		return true
	}
	return false
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+s.opts.SecretKey {
		writeError(w, http.StatusUnauthorized, "authentication_invalid", "Invalid authentication",
			"Unable to authenticate the request, you need to supply an active API key")
		return
	}
	if _, pattern := s.mux.Handler(r); pattern == "" {
		writeError(w, http.StatusNotFound, "resource_not_found", "not found", "The requested resource was not found")
		return
	}
	s.mux.ServeHTTP(w, r)
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) {
	want := r.URL.Query()["email_address"]
	out := []any{}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.users {
		for _, e := range want {
			if strings.EqualFold(u.Email, e) {
				out = append(out, userObject(u))
				break
			}
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func userObject(u User) map[string]any {
	idn := "idn_" + strings.TrimPrefix(u.ID, "user_")
	return map[string]any{
		"object": "user", "id": u.ID, "primary_email_address_id": idn,
		"email_addresses": []any{map[string]any{
			"id": idn, "object": "email_address", "email_address": u.Email,
			"verification": map[string]any{"status": "verified", "strategy": "email_code"},
		}},
		"password_enabled": false, "created_at": 1700000000000, "updated_at": 1700000000000,
	}
}

func (s *Server) createSession(w http.ResponseWriter, r *http.Request) {
	if s.opts.Production || strings.HasPrefix(s.opts.SecretKey, "sk_live_") {
		writeError(w, http.StatusForbidden, "forbidden", "Not available in production",
			"This endpoint is only available for development instances; use sign-in tokens instead")
		return
	}
	var body struct {
		UserID string `json:"user_id"`
	}
	raw, _ := io.ReadAll(io.LimitReader(r.Body, 1<<16))
	if err := json.Unmarshal(raw, &body); err != nil || body.UserID == "" {
		writeError(w, http.StatusUnprocessableEntity, "form_param_missing", "user_id must be included", "user_id must be included.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	found := false
	for _, u := range s.users {
		found = found || u.ID == body.UserID
	}
	if !found {
		writeError(w, http.StatusNotFound, "resource_not_found", "not found", "No user was found with id "+body.UserID)
		return
	}
	ss := &session{id: "sess_" + randomID(20), userID: body.UserID, clientID: "client_" + randomID(20), status: "active", created: time.Now()}
	s.sessions[ss.id] = ss
	writeJSON(w, http.StatusOK, sessionObject(ss))
}

func sessionObject(ss *session) map[string]any {
	ms := ss.created.UnixMilli()
	return map[string]any{
		"object": "session", "id": ss.id, "user_id": ss.userID, "client_id": ss.clientID, "status": ss.status,
		"last_active_at": ms, "expire_at": ms + 7*24*3600*1000, "abandon_at": ms + 30*24*3600*1000,
		"created_at": ms, "updated_at": ms,
	}
}

func (s *Server) revoke(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ss, ok := s.sessions[r.PathValue("id")]
	if !ok {
		writeError(w, http.StatusNotFound, "resource_not_found", "not found", "No session was found with id "+r.PathValue("id"))
		return
	}
	ss.status = "revoked"
	writeJSON(w, http.StatusOK, sessionObject(ss))
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	ss, ok := s.sessions[r.PathValue("id")]
	active := ok && ss.status == "active"
	if active {
		s.minted++
	}
	s.mu.Unlock()
	if !active {
		writeError(w, http.StatusNotFound, "resource_not_found", "not found", "No active session was found with id "+r.PathValue("id"))
		return
	}
	now := time.Now()
	claims := map[string]any{
		"iss": s.opts.Issuer, "sub": ss.userID, "sid": ss.id, "v": 2,
		"iat": now.Unix(), "nbf": now.Add(-10 * time.Second).Unix(), "exp": now.Add(s.opts.TokenTTL).Unix(),
	}
	if s.opts.AuthorizedParty != "" {
		claims["azp"] = s.opts.AuthorizedParty
	}
	jwt, err := s.sign(claims)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal_clerk_error", "Oops, something went wrong", err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"object": "token", "jwt": jwt})
}

func (s *Server) jwks(w http.ResponseWriter, _ *http.Request) {
	pub := s.key.PublicKey
	e := big.NewInt(int64(pub.E)).Bytes()
	writeJSON(w, http.StatusOK, map[string]any{"keys": []any{map[string]any{
		"use": "sig", "kty": "RSA", "kid": s.kid, "alg": "RS256",
		"n": base64.RawURLEncoding.EncodeToString(pub.N.Bytes()), "e": base64.RawURLEncoding.EncodeToString(e),
	}}})
}

// sign makes an RS256 JWT of claims.
func (s *Server) sign(claims map[string]any) (string, error) {
	head, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "kid": s.kid})
	body, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	input := base64.RawURLEncoding.EncodeToString(head) + "." + base64.RawURLEncoding.EncodeToString(body)
	sum := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, s.key, crypto.SHA256, sum[:])
	if err != nil {
		return "", err
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// Claims are the session-token claims a portal reads.
type Claims struct {
	Sub, Sid, Azp, Iss string
	Exp, Iat, Nbf      int64
}

// Verify checks an RS256 session token against key as a portal does
// (signature, exp and nbf) and returns its claims.
func Verify(token string, key *rsa.PublicKey, now time.Time) (Claims, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return Claims{}, errors.New("not a JWT")
	}
	var head struct {
		Alg string `json:"alg"`
	}
	if err := decodePart(parts[0], &head); err != nil || head.Alg != "RS256" {
		return Claims{}, fmt.Errorf("want an RS256 header, got %q", head.Alg)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return Claims{}, fmt.Errorf("signature: %w", err)
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(key, crypto.SHA256, sum[:], sig); err != nil {
		return Claims{}, fmt.Errorf("signature: %w", err)
	}
	var c Claims
	var raw struct {
		Sub string `json:"sub"`
		Sid string `json:"sid"`
		Azp string `json:"azp"`
		Iss string `json:"iss"`
		Exp int64  `json:"exp"`
		Iat int64  `json:"iat"`
		Nbf int64  `json:"nbf"`
	}
	if err := decodePart(parts[1], &raw); err != nil {
		return Claims{}, fmt.Errorf("claims: %w", err)
	}
	c = Claims{Sub: raw.Sub, Sid: raw.Sid, Azp: raw.Azp, Iss: raw.Iss, Exp: raw.Exp, Iat: raw.Iat, Nbf: raw.Nbf}
	switch {
	case c.Exp == 0 || now.Unix() >= c.Exp:
		return c, errors.New("token expired")
	case now.Unix() < c.Nbf:
		return c, errors.New("token not yet valid")
	}
	return c, nil
}

// KeyFromJWKS reads the RSA key with kid (or the first one when kid is "")
// from a JWKS document such as GET /v1/jwks answers.
func KeyFromJWKS(doc []byte, kid string) (*rsa.PublicKey, error) {
	var set struct {
		Keys []struct {
			Kty, Kid, N, E string
		} `json:"keys"`
	}
	if err := json.Unmarshal(doc, &set); err != nil {
		return nil, fmt.Errorf("JWKS: %w", err)
	}
	for _, k := range set.Keys {
		if k.Kty != "RSA" || (kid != "" && k.Kid != kid) {
			continue
		}
		n, err1 := base64.RawURLEncoding.DecodeString(k.N)
		e, err2 := base64.RawURLEncoding.DecodeString(k.E)
		if err1 != nil || err2 != nil || len(e) > 4 {
			return nil, errors.New("JWKS: bad RSA key encoding")
		}
		eb := make([]byte, 4)
		copy(eb[4-len(e):], e)
		return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(binary.BigEndian.Uint32(eb))}, nil
	}
	return nil, fmt.Errorf("JWKS: no RSA key %q", kid)
}

func decodePart(p string, v any) error {
	raw, err := base64.RawURLEncoding.DecodeString(p)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

// writeError answers with Clerk's error body.
func writeError(w http.ResponseWriter, status int, code, msg, long string) {
	writeJSON(w, status, map[string]any{
		"errors":         []any{map[string]any{"message": msg, "long_message": long, "code": code}},
		"clerk_trace_id": randomID(16),
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client hung up: nothing to do
}

// randomID is n lower-case hex-ish characters, the shape of Clerk's IDs'
// random part (theirs are base62; the scanner never parses them).
func randomID(n int) string {
	b := make([]byte, (n+1)/2)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b)[:n]
}
