package demo

import "net/http"

// deletePage asks a member to confirm deleting their account.
func (a *app) deletePage(w http.ResponseWriter, r *http.Request, au *authState) {
	a.render(w, http.StatusOK, "delete", view{Title: "Delete your account", Member: a.memberView(au.m),
		DeleteCSRF: a.csrfToken("delete", au.binding())})
}

// deleteAccount deletes the member, their sessions and mail links, and
// logs the browser out. The request must carry the form's CSRF token or
// pass net/http's cross-origin check (Sec-Fetch-Site, else Origin against
// Host; a request with neither, like a script's, passes: the hardened
// session cookie is SameSite=Lax, so a cross-site form never carries it).
func (a *app) deleteAccount(w http.ResponseWriter, r *http.Request, au *authState) {
	if !parseForm(w, r) {
		return
	}
	if !a.csrfOK(r, "delete", au.binding()) && a.crossOrigin.Check(r) != nil {
		forbiddenForm(w)
		return
	}
	a.deleteMember(au.m)
	a.expireAuthCookies(w)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// admin is the admin console. Hardened, the server-side account's role
// decides (members get 403); with SensitiveClaims the token's role and
// is_admin claims are trusted too.
func (a *app) admin(w http.ResponseWriter, r *http.Request, au *authState) {
	if !a.isAdmin(au) {
		// The refusal shares nothing with the console, not even its title.
		a.renderMessage(w, http.StatusForbidden, "Forbidden", "Only administrators may open this page.", "", "/dashboard", "Dashboard")
		return
	}
	a.render(w, http.StatusOK, "admin", view{Title: "Admin console", Member: a.memberView(au.m), Members: a.memberEmails()})
}
