package demo

import (
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"
)

// profileJSON is a member's profile as /api/me shows it: name and
// display_name hold the same display name (read under the names clients
// send and read).
type profileJSON struct {
	ID          string `json:"id"`
	Email       string `json:"email"`
	Name        string `json:"name"`
	DisplayName string `json:"display_name"`
	Role        string `json:"role"`
	Verified    bool   `json:"verified"`
}

// profileLocked snapshots m's profile.
func profileLocked(m *member) profileJSON {
	return profileJSON{ID: m.id, Email: m.email, Name: m.display, DisplayName: m.display, Role: m.role, Verified: m.verified}
}

// apiMe answers the logged-in member as JSON.
func (a *app) apiMe(w http.ResponseWriter, r *http.Request, au *authState) {
	a.mu.Lock()
	body := profileLocked(au.m)
	a.mu.Unlock()
	writeJSON(w, http.StatusOK, body)
}

// profileFields are the fields a member may change in its profile.
type profileFields struct {
	DisplayName *string `json:"display_name"`
}

// profileUpdate is what PATCH /api/me reads: profileFields when hardened;
// Role and IsAdmin too with the ProfileMassAssignment flaw.
type profileUpdate struct {
	profileFields
	Role    *string `json:"role"`
	IsAdmin *bool   `json:"is_admin"`
}

// maxRole bounds a role stored by the ProfileMassAssignment flaw.
const maxRole = 40

// apiUpdateMe changes the member's display name and answers the profile.
// Other fields are ignored, unless ProfileMassAssignment binds role and
// is_admin too. The JSON content type is the CSRF defence: a cross-site
// form cannot send it without a CORS preflight, which the portal never
// grants.
func (a *app) apiUpdateMe(w http.ResponseWriter, r *http.Request, au *authState) {
	var u profileUpdate
	var dst any = &u.profileFields // any other field is ignored, whatever its type
	if a.f.ProfileMassAssignment {
		dst = &u
	}
	if !readJSON(w, r, dst) {
		return
	}
	if problem := u.problem(); problem != "" {
		apiError(w, http.StatusBadRequest, problem)
		return
	}
	a.mu.Lock()
	u.applyLocked(au.m)
	body := profileLocked(au.m)
	a.mu.Unlock()
	writeJSON(w, http.StatusOK, body)
}

// problem says why an update is refused, or "".
func (u profileUpdate) problem() string {
	if u.DisplayName != nil && !displayNameOK(strings.TrimSpace(*u.DisplayName)) {
		return "display_name must be 1 to 60 characters"
	}
	if u.Role != nil && (strings.TrimSpace(*u.Role) == "" || utf8.RuneCountInString(*u.Role) > maxRole) {
		return "role must be 1 to 40 characters"
	}
	return ""
}

// applyLocked stores the update: role first, then is_admin (true makes an
// admin; false demotes an admin unless role was given).
func (u profileUpdate) applyLocked(m *member) {
	if u.DisplayName != nil {
		m.display = strings.TrimSpace(*u.DisplayName)
	}
	if u.Role != nil {
		m.role = strings.TrimSpace(*u.Role)
	}
	switch {
	case u.IsAdmin == nil:
	case *u.IsAdmin:
		m.role = "admin"
	case u.Role == nil && m.role == "admin":
		m.role = "member"
	}
}

// apiSessionToken hands the session JWT to JavaScript: the
// TokenInLocalStorage flaw's source (not routed when hardened).
func (a *app) apiSessionToken(w http.ResponseWriter, r *http.Request, au *authState) {
	writeJSON(w, http.StatusOK, map[string]string{"token": au.token})
}

// apiUnauthorized answers an anonymous API request.
func apiUnauthorized(w http.ResponseWriter, r *http.Request) {
	apiError(w, http.StatusUnauthorized, "not logged in")
}

// apiNotFound answers a missing object, or one the member may not see:
// the two look the same.
func apiNotFound(w http.ResponseWriter) {
	apiError(w, http.StatusNotFound, "not found")
}

// apiError answers {"error": msg} with status.
func apiError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// readJSON decodes one JSON object from the body into v, answering 415
// (not application/json), 413 (over maxBody) or 400 itself on failure.
func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		apiError(w, http.StatusUnsupportedMediaType, "send the body as application/json")
		return false
	}
	dec := json.NewDecoder(r.Body)
	err = dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("more than one JSON value")
	}
	var tooBig *http.MaxBytesError
	switch {
	case err == nil:
		return true
	case errors.As(err, &tooBig):
		apiError(w, http.StatusRequestEntityTooLarge, "request body too large")
	default:
		apiError(w, http.StatusBadRequest, "the body is not the JSON object expected")
	}
	return false
}

// themeJS remembers the UI theme from the ui_theme cookie: no token is
// ever touched.
const themeJS = `// Portal dashboard: remember the UI theme.
(function () {
  var m = document.cookie.match(/(?:^|; )ui_theme=([^;]*)/);
  try { localStorage.setItem("theme", m ? decodeURIComponent(m[1]) : "light"); } catch (e) {}
})();
`

// tokenStorageJS copies the session token where any script can read it.
const tokenStorageJS = `// Portal dashboard: keep the API token handy for fetch calls.
(function () {
  fetch("/api/session-token", {credentials: "same-origin"})
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (d) {
      if (!d || !d.token) { return; }
      localStorage.setItem("auth_token", d.token);
      sessionStorage.setItem("jwt", d.token);
    });
})();
`

// adminJS is the bundle's admin part, in every mode: it names the admin
// API but calls it only when the page says the member is an administrator
// (the body's data-role). Hiding the calls is no access control: the
// routes are in the bundle for anyone to read, so the server must check.
const adminJS = `// Admin tools: only for administrators.
(function () {
  var adminApi = {users: "/api/admin/users", stats: "/api/admin/stats"};
  if (!document.body || document.body.getAttribute("data-role") !== "admin") { return; }
  var out = document.getElementById("admin-stats");
  fetch(adminApi.stats, {credentials: "same-origin"})
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (d) {
      if (d && out) { out.textContent = d.members + " members, " + d.messages + " messages, " + d.files + " files"; }
    });
})();
`
