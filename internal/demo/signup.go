package demo

import (
	"context"
	"errors"
	"net/http"
	"net/mail"
	"strings"
)

// Signup and verification messages.
const (
	msgCheckInbox      = "Check your inbox to continue."
	msgAlreadyExists   = "That email is already registered."
	msgBadEmail        = "Enter a valid email address at @portal.test (this demo delivers mail only there)."
	msgBadName         = "Name must be 1 to 60 characters."
	msgMailFailed      = "We could not send the email right now. Try again in a minute."
	msgVerified        = "Email verified — you can log in"
	msgVerifyInvalid   = "This verification link is invalid or has already been used."
	msgSignupsFull     = "Signups are closed for now."
	statusPolicyRefuse = http.StatusUnprocessableEntity
)

// errMembersFull refuses a signup past maxMembers.
var errMembersFull = errors.New("member table full")

// signupRoutes adds signup, verification and the verify-pending page.
func (a *app) signupRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /signup", a.signupPage)
	mux.HandleFunc("POST /signup", a.signup)
	mux.HandleFunc("GET /verify", a.verify)
	mux.HandleFunc("GET /verify-pending", a.member(a.verifyPending, a.toLoginPage))
	mux.HandleFunc("POST /verify/resend", a.member(a.resendVerification, a.toLoginPage))
}

// toLoginPage sends an anonymous visitor to the login page.
func (a *app) toLoginPage(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/login", http.StatusFound)
}

// signupPage shows the signup form.
func (a *app) signupPage(w http.ResponseWriter, r *http.Request) {
	a.renderSignup(w, r, http.StatusOK, view{})
}

// renderSignup shows the form with v's values and a CSRF token bound to
// the pre-login cookie.
func (a *app) renderSignup(w http.ResponseWriter, r *http.Request, status int, v view) {
	v.Title = "Sign up"
	v.CSRF = a.csrfToken("signup", a.preLoginCookie(w, r))
	a.render(w, status, "signup", v)
}

// signup validates the form, creates an unverified member and mails a
// verification link. Hardened, an existing email gets the same page (and
// a mail to its owner) as a new one.
func (a *app) signup(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) || !a.preLoginCSRF(w, r, "signup") {
		return
	}
	email := strings.TrimSpace(r.PostFormValue("email"))
	name := strings.TrimSpace(r.PostFormValue("name"))
	pw := r.PostFormValue("password")
	form := view{Email: email, Name: name}
	if name == "" {
		name, _, _ = strings.Cut(email, "@")
	}
	if form.Error = a.signupProblem(email, name, pw); form.Error != "" {
		a.renderSignup(w, r, statusPolicyRefuse, form)
		return
	}
	m, existing, err := a.addMember(email, name, pw)
	if err != nil {
		a.renderMessage(w, http.StatusServiceUnavailable, "Sign up", msgSignupsFull, "", "/", "Home")
		return
	}
	if existing != nil && a.f.EnumerationMessages {
		form.Error = msgAlreadyExists
		a.renderSignup(w, r, http.StatusOK, form)
		return
	}
	if existing != nil {
		err = a.mailExistingSignup(r.Context(), existing)
	} else {
		err = a.sendVerification(r.Context(), m)
	}
	if err != nil {
		a.renderMessage(w, http.StatusServiceUnavailable, "Sign up", msgMailFailed, "", "/signup", "Back to sign up")
		return
	}
	a.renderMessage(w, http.StatusOK, "Check your inbox", msgCheckInbox,
		"If "+email+" can receive mail, a message with the next step is on its way.", "/login", "Log in")
}

// signupProblem returns why the form is refused, or "".
func (a *app) signupProblem(email, name, pw string) string {
	switch {
	case !signupEmailOK(email):
		return msgBadEmail
	case !displayNameOK(name):
		return msgBadName
	}
	return a.passwordProblem(pw)
}

// signupEmailOK accepts a bare address at the demo's mail domain.
func signupEmailOK(email string) bool {
	if len(email) > 254 {
		return false
	}
	addr, err := mail.ParseAddress(email)
	return err == nil && addr.Name == "" && addr.Address == email && localRecipient(email)
}

// addMember creates an unverified member, or returns the existing one with
// that email.
func (a *app) addMember(email, name, pw string) (created, existing *member, err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if m := a.memberByEmailLocked(email); m != nil {
		return nil, m, nil
	}
	if len(a.members) >= maxMembers {
		return nil, nil, errMembersFull
	}
	m := newSignupMember(email, name, pw)
	a.members = append(a.members, m)
	return m, nil, nil
}

// sendVerification mails m a single-use verification link.
func (a *app) sendVerification(ctx context.Context, m *member) error {
	tok := a.newMailToken(tokenVerify, m, verifyLifetime)
	return a.mail.send(ctx, outgoing{
		to: m.email, toName: a.displayName(m), subject: "Verify your email for Portal",
		intro:  "Confirm your email address to finish joining Portal. The link works once, for 24 hours.",
		action: "Verify my email", link: a.mailLink("/verify", tok),
		outro: "If you did not sign up, ignore this email.",
	})
}

// mailExistingSignup tells the owner of an existing account that someone
// tried to sign up with it; an unverified owner gets a new verification
// link instead.
func (a *app) mailExistingSignup(ctx context.Context, m *member) error {
	if !a.isVerified(m) {
		return a.sendVerification(ctx, m)
	}
	return a.mail.send(ctx, outgoing{
		to: m.email, toName: a.displayName(m), subject: "Someone tried to sign up with your email",
		intro:  "Someone tried to create a Portal account with this address, which already has one. If it was you, log in, or reset your password here:",
		action: "Reset my password", link: a.mailLink("/forgot", ""),
		outro: "If it was not you, you can ignore this email: nothing changed.",
	})
}

// verify marks the link's member verified; the link then stops working.
func (a *app) verify(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("token")
	a.mu.Lock()
	m := a.tokenMemberLocked(tokenVerify, tok)
	if m != nil {
		m.verified = true
		delete(a.tokens, tok)
	}
	a.mu.Unlock()
	if m == nil {
		a.renderMessage(w, http.StatusBadRequest, "Verify your email", msgVerifyInvalid, "", "/login", "Log in")
		return
	}
	a.renderMessage(w, http.StatusOK, "Email verified", msgVerified, "Your address "+m.email+" is confirmed.", "/login", "Log in")
}

// verifyPending asks an unverified member to check their inbox. With
// LoginLoopUnverified it sends every member back to the dashboard, which
// sends the unverified straight back here.
func (a *app) verifyPending(w http.ResponseWriter, r *http.Request, au *authState) {
	if a.f.LoginLoopUnverified || a.isVerified(au.m) {
		http.Redirect(w, r, "/dashboard", http.StatusFound)
		return
	}
	a.renderPending(w, http.StatusOK, au, "")
}

// renderPending shows the verify-pending page with its resend form.
func (a *app) renderPending(w http.ResponseWriter, status int, au *authState, notice string) {
	a.render(w, status, "verify-pending", view{Title: "Verify your email", Member: a.memberView(au.m),
		Email: au.m.email, CSRF: a.csrfToken("resend", au.binding()), Notice: notice})
}

// resendVerification mails a new verification link.
func (a *app) resendVerification(w http.ResponseWriter, r *http.Request, au *authState) {
	if !parseForm(w, r) {
		return
	}
	if !a.csrfOK(r, "resend", au.binding()) {
		forbiddenForm(w)
		return
	}
	if a.isVerified(au.m) {
		http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
		return
	}
	if err := a.sendVerification(r.Context(), au.m); err != nil {
		a.renderPending(w, http.StatusServiceUnavailable, au, msgMailFailed)
		return
	}
	a.renderPending(w, http.StatusOK, au, "We sent a new link to "+au.m.email+".")
}

// displayName reads m's display name.
func (a *app) displayName(m *member) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return m.display
}
