package demo

import (
	"crypto/sha256"
	"net/http"
	"strings"
)

// Password-reset messages.
const (
	msgResetSent    = "If an account exists, we sent a link."
	msgResetUnknown = "No account found for that email."
	msgResetInvalid = "This reset link is invalid or has expired."
	msgResetDone    = "Your password has been changed."
	msgResetWait    = "We already sent you a link. Try again in a minute."
)

// resetRoutes adds the forgot-password form and the reset link's pages.
func (a *app) resetRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /forgot", a.forgotPage)
	mux.HandleFunc("POST /forgot", a.forgot)
	mux.HandleFunc("GET /reset", a.resetPage)
	mux.HandleFunc("POST /reset", a.reset)
}

// forgotPage shows the form asking for the account's email.
func (a *app) forgotPage(w http.ResponseWriter, r *http.Request) {
	a.renderForgot(w, r, http.StatusOK, "", "")
}

// renderForgot shows the form with a CSRF token bound to the pre-login
// cookie.
func (a *app) renderForgot(w http.ResponseWriter, r *http.Request, status int, email, msg string) {
	a.render(w, status, "forgot", view{Title: "Reset your password", Email: email, Error: msg,
		CSRF: a.csrfToken("forgot", a.preLoginCookie(w, r))})
}

// forgot mails a reset link to a known member. Hardened, every email gets
// the same answer.
func (a *app) forgot(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) || !a.preLoginCSRF(w, r, "forgot") {
		return
	}
	email := strings.TrimSpace(r.PostFormValue("email"))
	if a.mailThrottle && a.mail.mailedRecently(email) {
		a.renderMessage(w, http.StatusOK, "Reset your password", msgResetWait,
			"Check your inbox for the email we sent.", "/login", "Back to log in")
		return
	}
	a.mu.Lock()
	m := a.memberByEmailLocked(email)
	a.mu.Unlock()
	if m == nil && a.f.EnumerationMessages {
		a.renderForgot(w, r, http.StatusOK, email, msgResetUnknown)
		return
	}
	if m != nil {
		if err := a.sendReset(r, m); err != nil {
			a.renderMessage(w, http.StatusServiceUnavailable, "Reset your password", msgMailFailed, "", "/forgot", "Try again")
			return
		}
	}
	a.renderMessage(w, http.StatusOK, "Reset your password", msgResetSent,
		"Check your inbox and follow the link in the email.", "/login", "Back to log in")
}

// sendReset mails m a reset link: single use for 30 minutes, or reusable
// for a week with ReusableResetLink.
func (a *app) sendReset(r *http.Request, m *member) error {
	life, note := resetLifetime, "The link works once, for 30 minutes."
	if a.f.ReusableResetLink {
		life, note = reusableResetLifetime, "Use this link to choose a new password."
	}
	tok := a.newMailToken(tokenReset, m, life)
	return a.mail.send(r.Context(), outgoing{
		to: m.email, toName: a.displayName(m), subject: "Reset your Portal password",
		intro:  "Someone asked to reset the password of your Portal account. " + note,
		action: "Choose a new password", link: a.mailLink("/reset", tok),
		outro: "If it was not you, ignore this email: your password stays the same.",
	})
}

// resetPage shows the new-password form for a live link.
func (a *app) resetPage(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("token")
	if a.tokenMember(tokenReset, tok) == nil {
		a.renderMessage(w, http.StatusBadRequest, "Reset your password", msgResetInvalid, "", "/forgot", "Ask for a new link")
		return
	}
	a.renderReset(w, r, http.StatusOK, tok, "")
}

// renderReset shows the new-password form.
func (a *app) renderReset(w http.ResponseWriter, r *http.Request, status int, tok, msg string) {
	a.render(w, status, "reset", view{Title: "Choose a new password", Token: tok, Error: msg,
		CSRF: a.csrfToken("reset", a.preLoginCookie(w, r))})
}

// reset sets the new password and revokes the member's sessions. Hardened,
// the link (and any other reset link of the member) stops working.
func (a *app) reset(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) || !a.preLoginCSRF(w, r, "reset") {
		return
	}
	tok, pw := r.PostFormValue("token"), r.PostFormValue("password")
	if a.tokenMember(tokenReset, tok) == nil {
		a.renderMessage(w, http.StatusBadRequest, "Reset your password", msgResetInvalid, "", "/forgot", "Ask for a new link")
		return
	}
	if msg := a.passwordProblem(pw); msg != "" {
		a.renderReset(w, r, statusPolicyRefuse, tok, msg)
		return
	}
	a.mu.Lock()
	m := a.tokenMemberLocked(tokenReset, tok)
	if m != nil {
		m.passHash = sha256.Sum256([]byte(pw))
		a.revokeLocked(m)
		if !a.f.ReusableResetLink {
			a.dropTokensLocked(tokenReset, m)
		}
	}
	a.mu.Unlock()
	if m == nil { // used or deleted between the two looks
		a.renderMessage(w, http.StatusBadRequest, "Reset your password", msgResetInvalid, "", "/forgot", "Ask for a new link")
		return
	}
	a.renderMessage(w, http.StatusOK, "Password changed", msgResetDone, "Log in with your new password.", "/login", "Log in")
}
