package demo

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Cookie names. The session cookie's name says nothing about its job, so a
// scanner has to find it by behaviour.
const (
	csrfCookie         = "pl_csrf"
	sessionCookie      = "pm"
	hostSessionCookie  = "__Host-pm"
	themeCookie        = "ui_theme"
	langCookie         = "lang"
	preferenceLifetime = 365 * 24 * time.Hour
)

// app is the membership portal itself, served on the canonical origin.
type app struct {
	f       Flaws
	members []*member
	pages   *pages
	// csrfKey signs CSRF tokens; it lives as long as the portal.
	csrfKey []byte
	mux     *http.ServeMux

	mu       sync.Mutex
	sessions map[string]session
	// last is the most recently logged-in member: the global state that
	// the AnonBilling flaw renders.
	last *member
}

// session is one server-side login.
type session struct {
	m       *member
	expires time.Time
}

// newApp builds the app and its routes.
func newApp(f Flaws, members []*member) (*app, error) {
	pg, err := newPages()
	if err != nil {
		return nil, err
	}
	a := &app{f: f, members: members, pages: pg, csrfKey: []byte(randomHex(32)), sessions: map[string]session{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", a.home)
	mux.HandleFunc("GET /static/app.css", a.stylesheet)
	mux.HandleFunc("GET /login", a.loginPage)
	mux.HandleFunc("POST /login", a.login)
	mux.HandleFunc("GET /logout", a.logout)
	mux.HandleFunc("POST /logout", a.logout)
	mux.HandleFunc("GET /dashboard", a.member(a.dashboard, a.toLogin))
	mux.HandleFunc("GET /billing", a.member(a.billing, a.anonBilling))
	mux.HandleFunc("GET /account", a.member(a.account, a.loginInPlace))
	mux.HandleFunc("POST /account", a.member(a.saveAccount, a.toLogin))
	mux.HandleFunc("/", a.notFound)
	a.mux = mux
	return a, nil
}

// ServeHTTP serves the app's routes.
func (a *app) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.mux.ServeHTTP(w, r) }

// memberHandler serves a page to a logged-in member.
type memberHandler func(w http.ResponseWriter, r *http.Request, m *member, sid string)

// member runs h for a valid session, else anon.
func (a *app) member(h memberHandler, anon http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if m, sid := a.current(r); m != nil {
			h(w, r, m, sid)
			return
		}
		anon(w, r)
	}
}

// sessionName is __Host-pm when the cookie can carry the prefix (it
// requires Secure), else pm.
func (a *app) sessionName() string {
	if a.f.CookieNotSecure {
		return sessionCookie
	}
	return hostSessionCookie
}

// current returns the member of the request's session, if it is valid.
func (a *app) current(r *http.Request) (*member, string) {
	c, err := r.Cookie(a.sessionName())
	if err != nil {
		return nil, ""
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	s, ok := a.sessions[c.Value]
	if !ok || time.Now().After(s.expires) {
		return nil, ""
	}
	return s.m, c.Value
}

// startSession replaces any session the browser had (the ID rotates at
// login) with a new one for m.
func (a *app) startSession(r *http.Request, m *member) string {
	id := randomHex(32)
	a.mu.Lock()
	defer a.mu.Unlock()
	if c, err := r.Cookie(a.sessionName()); err == nil {
		delete(a.sessions, c.Value)
	}
	if len(a.sessions) >= maxSessions {
		a.pruneLocked()
	}
	a.sessions[id] = session{m: m, expires: time.Now().Add(sessionLifetime)}
	a.last = m
	return id
}

// pruneLocked drops expired sessions, and arbitrary ones if the table is
// still full.
func (a *app) pruneLocked() {
	now := time.Now()
	for id, s := range a.sessions {
		if now.After(s.expires) {
			delete(a.sessions, id)
		}
	}
	for id := range a.sessions {
		if len(a.sessions) < maxSessions {
			break
		}
		delete(a.sessions, id)
	}
}

// endSession deletes the request's session server-side.
func (a *app) endSession(r *http.Request) {
	c, err := r.Cookie(a.sessionName())
	if err != nil {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.sessions, c.Value)
}

// lastMember is whoever logged in last, member a before anyone did.
func (a *app) lastMember() *member {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.last != nil {
		return a.last
	}
	return a.members[0]
}

// csrfToken binds a form token to a purpose and a value the browser holds
// (the pre-login cookie, or the session ID).
func (a *app) csrfToken(purpose, binding string) string {
	mac := hmac.New(sha256.New, a.csrfKey)
	mac.Write([]byte(purpose + "\x00" + binding))
	return hex.EncodeToString(mac.Sum(nil))
}

// csrfOK checks a submitted token in constant time.
func (a *app) csrfOK(r *http.Request, purpose, binding string) bool {
	got := r.PostFormValue("_csrf")
	return binding != "" && got != "" && hmac.Equal([]byte(got), []byte(a.csrfToken(purpose, binding)))
}

// parseForm reads a form body, answering 413 or 400 itself on failure.
func parseForm(w http.ResponseWriter, r *http.Request) bool {
	err := r.ParseForm()
	if err == nil {
		return true
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		http.Error(w, "Request body too large.", http.StatusRequestEntityTooLarge)
		return false
	}
	http.Error(w, "Bad request: the form could not be read.", http.StatusBadRequest)
	return false
}

// localPath accepts a post-login destination only if it stays on this
// origin: an absolute path, not "//host" or "/\host".
func localPath(next string) bool {
	return strings.HasPrefix(next, "/") && !strings.HasPrefix(next, "//") && !strings.HasPrefix(next, "/\\") &&
		!strings.ContainsAny(next, "\r\n\t")
}
