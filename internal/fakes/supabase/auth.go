package supabase

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Supabase Auth (GoTrue): /auth/v1/token, /auth/v1/user, /auth/v1/logout.

type user struct {
	id, email, password string
	identityID          string
	userMeta, appMeta   map[string]any
	created, updated    time.Time
	lastSignIn          time.Time
}

type session struct {
	id, userID string
	created    time.Time
	// active is the refresh token currently valid; tokens are the ones
	// issued in this session, oldest first.
	active string
	tokens []string
}

type refreshToken struct {
	token, sessionID, parent string
	revoked                  bool
}

// authError is a GoTrue error.
type authError struct {
	status    int
	errorCode string
	msg       string
}

// The refusals GoTrue sends most.
var (
	errNoBearer = authError{http.StatusUnauthorized, "no_authorization", "This endpoint requires a valid Bearer token"}
	errBadLogin = authError{http.StatusBadRequest, "invalid_credentials", "Invalid login credentials"}
)

func (s *Server) serveAuth(w http.ResponseWriter, r *http.Request, path, _ string) {
	switch {
	case path == "token" && r.Method == http.MethodPost:
		s.token(w, r)
	case path == "user" && r.Method == http.MethodGet:
		s.getUser(w, r)
	case path == "user" && r.Method == http.MethodPut:
		s.putUser(w, r)
	case path == "logout" && r.Method == http.MethodPost:
		s.logout(w, r)
	case path == "token" || path == "user" || path == "logout":
		w.WriteHeader(http.StatusMethodNotAllowed)
	default:
		http.NotFound(w, r)
	}
}

// authFail writes e in the shape the client asked for: GoTrue's original
// {"code":<status>,"error_code","msg"}, or {"code","message"} from API
// version 2024-01-01 on (X-Supabase-Api-Version, which supabase-js sends).
func authFail(w http.ResponseWriter, r *http.Request, e authError) {
	if v := r.Header.Get("X-Supabase-Api-Version"); v >= "2024-01-01" && validDate(v) {
		w.Header().Set("X-Supabase-Api-Version", "2024-01-01")
		writeJSON(w, e.status, "application/json", struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		}{e.errorCode, e.msg})
		return
	}
	writeJSON(w, e.status, "application/json", struct {
		Code      int    `json:"code"`
		ErrorCode string `json:"error_code,omitempty"`
		Msg       string `json:"msg"`
	}{e.status, e.errorCode, e.msg})
}

func validDate(v string) bool {
	_, err := time.Parse("2006-01-02", v)
	return err == nil
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	grant := r.URL.Query().Get("grant_type")
	if grant != "password" && grant != "refresh_token" {
		authFail(w, r, authError{http.StatusBadRequest, "invalid_credentials", "unsupported_grant_type"})
		return
	}
	raw, ok := readBody(w, r)
	if !ok {
		return
	}
	var p struct {
		Email        string `json:"email"`
		Phone        string `json:"phone"`
		Password     string `json:"password"`
		RefreshToken string `json:"refresh_token"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		authFail(w, r, authError{http.StatusBadRequest, "bad_json", "Could not parse request body as JSON: " + err.Error()})
		return
	}
	s.mu.Lock()
	var resp *tokenResponse
	var fail authError
	if grant == "password" {
		resp, fail = s.passwordGrant(p.Email, p.Phone, p.Password, origin(r))
	} else {
		resp, fail = s.refreshGrant(p.RefreshToken, origin(r))
	}
	s.mu.Unlock()
	switch {
	case resp != nil:
		writeJSON(w, http.StatusOK, "application/json", resp)
	case fail.errorCode == "invalid_request":
		// GoTrue still answers a missing refresh token as an OAuth error.
		writeJSON(w, fail.status, "application/json", map[string]string{"error": fail.errorCode, "error_description": fail.msg})
	default:
		authFail(w, r, fail)
	}
}

// tokenResponse is GoTrue's AccessTokenResponse.
type tokenResponse struct {
	AccessToken  string   `json:"access_token"`
	TokenType    string   `json:"token_type"`
	ExpiresIn    int64    `json:"expires_in"`
	ExpiresAt    int64    `json:"expires_at"`
	RefreshToken string   `json:"refresh_token"`
	User         userJSON `json:"user"`
}

// passwordGrant signs a user in; the caller holds s.mu.
func (s *Server) passwordGrant(email, phone, password, origin string) (*tokenResponse, authError) {
	switch {
	case email != "" && phone != "":
		return nil, authError{http.StatusBadRequest, "validation_failed", "Only an email address or phone number should be provided on login."}
	case phone != "":
		return nil, authError{http.StatusUnprocessableEntity, "phone_provider_disabled", "Phone logins are disabled"}
	case email == "":
		return nil, authError{http.StatusBadRequest, "validation_failed", "missing email or phone"}
	}
	u := s.userByEmail(email)
	if u == nil || u.password != password {
		return nil, errBadLogin
	}
	now := time.Now().UTC()
	u.lastSignIn = now
	sess := s.newSession(u, now)
	return s.issue(u, sess, s.newRefreshToken(sess, ""), origin, now)
}

// refreshGrant rotates a refresh token as GoTrue does; the caller holds
// s.mu.
func (s *Server) refreshGrant(token, origin string) (*tokenResponse, authError) {
	if token == "" {
		return nil, authError{http.StatusBadRequest, "invalid_request", "refresh_token required"}
	}
	rt := s.refresh[token]
	if rt == nil {
		return nil, authError{http.StatusBadRequest, "refresh_token_not_found", "Invalid Refresh Token: Refresh Token Not Found"}
	}
	sess := s.sessions[rt.sessionID]
	var u *user
	if sess != nil {
		u = s.userByID(sess.userID)
	}
	if u == nil {
		return nil, authError{http.StatusBadRequest, "session_not_found", "Invalid Refresh Token: No Valid Session Found"}
	}
	now := time.Now().UTC()
	if rt.revoked {
		if active := s.refresh[sess.active]; active != nil && !active.revoked && active.parent == rt.token {
			// The client lost the answer to its last refresh: GoTrue hands
			// the current token back rather than minting another.
			return s.issue(u, sess, active, origin, now)
		}
		for _, t := range sess.tokens {
			if o := s.refresh[t]; o != nil {
				o.revoked = true
			}
		}
		return nil, authError{http.StatusBadRequest, "refresh_token_already_used", "Invalid Refresh Token: Already Used"}
	}
	rt.revoked = true
	return s.issue(u, sess, s.newRefreshToken(sess, rt.token), origin, now)
}

// issue builds the token response; the caller holds s.mu.
func (s *Server) issue(u *user, sess *session, rt *refreshToken, origin string, now time.Time) (*tokenResponse, authError) {
	tok, exp, err := s.accessToken(u, sess, origin, now)
	if err != nil {
		return nil, authError{http.StatusInternalServerError, "unexpected_failure", "error generating jwt token"}
	}
	return &tokenResponse{AccessToken: tok, TokenType: "bearer", ExpiresIn: s.ttlSeconds(), ExpiresAt: exp,
		RefreshToken: rt.token, User: u.json()}, authError{}
}

// newSession starts a session, dropping the user's oldest beyond the
// bound; the caller holds s.mu.
func (s *Server) newSession(u *user, now time.Time) *session {
	var mine []*session
	for _, o := range s.sessions {
		if o.userID == u.id {
			mine = append(mine, o)
		}
	}
	if len(mine) >= maxSessionsPerUser {
		slices.SortFunc(mine, func(a, b *session) int { return a.created.Compare(b.created) })
		for _, o := range mine[:len(mine)-maxSessionsPerUser+1] {
			s.dropSession(o)
		}
	}
	sess := &session{id: newUUID(), userID: u.id, created: now}
	s.sessions[sess.id] = sess
	return sess
}

// newRefreshToken issues a session's next refresh token (GoTrue's
// crypto.SecureAlphanumeric(12)); the caller holds s.mu.
func (s *Server) newRefreshToken(sess *session, parent string) *refreshToken {
	rt := &refreshToken{token: randomString(12, "abcdefghijklmnopqrstuvwxyz0123456789"), sessionID: sess.id, parent: parent}
	s.refresh[rt.token] = rt
	sess.active = rt.token
	sess.tokens = append(sess.tokens, rt.token)
	if len(sess.tokens) > maxTokensPerSession {
		delete(s.refresh, sess.tokens[0])
		sess.tokens = sess.tokens[1:]
	}
	return rt
}

// dropSession ends a session and forgets its refresh tokens; the caller
// holds s.mu.
func (s *Server) dropSession(sess *session) {
	for _, t := range sess.tokens {
		delete(s.refresh, t)
	}
	delete(s.sessions, sess.id)
}

// authed is the caller of a user endpoint.
type authed struct {
	user    *user
	session *session
}

// requireUser checks the bearer token as GoTrue's requireAuthentication
// does; the caller holds s.mu.
func (s *Server) requireUser(r *http.Request) (authed, authError) {
	tok, ok := bearer(r)
	if !ok || tok == "" {
		return authed{}, errNoBearer
	}
	claims, err := s.parseJWT(tok)
	if err != nil {
		return authed{}, authError{http.StatusForbidden, "bad_jwt", "invalid JWT: unable to parse or verify signature, " + err.Error()}
	}
	sub := claimString(claims, "sub")
	switch {
	case sub == "":
		return authed{}, authError{http.StatusForbidden, "bad_jwt", "invalid claim: missing sub claim"}
	case !isUUID(sub):
		return authed{}, authError{http.StatusBadRequest, "bad_jwt", "invalid claim: sub claim must be a UUID"}
	}
	u := s.userByID(sub)
	if u == nil {
		return authed{}, authError{http.StatusForbidden, "user_not_found", "User from sub claim in JWT does not exist"}
	}
	a := authed{user: u}
	if sid := claimString(claims, "session_id"); sid != "" {
		if !isUUID(sid) {
			return authed{}, authError{http.StatusForbidden, "bad_jwt", "invalid claim: session_id claim must be a UUID"}
		}
		if a.session = s.sessions[sid]; a.session == nil {
			return authed{}, authError{http.StatusForbidden, "session_not_found", "Session from session_id claim in JWT does not exist"}
		}
	}
	if claimString(claims, "aud") != "authenticated" {
		return authed{}, authError{http.StatusBadRequest, "validation_failed", "Token audience doesn't match request audience"}
	}
	return a, authError{}
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	a, fail := s.requireUser(r)
	var body userJSON
	if a.user != nil {
		body = a.user.json()
	}
	s.mu.Unlock()
	if a.user == nil {
		authFail(w, r, fail)
		return
	}
	writeJSON(w, http.StatusOK, "application/json", body)
}

// userUpdate is the body of PUT /auth/v1/user.
type userUpdate struct {
	Email    string         `json:"email"`
	Password *string        `json:"password"`
	Data     map[string]any `json:"data"`
	AppData  map[string]any `json:"app_metadata"`
}

func (s *Server) putUser(w http.ResponseWriter, r *http.Request) {
	raw, ok := readBody(w, r)
	if !ok {
		return
	}
	var p userUpdate
	if err := decodeJSON(raw, &p); err != nil {
		authFail(w, r, authError{http.StatusBadRequest, "bad_json", "Could not parse request body as JSON: " + err.Error()})
		return
	}
	s.mu.Lock()
	body, fail := s.updateUser(r, p)
	s.mu.Unlock()
	if fail.status != 0 {
		authFail(w, r, fail)
		return
	}
	writeJSON(w, http.StatusOK, "application/json", body)
}

// updateUser applies a PUT /auth/v1/user; the caller holds s.mu. A new
// email is accepted and ignored: GoTrue only mails a confirmation.
func (s *Server) updateUser(r *http.Request, p userUpdate) (userJSON, authError) {
	a, fail := s.requireUser(r)
	if a.user == nil {
		return userJSON{}, fail
	}
	u := a.user
	if p.AppData != nil {
		return userJSON{}, authError{http.StatusForbidden, "not_admin", "Updating app_metadata requires admin privileges"}
	}
	if p.Password != nil {
		switch {
		case len(*p.Password) < 6:
			return userJSON{}, authError{http.StatusUnprocessableEntity, "weak_password", "Password should be at least 6 characters."}
		case *p.Password == u.password:
			return userJSON{}, authError{http.StatusUnprocessableEntity, "same_password", "New password should be different from the old password."}
		}
		u.password = *p.Password
	}
	for k, v := range p.Data {
		if v == nil {
			delete(u.userMeta, k)
		} else {
			u.userMeta[k] = v
		}
	}
	u.updated = time.Now().UTC()
	return u.json(), authError{}
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	scope := r.URL.Query().Get("scope")
	if scope != "" && scope != "global" && scope != "local" && scope != "others" {
		authFail(w, r, authError{http.StatusBadRequest, "validation_failed", `Unsupported logout scope "` + scope + `"`})
		return
	}
	s.mu.Lock()
	a, fail := s.requireUser(r)
	if a.user != nil {
		for _, o := range s.sessions {
			if o.userID == a.user.id && logsOut(scope, a.session != nil && o.id == a.session.id) {
				s.dropSession(o)
			}
		}
	}
	s.mu.Unlock()
	if a.user == nil {
		authFail(w, r, fail)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// logsOut says whether a logout of scope ends one of the user's sessions.
func logsOut(scope string, current bool) bool {
	switch scope {
	case "local":
		return current
	case "others":
		return !current
	}
	return true
}

func (s *Server) userByEmail(email string) *user {
	email = strings.ToLower(strings.TrimSpace(email))
	for _, u := range s.users {
		if u.email == email {
			return u
		}
	}
	return nil
}

func (s *Server) userByID(id string) *user {
	for _, u := range s.users {
		if u.id == strings.ToLower(id) {
			return u
		}
	}
	return nil
}

// userJSON is GoTrue's user object.
type userJSON struct {
	ID               string         `json:"id"`
	Aud              string         `json:"aud"`
	Role             string         `json:"role"`
	Email            string         `json:"email"`
	EmailConfirmedAt string         `json:"email_confirmed_at"`
	Phone            string         `json:"phone"`
	ConfirmedAt      string         `json:"confirmed_at"`
	LastSignInAt     string         `json:"last_sign_in_at,omitempty"`
	AppMetadata      map[string]any `json:"app_metadata"`
	UserMetadata     map[string]any `json:"user_metadata"`
	Identities       []identityJSON `json:"identities"`
	CreatedAt        string         `json:"created_at"`
	UpdatedAt        string         `json:"updated_at"`
	IsAnonymous      bool           `json:"is_anonymous"`
}

type identityJSON struct {
	IdentityID   string         `json:"identity_id"`
	ID           string         `json:"id"`
	UserID       string         `json:"user_id"`
	IdentityData map[string]any `json:"identity_data"`
	Provider     string         `json:"provider"`
	LastSignInAt string         `json:"last_sign_in_at"`
	CreatedAt    string         `json:"created_at"`
	UpdatedAt    string         `json:"updated_at"`
	Email        string         `json:"email"`
}

func (u *user) json() userJSON {
	ts := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Format(time.RFC3339Nano)
	}
	created, updated := ts(u.created), ts(u.updated)
	if updated == "" {
		updated = created
	}
	return userJSON{
		ID: u.id, Aud: "authenticated", Role: "authenticated", Email: u.email, EmailConfirmedAt: created,
		ConfirmedAt: created, LastSignInAt: ts(u.lastSignIn), AppMetadata: copyMap(u.appMeta),
		UserMetadata: copyMap(u.userMeta), CreatedAt: created, UpdatedAt: updated,
		Identities: []identityJSON{{
			IdentityID: u.identityID, ID: u.id, UserID: u.id, Provider: "email", Email: u.email,
			IdentityData: map[string]any{"email": u.email, "email_verified": true, "phone_verified": false, "sub": u.id},
			LastSignInAt: created, CreatedAt: created, UpdatedAt: created,
		}},
	}
}
