package demo

import (
	"net/http"
	"strings"
	"time"
)

const (
	// sessionLifetime is the hardened session's cookie Max-Age and JWT exp.
	sessionLifetime = 8 * time.Hour
	// longSessionLifetime is the LongSessions flaw's.
	longSessionLifetime = 30 * 24 * time.Hour
	// maxSessions bounds the server-side session table.
	maxSessions = 10_000
)

// session is one server-side login, keyed by the JWT's sid.
type session struct {
	m       *member
	expires time.Time
}

// authState is who a request comes from and the token that said so.
type authState struct {
	m *member
	// sid is the server-side session; "" when the MixedAuth cookie
	// authenticated the request.
	sid string
	// token is the raw JWT and claims its verified claims.
	token  string
	claims claims
}

// binding is what a logged-in member's CSRF tokens are bound to.
func (au *authState) binding() string {
	if au.sid != "" {
		return au.sid
	}
	return "mixed:" + au.m.id
}

// lifetime is the session's length under the flaws.
func (a *app) lifetime() time.Duration {
	if a.f.LongSessions {
		return longSessionLifetime
	}
	return sessionLifetime
}

// sessionName is __Host-pm when the cookie can carry the prefix (it
// requires Secure), else pm.
func (a *app) sessionName() string {
	if a.f.CookieNotSecure {
		return sessionCookie
	}
	return hostSessionCookie
}

// presented returns the first session JWT of the request that verifies
// (signature and exp; the sid may be dead), and its claims.
func (a *app) presented(r *http.Request) (string, claims, bool) {
	for _, tok := range a.presentedTokens(r) {
		if cl, err := a.sessionKeys.verify(tok, time.Now()); err == nil {
			return tok, cl, true
		}
	}
	return "", claims{}, false
}

// presentedTokens are the session JWTs a request carries: the session
// cookie, then, with TokenSessions, a bearer token where one is accepted.
func (a *app) presentedTokens(r *http.Request) []string {
	var out []string
	if c, err := r.Cookie(a.sessionName()); err == nil {
		out = append(out, c.Value)
	}
	if tok, ok := a.bearer(r); ok {
		out = append(out, tok)
	}
	return out
}

// current returns the logged-in member of the request, or nil: a session
// JWT must verify, its sid be live server-side and its sub (when present)
// match; with MixedAuth the second cookie alone also does.
func (a *app) current(r *http.Request) *authState {
	for _, tok := range a.presentedTokens(r) {
		if au := a.liveSession(tok); au != nil {
			return au
		}
	}
	if a.f.MixedAuth {
		return a.mixedCurrent(r)
	}
	return nil
}

// liveSession returns who a session JWT logs in, or nil.
func (a *app) liveSession(tok string) *authState {
	cl, err := a.sessionKeys.verify(tok, time.Now())
	if err != nil {
		return nil
	}
	a.mu.Lock()
	s, live := a.sessions[cl.Sid]
	a.mu.Unlock()
	if !live || s.m == nil || !time.Now().Before(s.expires) || (cl.Sub != "" && cl.Sub != s.m.id) {
		return nil
	}
	return &authState{m: s.m, sid: cl.Sid, token: tok, claims: cl}
}

// mixedCurrent authenticates by the MixedAuth cookie alone: a stateless
// signed JWT naming the member.
func (a *app) mixedCurrent(r *http.Request) *authState {
	c, err := r.Cookie(mixedCookie)
	if err != nil {
		return nil
	}
	cl, err := a.mixedKeys.verify(c.Value, time.Now())
	if err != nil {
		return nil
	}
	a.mu.Lock()
	m := a.memberByIDLocked(cl.Sub)
	a.mu.Unlock()
	if m == nil {
		return nil
	}
	return &authState{m: m, token: c.Value, claims: cl}
}

// loginSession returns the session JWT for m after a successful login.
// Hardened, it is a new session and the one the browser had is deleted;
// with NoSessionRotation a verified pre-login token keeps its value and
// its sid now names m.
func (a *app) loginSession(r *http.Request, m *member) string {
	tok, cl, ok := a.presented(r)
	now := time.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	a.last = m
	if ok && a.f.NoSessionRotation {
		a.putSessionLocked(cl.Sid, session{m: m, expires: time.Unix(int64(cl.Exp), 0)})
		if cl.Sub == "" || cl.Sub == m.id {
			return tok
		}
		return a.sessionToken(m, cl.Sid, now) // another member's token: same sid, fixated all the same
	}
	if ok {
		delete(a.sessions, cl.Sid)
	}
	sid := randomHex(16)
	a.putSessionLocked(sid, session{m: m, expires: now.Add(a.lifetime())})
	return a.sessionToken(m, sid, now)
}

// sessionToken signs a session JWT; m is nil for an anonymous one. The
// caller holds a.mu (m's role can change).
func (a *app) sessionToken(m *member, sid string, now time.Time) string {
	cl := claims{Sid: sid, Iat: numericDate(now.Unix()), Exp: numericDate(now.Add(a.lifetime()).Unix())}
	if m != nil {
		cl.Sub = m.id
		if a.f.SensitiveClaims {
			isAdmin := m.role == "admin"
			cl.Email, cl.Role, cl.IsAdmin = m.email, m.role, &isAdmin
		}
	}
	return signHS256(a.sessionKeys.key, cl)
}

// mixedToken signs the MixedAuth cookie's JWT: NextAuth's shape.
func (a *app) mixedToken(m *member) string {
	now := time.Now()
	a.mu.Lock()
	name := m.display
	a.mu.Unlock()
	return signHS256(a.mixedKeys.key, claims{Sub: m.id, Email: m.email, Name: name,
		Iat: numericDate(now.Unix()), Exp: numericDate(now.Add(a.lifetime()).Unix())})
}

// putSessionLocked stores a session, making room first if the table is full.
func (a *app) putSessionLocked(sid string, s session) {
	if _, ok := a.sessions[sid]; !ok && len(a.sessions) >= maxSessions {
		a.pruneLocked()
	}
	a.sessions[sid] = s
}

// pruneLocked drops expired sessions, then the ones closest to expiry
// until the table has room.
func (a *app) pruneLocked() {
	now := time.Now()
	for id, s := range a.sessions {
		if now.After(s.expires) {
			delete(a.sessions, id)
		}
	}
	for len(a.sessions) >= maxSessions {
		oldest, at := "", time.Time{}
		for id, s := range a.sessions {
			if oldest == "" || s.expires.Before(at) {
				oldest, at = id, s.expires
			}
		}
		delete(a.sessions, oldest)
	}
}

// endSession deletes the request's session server-side, unless the
// LogoutClientOnly flaw leaves it alive.
func (a *app) endSession(r *http.Request) {
	_, cl, ok := a.presented(r)
	if !ok || a.f.LogoutClientOnly {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.sessions, cl.Sid)
}

// revokeLocked deletes every server-side session of m.
func (a *app) revokeLocked(m *member) {
	for id, s := range a.sessions {
		if s.m == m {
			delete(a.sessions, id)
		}
	}
}

// sameSite is Lax, or no attribute at all with CookieNoSameSite.
func (a *app) sameSite() http.SameSite {
	if a.f.CookieNoSameSite {
		return 0 // the zero value writes no SameSite attribute
	}
	return http.SameSiteLaxMode
}

// authCookie is a session-carrying cookie with the flaws' attributes; a
// negative maxAge deletes it.
func (a *app) authCookie(name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge,
		Secure: !a.f.CookieNotSecure, HttpOnly: !a.f.CookieScriptable, SameSite: a.sameSite()}
}

// setLoginCookies sets the session cookie, two decoys that are not the
// session (a theme read by JavaScript and a language preference) and, with
// MixedAuth, the second auth system's cookie.
func (a *app) setLoginCookies(w http.ResponseWriter, token string, m *member) {
	secure := !a.f.CookieNotSecure
	pref := int(preferenceLifetime / time.Second)
	life := int(a.lifetime() / time.Second)
	http.SetCookie(w, a.authCookie(a.sessionName(), token, life))
	http.SetCookie(w, &http.Cookie{Name: themeCookie, Value: "light", Path: "/", MaxAge: pref, Secure: secure, SameSite: a.sameSite()})
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: "en", Path: "/", MaxAge: pref, Secure: secure, HttpOnly: true, SameSite: a.sameSite()})
	if a.f.MixedAuth {
		http.SetCookie(w, a.authCookie(mixedCookie, a.mixedToken(m), life))
	}
}

// expireAuthCookies deletes the session cookie (and the MixedAuth one) in
// the browser.
func (a *app) expireAuthCookies(w http.ResponseWriter) {
	http.SetCookie(w, a.authCookie(a.sessionName(), "", -1))
	if a.f.MixedAuth {
		http.SetCookie(w, a.authCookie(mixedCookie, "", -1))
	}
}

// anonymousPageVisit reports whether the request is a page visit without
// a verifying session token: the NoSessionRotation flaw hands it one.
func (a *app) anonymousPageVisit(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	if strings.HasPrefix(r.URL.Path, "/api/") || strings.HasPrefix(r.URL.Path, "/static/") {
		return false
	}
	_, _, ok := a.presented(r)
	return !ok
}

// anonSessionWriter adds an anonymous session cookie (a JWT with a sid and
// no sub; the sid is not stored until a login attaches a member to it) to
// a response that sets no session cookie itself.
type anonSessionWriter struct {
	http.ResponseWriter
	a     *app
	wrote bool
}

// WriteHeader adds the cookie after the handler's own (pl_csrf first).
func (w *anonSessionWriter) WriteHeader(code int) {
	if !w.wrote {
		w.wrote = true
		if !setsCookie(w.Header(), w.a.sessionName()) {
			tok := w.a.sessionToken(nil, randomHex(16), time.Now())
			http.SetCookie(w.ResponseWriter, w.a.authCookie(w.a.sessionName(), tok, int(w.a.lifetime()/time.Second)))
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write sends the header first, as net/http does.
func (w *anonSessionWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the real writer.
func (w *anonSessionWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// setsCookie reports whether h already sets the named cookie.
func setsCookie(h http.Header, name string) bool {
	for _, line := range h.Values("Set-Cookie") {
		if strings.HasPrefix(line, name+"=") {
			return true
		}
	}
	return false
}
