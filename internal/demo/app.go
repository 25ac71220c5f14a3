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
	mixedCookie        = "next-auth.session-token"
	themeCookie        = "ui_theme"
	langCookie         = "lang"
	preferenceLifetime = 365 * 24 * time.Hour
)

// appConfig is what the app needs from the portal that starts it.
type appConfig struct {
	flaws   Flaws
	members []*member
	// linkBase is the origin of links in mail (no trailing slash).
	linkBase string
	mailer   *mailer
	// tokenSessions routes POST /api/login and honours bearer tokens.
	tokenSessions bool
	// planted are this run's fake keys and passwords for the bundle, its
	// source map and the served .env.
	planted planted
	// lockoutAfter: see Options.LockoutAfter.
	lockoutAfter int
	// mailThrottle: see Options.MailThrottle.
	mailThrottle bool
}

// app is the membership portal itself, served on the canonical origin.
type app struct {
	f        Flaws
	pages    *pages
	linkBase string
	mail     *mailer
	// tokenSessions: see Options.TokenSessions.
	tokenSessions bool
	// lockoutAfter: see Options.LockoutAfter.
	lockoutAfter int
	// mailThrottle: see Options.MailThrottle.
	mailThrottle bool
	// csrfKey signs CSRF tokens; it lives as long as the portal.
	csrfKey []byte
	// sessionKeys verify session JWTs; mixedKeys the MixedAuth cookie's.
	sessionKeys, mixedKeys verifier
	// crossOrigin is the same-origin check for account deletion.
	crossOrigin *http.CrossOriginProtection
	mux         *http.ServeMux
	// assets are the static files, built once.
	assets assets

	// mu guards everything below and the mutable fields of each member.
	mu       sync.Mutex
	members  []*member
	sessions map[string]session
	tokens   map[string]mailToken
	// last is the most recently logged-in member: the global state that
	// the AnonBilling flaw renders.
	last *member
	// nextFile is the next sequential file ID (PublicFiles); only seed
	// uses it, before the app serves.
	nextFile int
	// logins records every login attempt, for tests (up to maxRecords).
	logins []LoginAttempt
}

// newApp builds the app and its routes.
func newApp(c appConfig) (*app, error) {
	pg, err := newPages()
	if err != nil {
		return nil, err
	}
	files, err := buildAssets(c.flaws, c.planted)
	if err != nil {
		return nil, err
	}
	key := []byte(weakJWTSecret)
	if !c.flaws.WeakJWTSecret {
		key = randomBytes(32)
	}
	a := &app{
		f: c.flaws, pages: pg, linkBase: c.linkBase, mail: c.mailer, csrfKey: []byte(randomHex(32)),
		sessionKeys: verifier{key: key, allowNone: c.flaws.JWTAlgNone},
		mixedKeys:   verifier{key: randomBytes(32)}, crossOrigin: http.NewCrossOriginProtection(),
		members: c.members, sessions: map[string]session{}, tokens: map[string]mailToken{},
		tokenSessions: c.tokenSessions, nextFile: firstFileNumber, assets: files, lockoutAfter: c.lockoutAfter, mailThrottle: c.mailThrottle,
	}
	for _, m := range a.members {
		a.seed(m)
	}
	a.mux = a.routes()
	return a, nil
}

// routes maps every path of the portal to its handler.
func (a *app) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", a.home)
	mux.HandleFunc("GET /static/app.css", a.stylesheet)
	a.assetRoutes(mux)
	mux.HandleFunc("GET /login", a.loginPage)
	mux.HandleFunc("POST /login", a.login)
	mux.HandleFunc("GET /logout", a.logout)
	mux.HandleFunc("POST /logout", a.logout)
	mux.HandleFunc("GET /dashboard", a.verifiedMember(a.dashboard, a.toLogin))
	mux.HandleFunc("GET /billing", a.verifiedMember(a.billing, a.anonBilling))
	mux.HandleFunc("GET /account", a.verifiedMember(a.account, a.loginInPlace))
	mux.HandleFunc("POST /account", a.verifiedMember(a.saveAccount, a.toLogin))
	mux.HandleFunc("GET /admin", a.verifiedMember(a.admin, a.toLogin))
	a.signupRoutes(mux)
	a.resetRoutes(mux)
	mux.HandleFunc("GET /account/delete", a.member(a.deletePage, a.toLogin))
	mux.HandleFunc("POST /account/delete", a.member(a.deleteAccount, a.toLogin))
	mux.HandleFunc("GET /auth/callback", a.member(a.authCallback, a.toLoginPage))
	mux.HandleFunc("GET /api/me", a.member(a.apiMe, apiUnauthorized))
	mux.HandleFunc("PATCH /api/me", a.member(a.apiUpdateMe, apiUnauthorized))
	a.messageRoutes(mux)
	a.fileRoutes(mux)
	a.objectRoutes(mux)
	a.adminRoutes(mux)
	if a.tokenSessions {
		mux.HandleFunc("POST /api/login", a.apiLogin)
	}
	if a.f.TokenInLocalStorage {
		mux.HandleFunc("GET /api/session-token", a.member(a.apiSessionToken, apiUnauthorized))
	}
	mux.HandleFunc("/", a.notFound)
	return mux
}

// ServeHTTP serves the app's routes. With NoSessionRotation every
// anonymous page visit is handed a session cookie first.
func (a *app) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if a.f.NoSessionRotation && a.anonymousPageVisit(r) {
		w = &anonSessionWriter{ResponseWriter: w, a: a}
	}
	a.mux.ServeHTTP(w, r)
}

// memberHandler serves a page to a logged-in member.
type memberHandler func(w http.ResponseWriter, r *http.Request, au *authState)

// member runs h for a logged-in member, verified or not, else anon.
func (a *app) member(h memberHandler, anon http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if au := a.current(r); au != nil {
			h(w, r, au)
			return
		}
		anon(w, r)
	}
}

// verifiedMember runs h for a member whose email is verified; an
// unverified member is sent to /verify-pending, anonymous visitors to anon.
func (a *app) verifiedMember(h memberHandler, anon http.HandlerFunc) http.HandlerFunc {
	return a.member(func(w http.ResponseWriter, r *http.Request, au *authState) {
		if !a.isVerified(au.m) {
			http.Redirect(w, r, "/verify-pending", http.StatusFound)
			return
		}
		h(w, r, au)
	}, anon)
}

// lastMember is whoever logged in last, the first member before anyone
// did (or after the last one was deleted); nil when no member is left.
func (a *app) lastMember() *member {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.last != nil {
		return a.last
	}
	if len(a.members) == 0 {
		return nil
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

// preLoginCSRF checks a form token bound to the pl_csrf cookie, answering
// 403 itself when it fails.
func (a *app) preLoginCSRF(w http.ResponseWriter, r *http.Request, purpose string) bool {
	binding := ""
	if c, err := r.Cookie(csrfCookie); err == nil {
		binding = c.Value
	}
	if !a.csrfOK(r, purpose, binding) {
		forbiddenForm(w)
		return false
	}
	return true
}

// forbiddenForm answers a form whose CSRF token is missing or wrong.
func forbiddenForm(w http.ResponseWriter) {
	http.Error(w, "Forbidden: the form expired or was not sent from this site. Reload the page and try again.", http.StatusForbidden)
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
