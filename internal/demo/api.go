package demo

import "net/http"

// apiMe answers the logged-in member as JSON.
func (a *app) apiMe(w http.ResponseWriter, r *http.Request, au *authState) {
	a.mu.Lock()
	body := struct {
		ID       string `json:"id"`
		Email    string `json:"email"`
		Name     string `json:"name"`
		Verified bool   `json:"verified"`
	}{au.m.id, au.m.email, au.m.display, au.m.verified}
	a.mu.Unlock()
	writeJSON(w, http.StatusOK, body)
}

// apiSessionToken hands the session JWT to JavaScript: the
// TokenInLocalStorage flaw's source (not routed when hardened).
func (a *app) apiSessionToken(w http.ResponseWriter, r *http.Request, au *authState) {
	writeJSON(w, http.StatusOK, map[string]string{"token": au.token})
}

// apiUnauthorized answers an anonymous API request.
func apiUnauthorized(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "not logged in"})
}

// script serves /static/app.js, the dashboard's one script.
func (a *app) script(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	js := themeJS
	if a.f.TokenInLocalStorage {
		js = tokenStorageJS
	}
	_, _ = w.Write([]byte(js))
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
