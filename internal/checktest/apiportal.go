package checktest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// APIPortal is a members portal that is a JSON API behind a single-page
// frontend, in PocketBase's shape (its documented Records and auth API):
// a signup creates an unverified member and mails nothing; a separate
// request asks for the verification mail, whose link opens the frontend
// at a hash route (#/auth/confirm-verification/TOKEN) whose script POSTs
// the token: opening the link verifies nothing. Logins answer {token,
// record}; the token goes back raw in Authorization. A member reads its
// own record at POST /api/users/refresh; notes must name their owner's
// id; the admin is a superuser who logs in elsewhere.
type APIPortal struct {
	// NoMailRequests makes the request for the verification mail answer
	// 429 (a mail throttle), so no member can verify.
	NoMailRequests bool

	mu      sync.Mutex
	base    string
	members map[string]*apiMember // by email
	tokens  map[string]string     // session token → email
	mailTok map[string]string     // verification or reset token → email
	notes   map[string]*apiNote   // by id
	n       int
	mail    *mailpitBox
	// headers records, per path, the value of the X-Gateway header the
	// requests there carried.
	headers map[string][]string
	// calls counts requests by "METHOD path".
	calls map[string]int
}

type apiNote struct{ owner, title string }

type apiMember struct {
	id, password, name string
	verified, admin    bool
}

// Start serves the portal over HTTPS and its inbox over HTTP on loopback,
// and returns the YAML of the whole config: target (with a target header
// X-Gateway), the JSON login, signup (with request, confirm and delete),
// reset (with confirm), accounts.me, the admin's own login, a notes
// object whose create names {{self.id}}, and a profile at
// /api/users/{{self.id}}.
func (p *APIPortal) Start(t testing.TB) string {
	t.Helper()
	p.members, p.tokens, p.mailTok, p.notes = map[string]*apiMember{}, map[string]string{}, map[string]string{}, map[string]*apiNote{}
	p.headers, p.calls = map[string][]string{}, map[string]int{}
	p.mail = &mailpitBox{}
	box := httptest.NewServer(p.mail)
	t.Cleanup(box.Close)
	srv, target := TLSServer(t, p)
	p.mu.Lock()
	p.base = srv.URL
	p.members["a@portal.test"] = &apiMember{id: "aaaaaaaaaaaaaaa", password: Password, verified: true, name: "Alice"}
	p.members["b@portal.test"] = &apiMember{id: "bbbbbbbbbbbbbbb", password: Password, verified: true, name: "Bob"}
	p.members["admin@portal.test"] = &apiMember{id: "sssssssssssssss", password: Password, verified: true, admin: true}
	p.mu.Unlock()
	target = strings.Replace(target, "target:\n", "target:\n  headers: {X-Gateway: env:GATEWAY}\n", 1)
	return target + `auth:
  kind: json
  login: {path: /api/users/login, json: {identity: "{{email}}", password: "{{password}}"}}
  logout: {kind: client}
  protected: ["/api/users/{{self.id}}"]
  signup:
    path: /api/users
    json: {email: "{{email}}", password: "{{password}}", passwordConfirm: "{{password}}", name: "{{tag}}"}
    verify: true
    request: {path: /api/users/request-verification, json: {email: "{{email}}"}}
    confirm: {path: /api/users/confirm-verification, json: {token: "{{token}}"}}
    delete: {path: "/api/users/{{self.id}}", method: DELETE}
  reset:
    path: /api/users/request-password-reset
    json: {email: "{{email}}"}
    confirm: {path: /api/users/confirm-password-reset, json: {token: "{{token}}", password: "{{new_password}}", passwordConfirm: "{{new_password}}"}}
  inbox: {kind: mailpit, url: ` + box.URL + `, address: "qa+{{tag}}@portal.test", wait: 5s}
session: {kind: token, from: token, header: Authorization, prefix: ""}
accounts:
  me: {path: /api/users/refresh, method: POST, id_field: record.id}
  a: {email: a@portal.test, password: env:A}
  b: {email: b@portal.test, password: env:B}
  admin:
    email: admin@portal.test
    password: env:ADMIN
    login: {path: /api/admins/login, json: {identity: "{{email}}", password: "{{password}}"}}
objects:
  - name: notes
    item: "/api/notes/{id}"
    create: {path: /api/notes, json: {owner: "{{self.id}}", title: "{{canary}}"}}
    update: {path: "/api/notes/{id}", json: {title: "{{canary}}"}}
    delete: {path: "/api/notes/{id}"}
admin: [/api/settings]
profile: {path: "/api/users/{{self.id}}", json: {name: "{{canary}}"}}
`
}

// Notes counts the notes that exist.
func (p *APIPortal) Notes() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.notes)
}

// Member reports whether email is a member and whether it is verified.
func (p *APIPortal) Member(email string) (exists, verified bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	m := p.members[email]
	return m != nil, m != nil && m.verified
}

// Calls counts the requests received whose "METHOD path" starts with
// prefix.
func (p *APIPortal) Calls(prefix string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for k, c := range p.calls {
		if strings.HasPrefix(k, prefix) {
			n += c
		}
	}
	return n
}

// Headers returns every X-Gateway value the portal received, in order.
func (p *APIPortal) Headers() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, vs := range p.headers {
		out = append(out, vs...)
	}
	return out
}

// Mailbox returns the X-Gateway values the inbox received (none, ever).
func (p *APIPortal) Mailbox() []string { return p.mail.gateway() }

// ServeHTTP implements http.Handler.
func (p *APIPortal) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls[r.Method+" "+r.URL.Path]++
	p.headers[r.URL.Path] = append(p.headers[r.URL.Path], r.Header.Get("X-Gateway"))
	if strings.HasPrefix(r.URL.Path, "/api/") && r.Header.Get("X-Gateway") != "gateway-secret" {
		apiError(w, http.StatusUnauthorized, "The gateway key is missing.")
		return
	}
	var in map[string]string
	if r.Body != nil && strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		_ = json.NewDecoder(r.Body).Decode(&in)
	}
	me := p.members[p.tokens[r.Header.Get("Authorization")]]
	switch id, rec := strings.CutPrefix(r.URL.Path, "/api/users/"); {
	case r.URL.Path == "/" || strings.HasPrefix(r.URL.Path, "/_/"):
		// The frontend: a shell its script fills in; a link's hash route
		// is never sent to the server.
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<html><body><div id="app">Loading…</div><script src="/app.js"></script></body></html>`)
	case r.Method == http.MethodPost && r.URL.Path == "/api/users":
		p.signup(w, in)
	case r.Method == http.MethodPost && r.URL.Path == "/api/users/request-verification" && p.NoMailRequests:
		apiError(w, http.StatusTooManyRequests, "Too many requests.")
	case r.Method == http.MethodPost && r.URL.Path == "/api/users/request-verification":
		if m := p.members[in["email"]]; m != nil && !m.verified {
			p.mailLink(in["email"], "Verify your email", "confirm-verification")
		}
		w.WriteHeader(http.StatusNoContent)
	case r.Method == http.MethodPost && r.URL.Path == "/api/users/confirm-verification":
		m := p.members[p.mailTok[in["token"]]]
		if m == nil {
			apiError(w, http.StatusBadRequest, "Invalid or expired verification token.")
			return
		}
		m.verified = true
		delete(p.mailTok, in["token"])
		w.WriteHeader(http.StatusNoContent)
	case r.Method == http.MethodPost && r.URL.Path == "/api/users/request-password-reset":
		if p.members[in["email"]] != nil {
			p.mailLink(in["email"], "Reset your password", "confirm-password-reset")
		}
		w.WriteHeader(http.StatusNoContent)
	case r.Method == http.MethodPost && r.URL.Path == "/api/users/confirm-password-reset":
		email := p.mailTok[in["token"]]
		if p.members[email] == nil || in["password"] == "" || in["password"] != in["passwordConfirm"] {
			apiError(w, http.StatusBadRequest, "Invalid or expired password reset token.")
			return
		}
		p.members[email].password = in["password"]
		delete(p.mailTok, in["token"])
		w.WriteHeader(http.StatusNoContent)
	case r.Method == http.MethodPost && (r.URL.Path == "/api/users/login" || r.URL.Path == "/api/admins/login"):
		p.login(w, in, r.URL.Path == "/api/admins/login")
	case r.Method == http.MethodPost && r.URL.Path == "/api/users/refresh":
		if me == nil || me.admin {
			apiError(w, http.StatusUnauthorized, "The request requires valid record authorization token.")
			return
		}
		writeJSON(w, map[string]any{"token": r.Header.Get("Authorization"), "record": p.record(me)})
	case rec:
		p.user(w, r, me, id, in)
	case r.URL.Path == "/api/settings":
		if me == nil || !me.admin {
			apiError(w, http.StatusForbidden, "Only superusers can perform this action.")
			return
		}
		writeJSON(w, map[string]any{"meta": map[string]string{"appName": "Members", "smtpHost": "mail.internal.example"}})
	case strings.HasPrefix(r.URL.Path, "/api/notes"):
		p.note(w, r, me, in)
	default:
		apiError(w, http.StatusNotFound, "The requested resource wasn't found.")
	}
}

func (p *APIPortal) signup(w http.ResponseWriter, in map[string]string) {
	switch {
	case in["email"] == "" || len(in["password"]) < 8 || in["password"] != in["passwordConfirm"]:
		apiError(w, http.StatusBadRequest, "Failed to create record.")
		return
	case p.members[in["email"]] != nil:
		apiError(w, http.StatusBadRequest, "Value must be unique.")
		return
	}
	p.n++
	m := &apiMember{id: fmt.Sprintf("new%012d", p.n), password: in["password"], name: in["name"]}
	p.members[in["email"]] = m
	writeJSON(w, p.record(m))
}

// mailLink mails a link to the frontend's hash route for a token.
func (p *APIPortal) mailLink(email, subject, route string) {
	tok := randomHex()
	p.mailTok[tok] = email
	link := p.base + "/_/#/auth/" + route + "/" + tok
	p.mail.send(email, subject, "Open "+link, `<p><a href="`+link+`">Open</a></p>`)
}

func (p *APIPortal) login(w http.ResponseWriter, in map[string]string, admin bool) {
	m := p.members[in["identity"]]
	switch {
	case m == nil || m.password != in["password"] || m.admin != admin:
		apiError(w, http.StatusBadRequest, "Failed to authenticate.")
	case !m.verified:
		apiError(w, http.StatusForbidden, "The request doesn't satisfy the collection requirements to authenticate.")
	default:
		tok := "tok" + randomHex()
		p.tokens[tok] = in["identity"]
		writeJSON(w, map[string]any{"token": tok, "record": p.record(m)})
	}
}

func (p *APIPortal) record(m *apiMember) map[string]any {
	for email, x := range p.members {
		if x == m {
			return map[string]any{"id": m.id, "email": email, "name": m.name, "verified": m.verified}
		}
	}
	return nil
}

// user serves /api/users/ID: a member reads, updates and deletes only
// its own record.
func (p *APIPortal) user(w http.ResponseWriter, r *http.Request, me *apiMember, id string, in map[string]string) {
	if me == nil || me.id != id {
		apiError(w, http.StatusNotFound, "The requested resource wasn't found.")
		return
	}
	switch r.Method {
	case http.MethodGet:
		writeJSON(w, p.record(me))
	case http.MethodPatch:
		if n, ok := in["name"]; ok {
			me.name = n
		}
		writeJSON(w, p.record(me))
	case http.MethodDelete:
		for email, x := range p.members {
			if x == me {
				delete(p.members, email)
			}
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		apiError(w, http.StatusMethodNotAllowed, "Method not allowed.")
	}
}

// note serves /api/notes: a new note must name its creator as owner;
// only the owner reads, updates or deletes it.
func (p *APIPortal) note(w http.ResponseWriter, r *http.Request, me *apiMember, in map[string]string) {
	if me == nil {
		apiError(w, http.StatusUnauthorized, "The request requires valid record authorization token.")
		return
	}
	if r.URL.Path == "/api/notes" && r.Method == http.MethodPost {
		if in["owner"] != me.id {
			apiError(w, http.StatusBadRequest, "Failed to create record.")
			return
		}
		p.n++
		id := fmt.Sprintf("note%011d", p.n)
		p.notes[id] = &apiNote{owner: me.id, title: in["title"]}
		writeJSON(w, map[string]any{"id": id, "owner": me.id, "title": in["title"]})
		return
	}
	id := strings.TrimPrefix(r.URL.Path, "/api/notes/")
	n := p.notes[id]
	if n == nil || n.owner != me.id {
		apiError(w, http.StatusNotFound, "The requested resource wasn't found.")
		return
	}
	switch r.Method {
	case http.MethodDelete:
		delete(p.notes, id)
		w.WriteHeader(http.StatusNoContent)
		return
	case http.MethodPatch:
		if t, ok := in["title"]; ok {
			n.title = t
		}
	}
	writeJSON(w, map[string]any{"id": id, "owner": n.owner, "title": n.title})
}

func apiError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"code": status, "message": msg, "data": map[string]any{}})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
