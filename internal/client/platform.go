package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// PlatformConfig describes a backend-as-a-service login: the project's
// Auth API, which issues short-lived access tokens and refresh tokens.
type PlatformConfig struct {
	// Kind is "supabase" or "firebase".
	Kind string
	// SupabaseURL is the project URL; AnonKey its publishable key, sent
	// as the apikey header on every request to the project.
	SupabaseURL, AnonKey string
	// APIKey is Firebase's web API key; Identity and SecureToken the base
	// URLs of the Identity Toolkit and Secure Token APIs.
	APIKey, Identity, SecureToken string
	// ClerkAPI is Clerk's Backend API origin and ClerkSecretKey the
	// instance's secret key (never sent anywhere but ClerkAPI).
	ClerkAPI, ClerkSecretKey string
}

// Bases lists the API bases the platform's sign-in and token exchanges go
// to.
func (c *PlatformConfig) Bases() []string {
	var out []string
	for _, b := range []string{c.SupabaseURL, c.Identity, c.SecureToken, c.ClerkAPI} {
		if b != "" {
			out = append(out, b)
		}
	}
	return out
}

// minRenewMargin is the least time before expiry at which a platform
// session is renewed; a fifth of the token's lifetime when that is more.
const minRenewMargin = time.Second

// platformState is a platform session's current tokens, renewed before
// they expire. Checks share sessions, so it is guarded.
type platformState struct {
	cfg *PlatformConfig

	mu      sync.Mutex
	access  string
	refresh string
	expires time.Time
	ttl     time.Duration
	// renewals counts refreshes, for evidence that a session was renewed
	// rather than lost.
	renewals int
	// cookie, when set, names the cookie the token travels in on origin
	// (Clerk's __session) instead of a header; both are fixed at login.
	cookie string
	origin *url.URL
}

// grant is what a platform's token endpoint answers, normalised.
type grant struct {
	access, refresh string
	ttl             time.Duration
}

// Renewals says how many times the session's token was renewed.
func (s *Session) Renewals() int {
	if s.plat == nil {
		return 0
	}
	s.plat.mu.Lock()
	defer s.plat.mu.Unlock()
	return s.plat.renewals
}

// current returns a token valid for at least the renewal margin,
// renewing it first when it is about to expire.
func (p *platformState) current(ctx context.Context, s *Session) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	margin := max(p.ttl/5, minRenewMargin)
	if time.Until(p.expires) > margin {
		return p.access, nil
	}
	g, err := s.platformRefresh(WithPurpose(ctx, Refresh), p.refresh)
	if err != nil {
		return "", fmt.Errorf("renewing the %s session of %s before it expired: %w", p.cfg.Kind, s.Email, err)
	}
	p.set(s, g)
	p.renewals++
	return p.access, nil
}

// set stores a grant; the caller holds p.mu (or owns p).
func (p *platformState) set(s *Session, g grant) {
	s.client.redactor.Add(g.access, g.refresh)
	p.access, p.refresh, p.ttl = g.access, g.refresh, g.ttl
	p.expires = time.Now().Add(g.ttl)
	s.plainOK = true
	for _, base := range p.cfg.Bases() {
		s.plainOK = s.plainOK && strings.HasPrefix(strings.ToLower(base), "http:")
	}
	if p.cookie != "" {
		s.jar.SetCookies(p.origin, []*http.Cookie{{Name: p.cookie, Value: g.access, Path: "/",
			Secure: p.origin.Scheme == "https", SameSite: http.SameSiteLaxMode}})
	}
}

// loginPlatform signs in with the platform's password grant and verifies
// the session on its user endpoint.
func (s *Sessions) loginPlatform(ctx context.Context, sess *Session, creds Credentials, cfg *PlatformConfig) error {
	if cfg == nil {
		return fmt.Errorf("auth.kind is %s but the config has no auth.%s section", s.cfg.Kind, s.cfg.Kind)
	}
	p := &platformState{cfg: cfg, origin: s.cfg.Origin}
	sess.plat = p
	var g grant
	var err error
	switch p.cfg.Kind {
	case "supabase":
		g, err = sess.supabaseToken(ctx, "password", map[string]any{"email": creds.Email, "password": creds.Password})
	case "firebase":
		g, err = sess.firebaseSignIn(ctx, creds)
	default:
		err = fmt.Errorf("unknown platform %q", p.cfg.Kind)
	}
	if err != nil {
		return err
	}
	p.set(sess, g)
	sess.header, sess.prefix = s.cfg.TokenHeader, s.cfg.TokenPrefix
	if s.cfg.Kind != cfg.Kind || sess.header == "" {
		// A data-API session beside the portal's own login: the
		// platform's bearer token.
		sess.header, sess.prefix = "Authorization", "Bearer "
	}
	return sess.platformVerify(ctx)
}

// PlatformConfig returns the configured project of a platform kind
// ("supabase", "firebase"), or nil.
func (s *Sessions) PlatformConfig(kind string) *PlatformConfig {
	if s.cfg.Platforms[kind] != nil {
		return s.cfg.Platforms[kind]
	}
	if s.cfg.Platform != nil && s.cfg.Platform.Kind == kind {
		return s.cfg.Platform
	}
	return nil
}

// PlatformSession returns the account's shared session on a platform's
// data API: the portal session itself when members log in through that
// platform (auth.kind), else a password-grant login to the configured
// project with the same credentials, made once and shared.
func (s *Sessions) PlatformSession(ctx context.Context, kind, name string) (*Session, error) {
	if s.cfg.Kind == kind {
		return s.Get(ctx, name)
	}
	cfg := s.PlatformConfig(kind)
	if cfg == nil {
		return nil, fmt.Errorf("the config has no auth.%s section", kind)
	}
	s.mu.Lock()
	e, ok := s.entries[kind+" "+name]
	if !ok {
		e = &sessionEntry{}
		s.entries[kind+" "+name] = e
	}
	s.mu.Unlock()
	e.once.Do(func() {
		e.sess, e.err = s.platformLogin(Shared(ctx), name, cfg)
	})
	return e.sess, e.err
}

// PlatformLogin logs the account into a platform's project afresh, not
// shared: for a check that needs a token issued now, one carrying claims
// or metadata the account has just changed (a renewed token of the shared
// session may still carry the old ones).
func (s *Sessions) PlatformLogin(ctx context.Context, kind, name string) (*Session, error) {
	cfg := s.PlatformConfig(kind)
	if cfg == nil {
		return nil, fmt.Errorf("the config has no auth.%s section", kind)
	}
	return s.platformLogin(ctx, name, cfg)
}

// platformLogin logs an account into a platform project that is not the
// portal's own login.
func (s *Sessions) platformLogin(ctx context.Context, name string, cfg *PlatformConfig) (*Session, error) {
	creds, ok := s.Account(name)
	if !ok {
		return nil, fmt.Errorf("no account %q in the config (accounts.%s)", name, name)
	}
	sess := s.newSession(name, creds)
	if err := s.loginPlatform(WithPurpose(ctx, SignIn), sess, creds, cfg); err != nil {
		return nil, fmt.Errorf("%s login as %s (%s): %w", cfg.Kind, name, creds.Email, err)
	}
	return sess, nil
}

// platformRefresh exchanges a refresh token for new tokens.
func (s *Session) platformRefresh(ctx context.Context, refresh string) (grant, error) {
	switch s.plat.cfg.Kind {
	case "supabase":
		return s.supabaseToken(ctx, "refresh_token", map[string]any{"refresh_token": refresh})
	case "clerk":
		return s.clerkToken(ctx, refresh)
	}
	return s.firebaseRefresh(ctx, refresh)
}

// platformHeader is the apikey header Supabase wants on every request to
// the project.
func (s *Session) platformHeader(h http.Header, u *url.URL) {
	c := s.plat.cfg
	if c.Kind == "supabase" && underBase(u, c.SupabaseURL) && h.Get("apikey") == "" {
		h.Set("apikey", c.AnonKey)
	}
}

// underBase reports whether u is on base's origin (scheme, host and port)
// and under its path, judged as strictly as a URL-prefix scope entry.
func underBase(u *url.URL, base string) bool {
	b, err := url.Parse(base)
	if err != nil || u == nil || b.Host == "" || originOf(u) != originOf(b) {
		return false
	}
	prefix := strings.TrimSuffix(b.EscapedPath(), "/") + "/"
	return prefix == "/" || underPrefix(u, prefix)
}

// sdk is the browser a platform's SDK runs in: a script on the portal's
// front page, whose fetches carry the portal's Origin and Referer (an API
// key restricted to the portal's referrers wants them).
func (p *platformState) sdk() *Browser {
	if p.origin == nil {
		return nil
	}
	return &Browser{From: &url.URL{Scheme: p.origin.Scheme, Host: p.origin.Host, Path: "/"}, Fetch: true}
}

// supabaseToken calls POST /auth/v1/token?grant_type=… (Supabase Auth's
// password and refresh-token grants).
func (s *Session) supabaseToken(ctx context.Context, grantType string, body map[string]any) (grant, error) {
	c := s.plat.cfg
	raw, _ := json.Marshal(body) // strings only: always marshals
	resp, err := s.client.Do(ctx, &Request{
		Method: http.MethodPost, URL: strings.TrimSuffix(c.SupabaseURL, "/") + "/auth/v1/token?grant_type=" + grantType, Body: raw, Browser: s.plat.sdk(),
		Header: http.Header{"Content-Type": {"application/json"}, "apikey": {c.AnonKey}},
	})
	if err != nil {
		return grant{}, fmt.Errorf("Supabase Auth %s grant: %w", grantType, err)
	}
	if grantType == "password" {
		s.Login.Submit = resp
	}
	var out struct {
		Access    string `json:"access_token"`
		Refresh   string `json:"refresh_token"`
		ExpiresIn int64  `json:"expires_in"`
		Msg       string `json:"msg"`
		ErrorCode string `json:"error_code"`
		ErrorDesc string `json:"error_description"`
	}
	_ = json.Unmarshal(resp.Body, &out) // judged by the fields below
	if resp.StatusCode != http.StatusOK || out.Access == "" || out.Refresh == "" {
		return grant{}, fmt.Errorf("Supabase Auth refused the %s grant (status %d%s)", grantType, resp.StatusCode,
			reason(out.ErrorCode, firstNonEmpty(out.Msg, out.ErrorDesc)))
	}
	return grant{access: out.Access, refresh: out.Refresh, ttl: lifetime(out.ExpiresIn)}, nil
}

// firebaseSignIn calls Identity Toolkit accounts:signInWithPassword.
func (s *Session) firebaseSignIn(ctx context.Context, creds Credentials) (grant, error) {
	c := s.plat.cfg
	raw, _ := json.Marshal(map[string]any{"email": creds.Email, "password": creds.Password, "returnSecureToken": true})
	resp, err := s.client.Do(ctx, &Request{
		Method: http.MethodPost, URL: c.Identity + "/v1/accounts:signInWithPassword?key=" + url.QueryEscape(c.APIKey), Body: raw, Browser: s.plat.sdk(),
		Header: http.Header{"Content-Type": {"application/json"}},
	})
	if err != nil {
		return grant{}, fmt.Errorf("Firebase signInWithPassword: %w", err)
	}
	s.Login.Submit = resp
	var out struct {
		IDToken   string `json:"idToken"`
		Refresh   string `json:"refreshToken"`
		ExpiresIn string `json:"expiresIn"`
		Error     struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	_ = json.Unmarshal(resp.Body, &out) // judged by the fields below
	if resp.StatusCode != http.StatusOK || out.IDToken == "" || out.Refresh == "" {
		return grant{}, fmt.Errorf("Firebase refused the sign-in (status %d%s)", resp.StatusCode, reason(out.Error.Message, ""))
	}
	return grant{access: out.IDToken, refresh: out.Refresh, ttl: lifetime(parseSeconds(out.ExpiresIn))}, nil
}

// firebaseRefresh calls the Secure Token API's refresh grant.
func (s *Session) firebaseRefresh(ctx context.Context, refresh string) (grant, error) {
	c := s.plat.cfg
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}}
	resp, err := s.client.Do(ctx, &Request{
		Method: http.MethodPost, URL: c.SecureToken + "/v1/token?key=" + url.QueryEscape(c.APIKey), Body: []byte(form.Encode()), Browser: s.plat.sdk(),
		Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
	})
	if err != nil {
		return grant{}, fmt.Errorf("Firebase token refresh: %w", err)
	}
	var out struct {
		IDToken   string `json:"id_token"`
		Refresh   string `json:"refresh_token"`
		ExpiresIn string `json:"expires_in"`
		Error     struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	_ = json.Unmarshal(resp.Body, &out) // judged by the fields below
	if resp.StatusCode != http.StatusOK || out.IDToken == "" || out.Refresh == "" {
		return grant{}, fmt.Errorf("Firebase refused the token refresh (status %d%s)", resp.StatusCode, reason(out.Error.Message, ""))
	}
	return grant{access: out.IDToken, refresh: out.Refresh, ttl: lifetime(parseSeconds(out.ExpiresIn))}, nil
}

// platformVerify proves the session on the platform's own user endpoint:
// Supabase GET /auth/v1/user, Firebase accounts:lookup.
func (s *Session) platformVerify(ctx context.Context) error {
	c := s.plat.cfg
	req := &Request{URL: strings.TrimSuffix(c.SupabaseURL, "/") + "/auth/v1/user"}
	if c.Kind == "firebase" {
		tok, err := s.plat.current(ctx, s)
		if err != nil {
			return err
		}
		raw, _ := json.Marshal(map[string]string{"idToken": tok})
		req = &Request{Method: http.MethodPost, URL: c.Identity + "/v1/accounts:lookup?key=" + url.QueryEscape(c.APIKey), Body: raw,
			Header: http.Header{"Content-Type": {"application/json"}}}
	}
	req.Browser = s.plat.sdk()
	resp, err := s.Do(ctx, req)
	if err != nil {
		return fmt.Errorf("verifying the %s session: %w", c.Kind, err)
	}
	s.Login.Verified = resp
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("the %s session was refused by its own user endpoint (status %d at %s)", c.Kind, resp.StatusCode, resp.URL.Redacted())
	}
	return nil
}

// lifetime turns expires_in seconds into a duration; an absent or silly
// value counts as one hour, Supabase's and Firebase's default.
func lifetime(seconds int64) time.Duration {
	if seconds <= 0 || seconds > 7*24*3600 {
		return time.Hour
	}
	return time.Duration(seconds) * time.Second
}

// parseSeconds reads Firebase's expiresIn, a number in a string.
func parseSeconds(s string) int64 {
	var n int64
	if _, err := fmt.Sscan(s, &n); err != nil {
		return 0
	}
	return n
}

// reason formats an error code and message for an error, or "".
func reason(code, msg string) string {
	switch {
	case code != "" && msg != "" && code != msg:
		return ": " + code + ": " + msg
	case code != "":
		return ": " + code
	case msg != "":
		return ": " + msg
	}
	return ""
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
