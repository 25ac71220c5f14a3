package demo

import (
	"crypto/sha256"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// loginHashCost is the time the LoginTiming flaw spends on existing
// accounts only: about bcrypt's at cost 10.
const loginHashCost = 40 * time.Millisecond

// maxDisplayName bounds the editable display name, in characters.
const maxDisplayName = 60

// Login refusals: the hardened one, and the two the EnumerationMessages
// flaw tells apart.
const (
	msgLoginInvalid  = "Invalid email or password."
	msgLoginUnknown  = "No account with that email."
	msgLoginPassword = "Wrong password."
)

// home is the public landing page.
func (a *app) home(w http.ResponseWriter, r *http.Request) {
	a.render(w, http.StatusOK, "home", view{Title: "Welcome"})
}

// notFound answers every unknown path.
func (a *app) notFound(w http.ResponseWriter, r *http.Request) {
	a.render(w, http.StatusNotFound, "notfound", view{Title: "Page not found"})
}

// stylesheet serves the one same-origin stylesheet, cacheable.
func (a *app) stylesheet(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	_, _ = w.Write([]byte(stylesheetCSS))
}

// loginPage shows the login form, keeping an acceptable ?next= destination.
func (a *app) loginPage(w http.ResponseWriter, r *http.Request) {
	a.renderLogin(w, r, http.StatusOK, a.destination(r), "", "")
}

// loginInPlace renders the login page with 200 where a member page was
// asked for, as many frameworks do.
func (a *app) loginInPlace(w http.ResponseWriter, r *http.Request) {
	a.renderLogin(w, r, http.StatusOK, r.URL.Path, "", "")
}

// toLogin redirects an anonymous visitor to the login page and back.
func (a *app) toLogin(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/login?next="+r.URL.Path, http.StatusFound)
}

// renderLogin shows the form with a CSRF token bound to the pre-login
// cookie (set here if the browser has none).
func (a *app) renderLogin(w http.ResponseWriter, r *http.Request, status int, next, email, msg string) {
	binding := a.preLoginCookie(w, r)
	a.render(w, status, "login", view{Title: "Log in", CSRF: a.csrfToken("login", binding), Next: next, Email: email, Error: msg})
}

// preLoginCookie returns the browser's pl_csrf value, setting a new one
// if it has none.
func (a *app) preLoginCookie(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(csrfCookie); err == nil && isHex(c.Value, 64) {
		return c.Value
	}
	v := randomHex(32)
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: v, Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	return v
}

// destination is where a login goes next: the next parameter if it is a
// local path; with OpenRedirect, next, redirect_to or returnTo, whatever
// they hold. "" means the default page.
func (a *app) destination(r *http.Request) string {
	if !a.f.OpenRedirect {
		if next := r.FormValue("next"); localPath(next) {
			return next
		}
		return ""
	}
	for _, key := range []string{"next", "redirect_to", "returnTo"} {
		if v := r.FormValue(key); v != "" && !strings.ContainsAny(v, "\r\n") {
			return v
		}
	}
	return ""
}

// authCallback is where a sign-in link returns a member who is already
// logged in: on to next if it is a local path (any value with
// OpenCallback), else the dashboard. The demo has no OAuth provider, so
// there is no code to exchange; anonymous visitors go to the login page.
func (a *app) authCallback(w http.ResponseWriter, r *http.Request, _ *authState) {
	next := r.FormValue("next")
	if !localPath(next) && (!a.f.OpenCallback || next == "" || strings.ContainsAny(next, "\r\n")) {
		next = "/dashboard"
	}
	http.Redirect(w, r, next, http.StatusFound)
}

// login checks the CSRF token, then the credentials; success starts a
// session and redirects to the destination, the dashboard, or (hardened)
// /verify-pending for an unverified member.
func (a *app) login(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	binding := ""
	if c, err := r.Cookie(csrfCookie); err == nil {
		binding = c.Value
	}
	if !a.csrfOK(r, "login", binding) {
		http.Error(w, "Forbidden: the login form expired or was not sent from this site. Reload the login page and try again.", http.StatusForbidden)
		return
	}
	next := a.destination(r)
	email := strings.TrimSpace(r.PostFormValue("email"))
	m, refusal := a.authenticate(email, r.PostFormValue("password"))
	if m == nil {
		a.renderLogin(w, r, http.StatusOK, next, email, refusal)
		return
	}
	a.setLoginCookies(w, a.loginSession(r, m), m)
	switch {
	case !a.isVerified(m) && !a.f.LoginLoopUnverified:
		next = "/verify-pending"
	case next == "":
		next = "/dashboard"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// authenticate returns the member with that email and password, or the
// refusal to show. Unknown emails still pay for a comparison, so timing
// does not tell them apart.
func (a *app) authenticate(email, password string) (*member, string) {
	a.mu.Lock()
	found := a.memberByEmailLocked(email)
	var hash [sha256.Size]byte // an unknown email compares against zeros
	if found != nil {
		hash = found.passHash
	}
	a.mu.Unlock()
	if found != nil && a.f.LoginTiming {
		// Stands in for a slow password hash (bcrypt, argon2) computed
		// only when the account exists.
		time.Sleep(loginHashCost)
	}
	ok := passwordMatches(hash, password)
	if a.countLogin(email, found, ok) == LoginLocked {
		ok = false
	}
	switch {
	case found != nil && ok:
		return found, ""
	case !a.f.EnumerationMessages:
		return nil, msgLoginInvalid
	case found == nil:
		return nil, msgLoginUnknown
	}
	return nil, msgLoginPassword
}

// logout deletes the session server-side (unless LogoutClientOnly) and
// expires its cookie.
func (a *app) logout(w http.ResponseWriter, r *http.Request) {
	a.endSession(r)
	a.expireAuthCookies(w)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// dashboard greets the member with their own upcoming event and groups.
func (a *app) dashboard(w http.ResponseWriter, r *http.Request, au *authState) {
	a.render(w, http.StatusOK, "dashboard", view{Title: "Dashboard", Member: a.memberView(au.m), Script: true})
}

// billing shows the member's plan, card and invoices.
func (a *app) billing(w http.ResponseWriter, r *http.Request, au *authState) {
	a.render(w, http.StatusOK, "billing", view{Title: "Billing", Member: a.memberView(au.m)})
}

// anonBilling refuses anonymous visitors, or with AnonBilling renders the
// last logged-in member's billing page from global state.
func (a *app) anonBilling(w http.ResponseWriter, r *http.Request) {
	m := a.lastMember()
	if !a.f.AnonBilling || m == nil {
		a.toLogin(w, r)
		return
	}
	a.billing(w, r, &authState{m: m})
}

// account shows the profile form and the delete-account form.
func (a *app) account(w http.ResponseWriter, r *http.Request, au *authState) {
	a.render(w, http.StatusOK, "account", view{Title: "Account", Member: a.memberView(au.m),
		CSRF: a.csrfToken("account", au.binding()), DeleteCSRF: a.csrfToken("delete", au.binding()),
		Saved: r.URL.Query().Get("saved") == "1"})
}

// saveAccount updates the display name (CSRF token bound to the session).
func (a *app) saveAccount(w http.ResponseWriter, r *http.Request, au *authState) {
	if !parseForm(w, r) {
		return
	}
	if !a.csrfOK(r, "account", au.binding()) {
		forbiddenForm(w)
		return
	}
	name := strings.TrimSpace(r.PostFormValue("display_name"))
	if !displayNameOK(name) {
		a.render(w, http.StatusOK, "account", view{Title: "Account", Member: a.memberView(au.m),
			CSRF: a.csrfToken("account", au.binding()), DeleteCSRF: a.csrfToken("delete", au.binding()),
			Error: "Display name must be 1 to 60 characters."})
		return
	}
	a.mu.Lock()
	au.m.display = name
	a.mu.Unlock()
	http.Redirect(w, r, "/account?saved=1", http.StatusSeeOther)
}

// displayNameOK accepts 1 to maxDisplayName characters of valid UTF-8.
func displayNameOK(name string) bool {
	return name != "" && utf8.RuneCountInString(name) <= maxDisplayName && utf8.ValidString(name)
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return false
		}
	}
	return true
}

// countLogin records a login attempt and keeps the lockout count: a wrong
// password adds one, a good login (not locked) resets it.
func (a *app) countLogin(email string, found *member, ok bool) LoginOutcome {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out LoginOutcome
	switch {
	case found == nil:
		out = LoginUnknown
	case a.lockoutAfter > 0 && found.failures >= a.lockoutAfter:
		out = LoginLocked
	case ok:
		out = LoginOK
		found.failures = 0
	default:
		out = LoginWrongPassword
		found.failures++
	}
	if len(a.logins) < maxRecords {
		a.logins = append(a.logins, LoginAttempt{Email: email, Outcome: out, PasswordOK: found != nil && ok})
	}
	return out
}

// loginLog copies the login records.
func (a *app) loginLog() []LoginAttempt {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]LoginAttempt(nil), a.logins...)
}
