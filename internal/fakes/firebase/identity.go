package firebase

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// account is a stored user.
type account struct {
	uid, email, password  string
	displayName, photoURL string
	claims                map[string]any
	// claimsJSON is the customAttributes string accounts:lookup shows.
	claimsJSON                                string
	createdAt, lastLoginAt, passwordUpdatedAt time.Time
	lastRefreshAt                             time.Time
	// validSince revokes tokens issued before it (Unix seconds): a
	// password or email change sets it.
	validSince int64
}

// reservedClaims cannot be custom claims (Firebase "Control access with
// custom claims"; the Admin SDK refuses them).
var reservedClaims = []string{"acr", "amr", "at_hash", "aud", "auth_time", "azp", "cnf", "c_hash",
	"exp", "firebase", "iat", "iss", "jti", "nbf", "nonce", "sub"}

// maxClaimsLen is Firebase's limit on the serialized custom claims.
const maxClaimsLen = 1000

func (s *Server) addAccount(u User) error {
	email := strings.ToLower(strings.TrimSpace(u.Email))
	switch {
	case !validEmail(email):
		return fmt.Errorf("email %q is not an email address", u.Email)
	case u.Password == "":
		return fmt.Errorf("%s: empty password", email)
	case s.byEmail[email] != "":
		return fmt.Errorf("%s: duplicate email", email)
	}
	uid := u.UID
	if uid == "" {
		uid = randomString(alnum, 28)
	}
	if len(uid) > 128 || strings.ContainsAny(uid, "/\x00") || s.accounts[uid] != nil {
		return fmt.Errorf("%s: UID %q is duplicate, longer than 128 bytes or holds a slash", email, uid)
	}
	a := &account{uid: uid, email: email, password: u.Password, displayName: u.DisplayName}
	if len(u.CustomClaims) > 0 {
		for _, k := range reservedClaims {
			if _, ok := u.CustomClaims[k]; ok {
				return fmt.Errorf("%s: custom claim %q is reserved", email, k)
			}
		}
		raw, err := json.Marshal(u.CustomClaims)
		if err != nil {
			return fmt.Errorf("%s: custom claims: %w", email, err)
		}
		if len(raw) > maxClaimsLen {
			return fmt.Errorf("%s: custom claims take %d bytes, over Firebase's %d", email, len(raw), maxClaimsLen)
		}
		// Claims travel as JSON, so keep them as JSON decodes them.
		if err := json.Unmarshal(raw, &a.claims); err != nil {
			return fmt.Errorf("%s: custom claims: %w", email, err)
		}
		a.claimsJSON = string(raw)
	}
	now := s.now()
	a.createdAt, a.passwordUpdatedAt, a.validSince = now, now, now.Unix()
	s.accounts[uid] = a
	s.byEmail[email] = uid
	return nil
}

func validEmail(e string) bool {
	local, domain, ok := strings.Cut(e, "@")
	return ok && local != "" && domain != "" && !strings.ContainsAny(e, " \t\r\n") && len(e) <= 256
}

// serveIdentity serves the Identity Toolkit v1 methods a web client
// calls with the API key alone.
func (s *Server) serveIdentity(w http.ResponseWriter, r *http.Request, rest string) {
	handlers := map[string]func(http.ResponseWriter, *http.Request){
		"v1/accounts:signInWithPassword": s.signInWithPassword,
		"v1/accounts:lookup":             s.lookup,
		"v1/accounts:update":             s.update,
	}
	h := handlers[rest]
	if h == nil || r.Method != http.MethodPost {
		notFoundError().write(w, r)
		return
	}
	if e := s.checkAPIKey(r, "identitytoolkit.googleapis.com"); e != nil {
		e.write(w, r)
		return
	}
	h(w, r)
}

// signInResponse is VerifyPasswordResponse, fields in Google's order.
type signInResponse struct {
	Kind         string `json:"kind"`
	LocalID      string `json:"localId"`
	Email        string `json:"email"`
	DisplayName  string `json:"displayName"`
	IDToken      string `json:"idToken"`
	Registered   bool   `json:"registered"`
	RefreshToken string `json:"refreshToken"`
	ExpiresIn    string `json:"expiresIn"`
}

func (s *Server) signInWithPassword(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Email             string          `json:"email"`
		Password          string          `json:"password"`
		ReturnSecureToken bool            `json:"returnSecureToken"`
		TenantID          string          `json:"tenantId"`
		ClientType        string          `json:"clientType"`
		RecaptchaVersion  string          `json:"recaptchaVersion"`
		CaptchaResponse   string          `json:"captchaResponse"`
		CaptchaChallenge  string          `json:"captchaChallenge"`
		PendingIDToken    string          `json:"pendingIdToken"`
		IDToken           string          `json:"idToken"`
		InstanceID        string          `json:"instanceId"`
		DelegatedProject  json.RawMessage `json:"delegatedProjectNumber"`
	}
	if e := decodeStrict(r, &req); e != nil {
		e.write(w, r)
		return
	}
	email := strings.ToLower(strings.TrimSpace(req.Email))
	switch {
	case !validEmail(email):
		identityError("INVALID_EMAIL").write(w, r)
		return
	case req.Password == "":
		identityError("MISSING_PASSWORD").write(w, r)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accounts[s.byEmail[email]]
	// Email enumeration protection (on by default since September 2023)
	// folds unknown email and wrong password into one answer.
	if a == nil || subtle.ConstantTimeCompare([]byte(a.password), []byte(req.Password)) != 1 {
		identityError("INVALID_LOGIN_CREDENTIALS").write(w, r)
		return
	}
	now := s.now()
	a.lastLoginAt = now
	id, refresh, err := s.tokens(a, now)
	if err != nil {
		(&apiError{Code: http.StatusInternalServerError, Message: err.Error(), Status: "INTERNAL"}).write(w, r)
		return
	}
	writeJSON(w, r, http.StatusOK, signInResponse{
		Kind: "identitytoolkit#VerifyPasswordResponse", LocalID: a.uid, Email: a.email, DisplayName: a.displayName,
		IDToken: id, Registered: true, RefreshToken: refresh, ExpiresIn: s.expiresIn(),
	})
}

// tokens mints an ID token and a refresh token; the caller holds s.mu.
func (s *Server) tokens(a *account, now time.Time) (string, string, error) {
	a.lastRefreshAt = now
	id, err := s.idToken(a, now)
	if err != nil {
		return "", "", err
	}
	return id, s.newRefreshToken(a.uid, now), nil
}

func (s *Server) expiresIn() string { return strconv.FormatInt(int64(s.ttl/time.Second), 10) }

// accountFromToken resolves the idToken of an Identity Toolkit request;
// the caller holds s.mu. A bad or expired token is INVALID_ID_TOKEN, one
// issued before a password or email change TOKEN_EXPIRED.
func (s *Server) accountFromToken(tok string) (*account, *apiError) {
	if tok == "" {
		return nil, identityError("MISSING_ID_TOKEN")
	}
	uid, err := s.verifyIDToken(tok)
	if err != nil {
		return nil, identityError("INVALID_ID_TOKEN")
	}
	a := s.accounts[uid]
	switch {
	case a == nil:
		return nil, identityError("USER_NOT_FOUND")
	case tokenIssuedAt(tok) < a.validSince:
		return nil, identityError("TOKEN_EXPIRED")
	}
	return a, nil
}

// providerInfo is one providerUserInfo entry.
type providerInfo struct {
	ProviderID  string `json:"providerId"`
	DisplayName string `json:"displayName,omitempty"`
	PhotoURL    string `json:"photoUrl,omitempty"`
	FederatedID string `json:"federatedId"`
	Email       string `json:"email"`
	RawID       string `json:"rawId"`
}

// userInfo is the user of GetAccountInfoResponse as an API-key caller
// sees it: the password hash is redacted ("REDACTED" in base64).
type userInfo struct {
	LocalID           string         `json:"localId"`
	Email             string         `json:"email"`
	DisplayName       string         `json:"displayName,omitempty"`
	PhotoURL          string         `json:"photoUrl,omitempty"`
	PasswordHash      string         `json:"passwordHash"`
	EmailVerified     bool           `json:"emailVerified"`
	PasswordUpdatedAt int64          `json:"passwordUpdatedAt"`
	ProviderUserInfo  []providerInfo `json:"providerUserInfo"`
	ValidSince        string         `json:"validSince"`
	LastLoginAt       string         `json:"lastLoginAt,omitempty"`
	CreatedAt         string         `json:"createdAt"`
	CustomAttributes  string         `json:"customAttributes,omitempty"`
	LastRefreshAt     string         `json:"lastRefreshAt,omitempty"`
}

const redactedHash = "UkVEQUNURUQ="

func (a *account) providers() []providerInfo {
	return []providerInfo{{ProviderID: "password", DisplayName: a.displayName, PhotoURL: a.photoURL,
		FederatedID: a.email, Email: a.email, RawID: a.email}}
}

func (a *account) info() userInfo {
	u := userInfo{
		LocalID: a.uid, Email: a.email, DisplayName: a.displayName, PhotoURL: a.photoURL,
		PasswordHash: redactedHash, PasswordUpdatedAt: a.passwordUpdatedAt.UnixMilli(),
		ProviderUserInfo: a.providers(), ValidSince: strconv.FormatInt(a.validSince, 10),
		CreatedAt: strconv.FormatInt(a.createdAt.UnixMilli(), 10), CustomAttributes: a.claimsJSON,
	}
	if !a.lastLoginAt.IsZero() {
		u.LastLoginAt = strconv.FormatInt(a.lastLoginAt.UnixMilli(), 10)
	}
	if !a.lastRefreshAt.IsZero() {
		u.LastRefreshAt = a.lastRefreshAt.UTC().Format("2006-01-02T15:04:05.000Z")
	}
	return u
}

func (s *Server) lookup(w http.ResponseWriter, r *http.Request) {
	var req struct {
		IDToken          string          `json:"idToken"`
		LocalID          []string        `json:"localId"`
		Email            []string        `json:"email"`
		PhoneNumber      []string        `json:"phoneNumber"`
		TenantID         string          `json:"tenantId"`
		TargetProjectID  string          `json:"targetProjectId"`
		InitialEmail     []string        `json:"initialEmail"`
		FederatedUserID  json.RawMessage `json:"federatedUserId"`
		DelegatedProject json.RawMessage `json:"delegatedProjectNumber"`
	}
	if e := decodeStrict(r, &req); e != nil {
		e.write(w, r)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// Without OAuth credentials only the idToken's own account is
	// visible; localId and email look-ups are for admins.
	a, e := s.accountFromToken(req.IDToken)
	if e != nil {
		e.write(w, r)
		return
	}
	writeJSON(w, r, http.StatusOK, map[string]any{
		"kind":  "identitytoolkit#GetAccountInfoResponse",
		"users": []userInfo{a.info()},
	})
}

// updateRequest is SetAccountInfoRequest. Fields an API-key caller may
// not use are still known, so they get the service's refusal rather than
// the front end's "Unknown name".
type updateRequest struct {
	IDToken           string          `json:"idToken"`
	DisplayName       *string         `json:"displayName"`
	PhotoURL          *string         `json:"photoUrl"`
	Email             string          `json:"email"`
	Password          string          `json:"password"`
	DeleteAttribute   []string        `json:"deleteAttribute"`
	ReturnSecureToken bool            `json:"returnSecureToken"`
	CustomAttributes  json.RawMessage `json:"customAttributes"`
	DisableUser       *bool           `json:"disableUser"`
	OOBCode           string          `json:"oobCode"`
	LocalID           string          `json:"localId"`
	EmailVerified     *bool           `json:"emailVerified"`
	ValidSince        json.RawMessage `json:"validSince"`
	PhoneNumber       string          `json:"phoneNumber"`
	DeleteProvider    []string        `json:"deleteProvider"`
	TenantID          string          `json:"tenantId"`
	TargetProjectID   string          `json:"targetProjectId"`
	Provider          json.RawMessage `json:"provider"`
	CaptchaChallenge  string          `json:"captchaChallenge"`
	CaptchaResponse   string          `json:"captchaResponse"`
	InstanceID        string          `json:"instanceId"`
	CreatedAt         json.RawMessage `json:"createdAt"`
	LastLoginAt       json.RawMessage `json:"lastLoginAt"`
	MFA               json.RawMessage `json:"mfa"`
	LinkProvider      json.RawMessage `json:"linkProviderUserInfo"`
	UpgradeToFed      json.RawMessage `json:"upgradeToFederatedLogin"`
	DelegatedProject  json.RawMessage `json:"delegatedProjectNumber"`
}

// setAccountInfoResponse is SetAccountInfoResponse in Google's order.
type setAccountInfoResponse struct {
	Kind             string         `json:"kind"`
	LocalID          string         `json:"localId"`
	Email            string         `json:"email"`
	DisplayName      string         `json:"displayName,omitempty"`
	PhotoURL         string         `json:"photoUrl,omitempty"`
	PasswordHash     string         `json:"passwordHash"`
	ProviderUserInfo []providerInfo `json:"providerUserInfo"`
	EmailVerified    bool           `json:"emailVerified"`
	IDToken          string         `json:"idToken,omitempty"`
	RefreshToken     string         `json:"refreshToken,omitempty"`
	ExpiresIn        string         `json:"expiresIn,omitempty"`
}

// update is accounts:update as a client (API key and ID token, no OAuth
// credentials) may call it. It follows the Identity Toolkit's checks for
// unprivileged callers: no idToken is INVALID_REQ_TYPE, customAttributes
// is INSUFFICIENT_PERMISSION (custom claims need admin credentials),
// disableUser is OPERATION_NOT_ALLOWED; admin-only fields are ignored.
func (s *Server) update(w http.ResponseWriter, r *http.Request) {
	var req updateRequest
	if e := decodeStrict(r, &req); e != nil {
		e.write(w, r)
		return
	}
	switch {
	case req.IDToken == "" && req.OOBCode == "":
		identityError("INVALID_REQ_TYPE : Unsupported request parameters.").write(w, r)
		return
	case len(req.CustomAttributes) > 0 && string(req.CustomAttributes) != "null":
		identityError("INSUFFICIENT_PERMISSION").write(w, r)
		return
	case req.IDToken == "":
		identityError("INVALID_OOB_CODE").write(w, r)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, e := s.accountFromToken(req.IDToken)
	if e == nil && req.DisableUser != nil {
		e = identityError("OPERATION_NOT_ALLOWED")
	}
	if e != nil {
		e.write(w, r)
		return
	}
	revoke, e := s.applyUpdate(a, &req)
	if e != nil {
		e.write(w, r)
		return
	}
	out := setAccountInfoResponse{
		Kind: "identitytoolkit#SetAccountInfoResponse", LocalID: a.uid, Email: a.email,
		DisplayName: a.displayName, PhotoURL: a.photoURL, PasswordHash: redactedHash, ProviderUserInfo: a.providers(),
	}
	if revoke || req.ReturnSecureToken {
		id, refresh, err := s.tokens(a, s.now())
		if err != nil {
			(&apiError{Code: http.StatusInternalServerError, Message: err.Error(), Status: "INTERNAL"}).write(w, r)
			return
		}
		out.IDToken, out.RefreshToken, out.ExpiresIn = id, refresh, s.expiresIn()
	}
	writeJSON(w, r, http.StatusOK, out)
}

// applyUpdate validates and applies the profile, email and password
// changes of req to a, all or nothing. It reports whether the change
// revokes earlier tokens. The caller holds s.mu.
func (s *Server) applyUpdate(a *account, req *updateRequest) (bool, *apiError) {
	email := strings.ToLower(strings.TrimSpace(req.Email))
	if req.Email != "" {
		if !validEmail(email) {
			return false, identityError("INVALID_EMAIL")
		}
		if other := s.byEmail[email]; other != "" && other != a.uid {
			return false, identityError("EMAIL_EXISTS")
		}
	}
	if req.Password != "" && len(req.Password) < 6 {
		return false, identityError("WEAK_PASSWORD : Password should be at least 6 characters")
	}
	for i, attr := range req.DeleteAttribute {
		switch attr {
		case "DISPLAY_NAME", "PHOTO_URL", "EMAIL", "PASSWORD", "RAW_USER_INFO", "PROVIDER", "USER_ATTRIBUTE_NAME_UNSPECIFIED":
		default:
			return false, invalidArgument(fmt.Sprintf("Invalid value at 'delete_attribute[%d]' (type.googleapis.com/google.cloud.identitytoolkit.v1.SetAccountInfoRequest.UserAttributeName), %q", i, attr))
		}
	}
	if req.DisplayName != nil {
		a.displayName = *req.DisplayName
	}
	if req.PhotoURL != nil {
		a.photoURL = *req.PhotoURL
	}
	for _, attr := range req.DeleteAttribute {
		switch attr {
		case "DISPLAY_NAME":
			a.displayName = ""
		case "PHOTO_URL":
			a.photoURL = ""
		}
	}
	now := s.now()
	revoke := false
	if req.Email != "" && email != a.email {
		delete(s.byEmail, a.email)
		s.byEmail[email] = a.uid
		a.email, revoke = email, true
	}
	if req.Password != "" {
		a.password, a.passwordUpdatedAt, revoke = req.Password, now, true
	}
	if revoke {
		a.validSince = now.Unix()
	}
	return revoke, nil
}

// serveSecureToken serves the Secure Token API's token exchange.
func (s *Server) serveSecureToken(w http.ResponseWriter, r *http.Request, rest string) {
	if rest != "v1/token" || r.Method != http.MethodPost {
		notFoundError().write(w, r)
		return
	}
	if e := s.checkAPIKey(r, "securetoken.googleapis.com"); e != nil {
		e.write(w, r)
		return
	}
	grantType, refresh, e := tokenParams(r)
	if e != nil {
		e.write(w, r)
		return
	}
	fail := func(code string) {
		(&apiError{Code: http.StatusBadRequest, Message: code, Status: "INVALID_ARGUMENT"}).write(w, r)
	}
	switch {
	case grantType == "":
		fail("MISSING_GRANT_TYPE")
		return
	case grantType != "refresh_token":
		fail("INVALID_GRANT_TYPE")
		return
	case refresh == "":
		fail("MISSING_REFRESH_TOKEN")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.refresh[refresh]
	a := s.accounts[rec.uid]
	switch {
	case !ok:
		fail("INVALID_REFRESH_TOKEN")
		return
	case a == nil:
		fail("USER_NOT_FOUND")
		return
	case rec.issued.Unix() < a.validSince:
		fail("TOKEN_EXPIRED")
		return
	}
	id, err := s.idToken(a, s.now())
	if err != nil {
		(&apiError{Code: http.StatusInternalServerError, Message: err.Error(), Status: "INTERNAL"}).write(w, r)
		return
	}
	a.lastRefreshAt = s.now()
	// Firebase refresh tokens do not rotate: the same one comes back.
	writeJSON(w, r, http.StatusOK, tokenResponse{
		AccessToken: id, ExpiresIn: s.expiresIn(), TokenType: "Bearer", RefreshToken: refresh,
		IDToken: id, UserID: a.uid, ProjectID: s.projectNumber,
	})
}

// tokenResponse is the Secure Token API's answer, in Google's order.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	ExpiresIn    string `json:"expires_in"`
	TokenType    string `json:"token_type"`
	RefreshToken string `json:"refresh_token"`
	IDToken      string `json:"id_token"`
	UserID       string `json:"user_id"`
	ProjectID    string `json:"project_id"`
}

// tokenParams reads grant_type and refresh_token from a form body (the
// documented encoding) or a JSON one, which the API also takes.
func tokenParams(r *http.Request) (string, string, *apiError) {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		var req struct {
			GrantType         string `json:"grant_type"`
			GrantTypeCamel    string `json:"grantType"`
			RefreshToken      string `json:"refresh_token"`
			RefreshTokenCamel string `json:"refreshToken"`
			Code              string `json:"code"`
		}
		if e := decodeStrict(r, &req); e != nil {
			return "", "", e
		}
		return firstNonEmpty(req.GrantType, req.GrantTypeCamel), firstNonEmpty(req.RefreshToken, req.RefreshTokenCamel), nil
	}
	raw, e := readBody(r)
	if e != nil {
		return "", "", e
	}
	form, err := url.ParseQuery(string(raw))
	if err != nil {
		return "", "", invalidArgument("Invalid JSON payload received. Unexpected token.")
	}
	return form.Get("grant_type"), form.Get("refresh_token"), nil
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
