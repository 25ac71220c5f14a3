package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/launchready/launchready/internal/jwtx"
)

// Clerk logins (auth.kind clerk).
//
// Clerk's session tokens live 60 s and are renewed by the browser's
// clerk-js; the scanner instead mints them from the backend with the
// instance's secret key, through the Backend API:
//
//  1. GET  /v1/users?email_address=<email>   ("List all users") → the user_… ID;
//  2. POST /v1/sessions {"user_id"}           ("Create a new active session") → sess_…;
//  3. POST /v1/sessions/{id}/tokens           ("Create a session token") → {"object":"token","jwt"}.
//
// Step 3 is repeated before each token expires, through the same renewal
// as Supabase and Firebase sessions (platformState), with the session ID
// in place of a refresh token.
//
// Step 2 is documented by Clerk as intended only for testing and not
// available on production instances; for production, Clerk's docs point to
// Sign-in Tokens (POST /v1/sign_in_tokens), which are redeemed through the
// Frontend API's ticket strategy in a browser, not the Backend API. So this
// login works against development instances (sk_test_ keys); against a
// production instance it fails with Clerk's refusal and says so, and the
// portal should be logged into with a recorded session instead.
//
// The portal sees the token as Clerk's same-origin setup sends it: the
// __session cookie on the portal's origin (session.kind cookie), or
// Authorization: Bearer for a cross-origin API (session.kind token).

// clerkSessionCookie is the cookie Clerk's same-origin setup carries the
// session token in.
const clerkSessionCookie = "__session"

// clerkDefaultTTL is Clerk's session-token lifetime, assumed when a token's
// exp cannot be read.
const clerkDefaultTTL = 60 * time.Second

// clerkError is Clerk's error body.
type clerkError struct {
	Errors []struct {
		Message     string `json:"message"`
		LongMessage string `json:"long_message"`
		Code        string `json:"code"`
	} `json:"errors"`
}

// reason formats the first error for a message, or "".
func (e clerkError) reason() string {
	if len(e.Errors) == 0 {
		return ""
	}
	return reason(e.Errors[0].Code, firstNonEmpty(e.Errors[0].LongMessage, e.Errors[0].Message))
}

// loginClerk mints a Clerk session for the account and verifies it on the
// portal's first protected page (the generic verify is skipped for
// sessions with platform state).
func (s *Sessions) loginClerk(ctx context.Context, sess *Session, creds Credentials) error {
	cfg := s.cfg.Platform
	if cfg == nil || cfg.Kind != "clerk" {
		return fmt.Errorf("auth.kind is clerk but the config has no auth.clerk section")
	}
	s.client.redactor.AddSecret(cfg.ClerkSecretKey)
	p := &platformState{cfg: cfg}
	sess.plat = p
	if s.cfg.SessionKind == "token" {
		sess.header, sess.prefix = firstNonEmpty(s.cfg.TokenHeader, "Authorization"), s.cfg.TokenPrefix
	} else {
		p.cookie, p.origin = clerkSessionCookie, s.cfg.Origin
	}
	userID, err := sess.clerkUser(ctx, creds.Email)
	if err != nil {
		return err
	}
	sid, err := sess.clerkSession(ctx, userID)
	if err != nil {
		return err
	}
	g, err := sess.clerkToken(ctx, sid)
	if err != nil {
		return err
	}
	p.set(sess, g)
	return s.verify(ctx, sess)
}

// clerkCall sends one Backend API request with the secret key.
func (s *Session) clerkCall(ctx context.Context, method, path string, body any) (*Response, clerkError, error) {
	c := s.plat.cfg
	req := &Request{Method: method, URL: strings.TrimSuffix(c.ClerkAPI, "/") + path,
		Header: http.Header{"Authorization": {"Bearer " + c.ClerkSecretKey}, "Accept": {"application/json"}}}
	if body != nil {
		req.Body, _ = json.Marshal(body) // maps of strings always marshal
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := s.client.Do(ctx, req)
	if err != nil {
		return nil, clerkError{}, fmt.Errorf("Clerk Backend API %s %s: %w", method, strings.SplitN(path, "?", 2)[0], err)
	}
	var ce clerkError
	if resp.StatusCode != http.StatusOK {
		_ = json.Unmarshal(resp.Body, &ce) // judged by the status
	}
	return resp, ce, nil
}

// clerkUser finds the user with this email address.
func (s *Session) clerkUser(ctx context.Context, email string) (string, error) {
	resp, ce, err := s.clerkCall(ctx, http.MethodGet, "/v1/users?email_address="+url.QueryEscape(email), nil)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		if resp.StatusCode == http.StatusUnauthorized {
			return "", fmt.Errorf("Clerk refused the secret key auth.clerk.secret_key (status 401%s)", ce.reason())
		}
		return "", fmt.Errorf("Clerk's user lookup answered %d%s", resp.StatusCode, ce.reason())
	}
	var users []struct {
		ID             string `json:"id"`
		EmailAddresses []struct {
			EmailAddress string `json:"email_address"`
		} `json:"email_addresses"`
	}
	if err := json.Unmarshal(resp.Body, &users); err != nil {
		return "", fmt.Errorf("Clerk's user lookup is not a list of users: %w", err)
	}
	for _, u := range users {
		for _, e := range u.EmailAddresses {
			if strings.EqualFold(e.EmailAddress, email) && u.ID != "" {
				return u.ID, nil
			}
		}
	}
	return "", fmt.Errorf("the Clerk instance has no user with the email address %s", email)
}

// clerkSession creates an active session for the user.
func (s *Session) clerkSession(ctx context.Context, userID string) (string, error) {
	resp, ce, err := s.clerkCall(ctx, http.MethodPost, "/v1/sessions", map[string]string{"user_id": userID})
	if err != nil {
		return "", err
	}
	s.Login.Submit = resp
	if resp.StatusCode != http.StatusOK {
		hint := ""
		if strings.HasPrefix(s.plat.cfg.ClerkSecretKey, "sk_live_") || resp.StatusCode == http.StatusForbidden {
			hint = "; Clerk creates sessions from the backend only on development instances (use its sk_test_ key), " +
				"production needs a recorded login (launchready login --record)"
		}
		return "", fmt.Errorf("Clerk refused to create a session (status %d%s)%s", resp.StatusCode, ce.reason(), hint)
	}
	var out struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	if err := json.Unmarshal(resp.Body, &out); err != nil || !strings.HasPrefix(out.ID, "sess_") {
		return "", fmt.Errorf("Clerk's session answer holds no sess_ ID")
	}
	return out.ID, nil
}

// clerkToken mints a session token for the session: the login's first
// token and each renewal.
func (s *Session) clerkToken(ctx context.Context, sid string) (grant, error) {
	resp, ce, err := s.clerkCall(ctx, http.MethodPost, "/v1/sessions/"+url.PathEscape(sid)+"/tokens", nil)
	if err != nil {
		return grant{}, err
	}
	if resp.StatusCode != http.StatusOK {
		return grant{}, fmt.Errorf("Clerk refused a session token (status %d%s): the session may have been revoked or expired", resp.StatusCode, ce.reason())
	}
	var out struct {
		Object string `json:"object"`
		JWT    string `json:"jwt"`
	}
	if err := json.Unmarshal(resp.Body, &out); err != nil || out.JWT == "" {
		return grant{}, fmt.Errorf("Clerk's token answer holds no jwt")
	}
	return grant{access: out.JWT, refresh: sid, ttl: jwtLifetime(out.JWT, time.Now())}, nil
}

// jwtLifetime is the time left until a JWT's exp (next to none when it is
// already past, so the next use renews it), or Clerk's default lifetime
// when exp cannot be read.
func jwtLifetime(tok string, now time.Time) time.Duration {
	t, err := jwtx.Parse(tok)
	if err != nil {
		return clerkDefaultTTL
	}
	exp, ok := t.Expiry()
	if !ok {
		return clerkDefaultTTL
	}
	left := exp.Sub(now)
	switch {
	case left <= 0:
		return time.Nanosecond // renewed on next use
	case left > 24*time.Hour:
		return clerkDefaultTTL
	}
	return left
}
