package demo

import (
	"net/http"
	"strings"
)

// bearer returns the token of an "Authorization: Bearer <token>" header
// when TokenSessions is on and the path accepts one: the API and file
// downloads. Pages keep cookie sessions only.
func (a *app) bearer(r *http.Request) (string, bool) {
	if !a.tokenSessions || !bearerPath(r.URL.Path) {
		return "", false
	}
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	tok = strings.TrimSpace(tok)
	if !ok || !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return "", false
	}
	return tok, true
}

// bearerPath reports whether a path takes bearer tokens: /api/* and
// /files/{id}/download.
func bearerPath(p string) bool {
	if strings.HasPrefix(p, "/api/") {
		return true
	}
	rest, ok := strings.CutPrefix(p, "/files/")
	id, ok2 := strings.CutSuffix(rest, "/download")
	return ok && ok2 && id != "" && !strings.Contains(id, "/")
}

// loginRequest is the body of POST /api/login.
type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// apiLogin (TokenSessions only) checks JSON credentials and answers the
// session JWT as {"token": …}, for clients that send it as a bearer token;
// it sets no cookie. Refusals are 401 with the login page's wording. The
// JSON content type keeps cross-site forms out, so no CSRF token is needed.
func (a *app) apiLogin(w http.ResponseWriter, r *http.Request) {
	var in loginRequest
	if !readJSON(w, r, &in) {
		return
	}
	m, refusal := a.authenticate(strings.TrimSpace(in.Email), in.Password)
	if m == nil {
		apiError(w, http.StatusUnauthorized, refusal)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"token": a.loginSession(r, m)})
}
