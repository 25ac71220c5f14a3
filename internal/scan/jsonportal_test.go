package scan

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
)

// jsonPortal is a small member portal whose login is a JSON API: POST
// /api/login {email, password} sets a session cookie and answers with a
// token; /account shows the member's data to a session; POST /api/logout
// ends it.
type jsonPortal struct {
	mu       sync.Mutex
	accounts map[string]string // email → password
	sessions map[string]string // session id → email
	n        int
}

func newJSONPortal(accounts map[string]string) *jsonPortal {
	return &jsonPortal{accounts: accounts, sessions: map[string]string{}}
}

func (p *jsonPortal) logins() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.n
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func (p *jsonPortal) member(r *http.Request) (string, bool) {
	c, err := r.Cookie("lr_sid")
	if err != nil {
		return "", false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	email, ok := p.sessions[c.Value]
	return email, ok
}

func (p *jsonPortal) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/api/login":
		p.login(w, r)
	case r.Method == http.MethodPost && r.URL.Path == "/api/logout":
		if c, err := r.Cookie("lr_sid"); err == nil {
			p.mu.Lock()
			delete(p.sessions, c.Value)
			p.mu.Unlock()
		}
		http.SetCookie(w, &http.Cookie{Name: "lr_sid", Path: "/", MaxAge: -1, Secure: true, HttpOnly: true})
		w.WriteHeader(http.StatusNoContent)
	case r.URL.Path == "/account":
		w.Header().Set("Content-Type", "application/json")
		email, ok := p.member(r)
		if !ok {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error":"login required"}`)
			return
		}
		json.NewEncoder(w).Encode(map[string]string{"email": email, "name": "Member " + email[:1], "plan": "Community Pro"})
	case r.URL.Path == "/":
		fmt.Fprint(w, `<html><head><title>Community</title></head><body><h1>Welcome</h1><a href="/login">Sign in</a></body></html>`)
	case r.URL.Path == "/login":
		fmt.Fprint(w, `<html><head><title>Sign in</title></head><body><div id="app">Sign in with the app</div></body></html>`)
	default:
		http.NotFound(w, r)
	}
}

func (p *jsonPortal) login(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	var in struct{ Email, Password string }
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"error":"bad request"}`)
		return
	}
	p.mu.Lock()
	want, ok := p.accounts[in.Email]
	if !ok || want != in.Password {
		p.mu.Unlock()
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"error":"invalid email or password"}`)
		return
	}
	sid := randomHex(16)
	p.sessions[sid] = in.Email
	p.n++
	p.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: "lr_sid", Value: sid, Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	json.NewEncoder(w).Encode(map[string]any{"ok": true, "access_token": randomHex(20), "user": map[string]string{"email": in.Email}})
}
