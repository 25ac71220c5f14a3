package demo

import (
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// maxDisplayName bounds the editable display name, in characters.
const maxDisplayName = 60

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

// loginPage shows the login form, keeping a local ?next= destination.
func (a *app) loginPage(w http.ResponseWriter, r *http.Request) {
	next := r.URL.Query().Get("next")
	if !localPath(next) {
		next = ""
	}
	a.renderLogin(w, r, http.StatusOK, next, "", "")
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

// login checks the CSRF token, then the credentials; success starts a new
// session and redirects to a local next or the dashboard.
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
	next := r.FormValue("next")
	if !localPath(next) {
		next = ""
	}
	email := strings.TrimSpace(r.PostFormValue("email"))
	m := a.authenticate(email, r.PostFormValue("password"))
	if m == nil {
		a.renderLogin(w, r, http.StatusOK, next, email, "Invalid email or password.")
		return
	}
	a.setLoginCookies(w, a.startSession(r, m))
	if next == "" {
		next = "/dashboard"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// authenticate returns the member with that email and password. Unknown
// emails still pay for a comparison, so timing does not tell them apart.
func (a *app) authenticate(email, password string) *member {
	var found *member
	for _, m := range a.members {
		if strings.EqualFold(m.email, email) {
			found = m
		}
	}
	if found == nil {
		(&member{}).passwordOK(password)
		return nil
	}
	if !found.passwordOK(password) {
		return nil
	}
	return found
}

// sameSite is Lax, or no attribute at all with CookieNoSameSite.
func (a *app) sameSite() http.SameSite {
	if a.f.CookieNoSameSite {
		return 0 // the zero value writes no SameSite attribute
	}
	return http.SameSiteLaxMode
}

// setLoginCookies sets the session cookie and two decoys that are not the
// session: a theme read by JavaScript and a language preference.
func (a *app) setLoginCookies(w http.ResponseWriter, sid string) {
	secure := !a.f.CookieNotSecure
	pref := int(preferenceLifetime / time.Second)
	http.SetCookie(w, &http.Cookie{Name: a.sessionName(), Value: sid, Path: "/", MaxAge: int(sessionLifetime / time.Second),
		Secure: secure, HttpOnly: !a.f.CookieScriptable, SameSite: a.sameSite()})
	http.SetCookie(w, &http.Cookie{Name: themeCookie, Value: "light", Path: "/", MaxAge: pref, Secure: secure, SameSite: a.sameSite()})
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: "en", Path: "/", MaxAge: pref, Secure: secure, HttpOnly: true, SameSite: a.sameSite()})
}

// logout deletes the session server-side and expires its cookie.
func (a *app) logout(w http.ResponseWriter, r *http.Request) {
	a.endSession(r)
	http.SetCookie(w, &http.Cookie{Name: a.sessionName(), Value: "", Path: "/", MaxAge: -1,
		Secure: !a.f.CookieNotSecure, HttpOnly: !a.f.CookieScriptable, SameSite: a.sameSite()})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// dashboard greets the member with their own upcoming event and groups.
func (a *app) dashboard(w http.ResponseWriter, r *http.Request, m *member, _ string) {
	a.render(w, http.StatusOK, "dashboard", view{Title: "Dashboard", Member: a.memberView(m)})
}

// billing shows the member's plan, card and invoices.
func (a *app) billing(w http.ResponseWriter, r *http.Request, m *member, _ string) {
	a.render(w, http.StatusOK, "billing", view{Title: "Billing", Member: a.memberView(m)})
}

// anonBilling refuses anonymous visitors, or with AnonBilling renders the
// last logged-in member's billing page from global state.
func (a *app) anonBilling(w http.ResponseWriter, r *http.Request) {
	if !a.f.AnonBilling {
		a.toLogin(w, r)
		return
	}
	a.billing(w, r, a.lastMember(), "")
}

// account shows the profile form.
func (a *app) account(w http.ResponseWriter, r *http.Request, m *member, sid string) {
	a.render(w, http.StatusOK, "account", view{Title: "Account", Member: a.memberView(m),
		CSRF: a.csrfToken("account", sid), Saved: r.URL.Query().Get("saved") == "1"})
}

// saveAccount updates the display name (CSRF token bound to the session).
func (a *app) saveAccount(w http.ResponseWriter, r *http.Request, m *member, sid string) {
	if !parseForm(w, r) {
		return
	}
	if !a.csrfOK(r, "account", sid) {
		http.Error(w, "Forbidden: the form expired or was not sent from this site. Reload the page and try again.", http.StatusForbidden)
		return
	}
	name := strings.TrimSpace(r.PostFormValue("display_name"))
	if name == "" || utf8.RuneCountInString(name) > maxDisplayName || !utf8.ValidString(name) {
		a.render(w, http.StatusOK, "account", view{Title: "Account", Member: a.memberView(m),
			CSRF: a.csrfToken("account", sid), Error: "Display name must be 1 to 60 characters."})
		return
	}
	a.mu.Lock()
	m.display = name
	a.mu.Unlock()
	http.Redirect(w, r, "/account?saved=1", http.StatusSeeOther)
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
