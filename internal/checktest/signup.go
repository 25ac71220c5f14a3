package checktest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// Confirm pages a SignupPortal's verification link can open.
const (
	// ConfirmOnGet verifies the address on the link's GET.
	ConfirmOnGet = ""
	// ConfirmForm shows "Confirm your email": a one-button form that POSTs
	// the token in a hidden field back to the link's URL; the GET alone
	// verifies nothing (as allauth's ACCOUNT_CONFIRM_EMAIL_ON_GET=False).
	ConfirmForm = "form"
	// ConfirmFormAgain shows the ConfirmForm page, and shows it again
	// after its POST without verifying anything: a scanner that submits
	// until the form goes away never stops.
	ConfirmFormAgain = "again"
	// ConfirmOnlyUnsubscribe shows a page whose only forms cancel the
	// account and unsubscribe from mail: neither may be submitted.
	ConfirmOnlyUnsubscribe = "unsubscribe"
)

// SignupPortal is a member portal built the way a real framework builds
// one, Django's defaults: every form carries a CSRF token in a hidden
// field matching a csrftoken cookie, and a POST over HTTPS whose Origin is
// not the portal's, or that has no Origin and no same-origin Referer, is
// refused 403 (CsrfViewMiddleware). Its forms also carry a hidden field
// that is not a CSRF token (next) and a named submit button, both of
// which the POST must bring back. Signup mails a verification link to a
// Mailpit-shaped inbox; an unverified member cannot log in.
type SignupPortal struct {
	// Confirm says what the verification link opens (ConfirmOnGet,
	// ConfirmForm, ConfirmFormAgain, ConfirmOnlyUnsubscribe).
	Confirm string
	// Lax accepts any POST with the right CSRF token: without Origin or
	// Referer, and without the hidden next field or the submit button.
	Lax bool

	mu       sync.Mutex
	base     string
	members  map[string]*signupMember // by email
	tokens   map[string]string        // verification token → email
	sessions map[string]string        // session cookie → email
	// Refused lists the POSTs refused for their Origin or Referer, as
	// "path: reason".
	refused []string
	// posts counts POSTs by path.
	posts map[string]int
	mail  *mailpitBox
}

type signupMember struct {
	password   string
	verified   bool
	cancelled  bool
	subscribed bool
}

// Start serves the portal over HTTPS and its inbox over HTTP on loopback,
// and returns the YAML of target, auth (login, signup with verification
// and deletion, inbox, protected) and accounts for them.
func (p *SignupPortal) Start(t testing.TB) string {
	t.Helper()
	p.members, p.tokens, p.sessions, p.posts = map[string]*signupMember{}, map[string]string{}, map[string]string{}, map[string]int{}
	p.mail = &mailpitBox{}
	box := httptest.NewServer(p.mail)
	t.Cleanup(box.Close)
	srv, target := TLSServer(t, p)
	p.mu.Lock()
	p.base = srv.URL
	p.members["a@portal.test"] = &signupMember{password: Password, verified: true}
	p.members["b@portal.test"] = &signupMember{password: Password, verified: true}
	p.mu.Unlock()
	return target + `auth:
  login: {path: /login, form: {email: "{{email}}", password: "{{password}}"}, success: /dashboard}
  signup: {path: /signup, form: {email: "{{email}}", password: "{{password}}"}, verify: true, delete: {path: /account/delete}}
  inbox: {kind: mailpit, url: ` + box.URL + `, address: "qa+{{tag}}@portal.test", wait: 5s}
  protected: [/dashboard]
accounts:
  a: {email: a@portal.test, password: env:A}
  b: {email: b@portal.test, password: env:B}
`
}

// Refused returns the POSTs refused for a missing or foreign Origin or
// Referer.
func (p *SignupPortal) Refused() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.refused...)
}

// Posts counts the POSTs received at path.
func (p *SignupPortal) Posts(path string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.posts[path]
}

// Members counts the members.
func (p *SignupPortal) Members() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.members)
}

// Member reports whether email is a member, verified, cancelled or still
// subscribed to mail.
func (p *SignupPortal) Member(email string) (exists, verified, cancelled, subscribed bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	m := p.members[email]
	if m == nil {
		return false, false, false, false
	}
	return true, m.verified, m.cancelled, m.subscribed
}

// ServeHTTP implements http.Handler.
func (p *SignupPortal) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if r.Method == http.MethodPost {
		p.posts[r.URL.Path]++
		if why := p.csrf(r); why != "" {
			http.Error(w, "Forbidden (403)\nCSRF verification failed. Request aborted.\n"+why, http.StatusForbidden)
			return
		}
	}
	csrf := p.csrfCookie(w, r)
	switch {
	case r.URL.Path == "/signup" && r.Method == http.MethodGet:
		fmt.Fprint(w, p.form("/signup", "Create your account", csrf, `<input type=email name=email><input type=password name=password>`, "signup", "Create account"))
	case r.URL.Path == "/signup":
		p.signup(w, r)
	case r.URL.Path == "/signup/done":
		fmt.Fprint(w, `<html><body><p>Check your mail to confirm your address.</p></body></html>`)
	case r.URL.Path == "/login" && r.Method == http.MethodGet:
		fmt.Fprint(w, p.form("/login", "Sign in", csrf, `<input type=email name=email><input type=password name=password>`, "login", "Sign in"))
	case r.URL.Path == "/login":
		p.login(w, r, csrf)
	case r.URL.Path == "/verify":
		p.verify(w, r, csrf)
	case r.URL.Path == "/account/cancel", r.URL.Path == "/mail/unsubscribe":
		if m := p.members[p.tokens[r.PostFormValue("token")]]; m != nil && r.Method == http.MethodPost {
			m.cancelled = m.cancelled || r.URL.Path == "/account/cancel"
			m.subscribed = m.subscribed && r.URL.Path != "/mail/unsubscribe"
		}
		fmt.Fprint(w, "<p>Done.</p>")
	case r.URL.Path == "/dashboard":
		email := p.member(r)
		if email == "" {
			http.Redirect(w, r, "/login?next=/dashboard", http.StatusFound)
			return
		}
		fmt.Fprintf(w, `<html><body><h1>Dashboard</h1><p>Signed in as %s</p><p>Plan: Community Pro</p><p>Card ending 4242</p>%s</body></html>`,
			html.EscapeString(email), p.form("/account/delete", "", csrf, "", "delete", "Delete my account"))
	case r.URL.Path == "/account/delete" && r.Method == http.MethodPost:
		if email := p.member(r); email != "" {
			delete(p.members, email)
		}
		http.Redirect(w, r, "/", http.StatusSeeOther)
	case r.URL.Path == "/":
		fmt.Fprint(w, `<html><body><h1>Welcome</h1><a href="/login">Sign in</a></body></html>`)
	default:
		http.NotFound(w, r)
	}
}

// csrf is Django's CsrfViewMiddleware for a POST: a foreign Origin is
// refused; over HTTPS without Origin, a missing or foreign Referer is
// refused; then the token field must match the cookie. It returns why a
// request is refused, "" when it passes.
func (p *SignupPortal) csrf(r *http.Request) string {
	origin := "https://" + r.Host
	if !p.Lax {
		why := ""
		switch o := r.Header.Get("Origin"); {
		case o != "" && o != origin:
			why = fmt.Sprintf("Origin checking failed - %s does not match any trusted origins.", o)
		case o == "" && r.Header.Get("Referer") == "":
			why = "Referer checking failed - no Referer."
		case o == "" && !strings.HasPrefix(r.Header.Get("Referer"), origin+"/"):
			why = "Referer checking failed - " + r.Header.Get("Referer") + " does not match any trusted origins."
		}
		if why != "" {
			p.refused = append(p.refused, r.URL.Path+": "+why)
			return why
		}
	}
	c, err := r.Cookie("csrftoken")
	if err != nil || c.Value == "" || r.PostFormValue("csrfmiddlewaretoken") != c.Value {
		return "CSRF token missing or incorrect."
	}
	return ""
}

// csrfCookie returns the request's CSRF cookie, setting a new one when it
// has none.
func (p *SignupPortal) csrfCookie(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie("csrftoken"); err == nil && c.Value != "" {
		return c.Value
	}
	v := randomHex()
	http.SetCookie(w, &http.Cookie{Name: "csrftoken", Value: v, Path: "/", Secure: true, SameSite: http.SameSiteLaxMode})
	return v
}

// form renders a POST form with the CSRF token, a hidden next field and a
// named submit button.
func (p *SignupPortal) form(action, title, csrf, inputs, button, text string) string {
	return fmt.Sprintf(`<html><body><h1>%s</h1><form method="post" action="%s"><input type="hidden" name="csrfmiddlewaretoken" value="%s"><input type="hidden" name="next" value="/dashboard">%s<button type="submit" name="action" value="%s">%s</button></form></body></html>`,
		title, action, csrf, inputs, button, text)
}

// complete reports whether a POST brought back the form's hidden next
// field and its submit button, as a browser does.
func (p *SignupPortal) complete(r *http.Request, button string) bool {
	return p.Lax || r.PostFormValue("next") == "/dashboard" && r.PostFormValue("action") == button
}

func (p *SignupPortal) signup(w http.ResponseWriter, r *http.Request) {
	email := r.PostFormValue("email")
	if !p.complete(r, "signup") || email == "" || r.PostFormValue("password") == "" || p.members[email] != nil {
		http.Error(w, "the signup form came back incomplete or the address is taken", http.StatusBadRequest)
		return
	}
	token := randomHex()
	p.members[email] = &signupMember{password: r.PostFormValue("password"), subscribed: true}
	p.tokens[token] = email
	link := p.base + "/verify?key=" + token
	p.mail.send(email, "Confirm your email address",
		"Welcome! Confirm your address: "+link+"\n\nUnsubscribe: "+p.base+"/mail/unsubscribe",
		`<p>Welcome! <a href="`+link+`">Confirm your address</a></p>`)
	http.Redirect(w, r, "/signup/done", http.StatusSeeOther)
}

func (p *SignupPortal) login(w http.ResponseWriter, r *http.Request, csrf string) {
	m := p.members[r.PostFormValue("email")]
	if !p.complete(r, "login") || m == nil || m.password != r.PostFormValue("password") || !m.verified {
		fmt.Fprint(w, p.form("/login", "Sign in failed (is your address verified?)", csrf, `<input type=email name=email><input type=password name=password>`, "login", "Sign in"))
		return
	}
	sid := randomHex()
	p.sessions[sid] = r.PostFormValue("email")
	http.SetCookie(w, &http.Cookie{Name: "sessionid", Value: sid, Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/dashboard", http.StatusFound)
}

// verify answers the verification link as Confirm says.
func (p *SignupPortal) verify(w http.ResponseWriter, r *http.Request, csrf string) {
	token := r.URL.Query().Get("key")
	if r.Method == http.MethodPost {
		token = r.PostFormValue("key")
	}
	email, ok := p.tokens[token]
	if !ok {
		http.Error(w, "This confirmation link expired or is invalid.", http.StatusNotFound)
		return
	}
	switch {
	case p.Confirm == ConfirmOnGet || r.Method == http.MethodPost && p.Confirm == ConfirmForm:
		p.members[email].verified = true
		fmt.Fprint(w, `<html><body><p>Your address is confirmed.</p><a href="/login">Sign in</a></body></html>`)
	case p.Confirm == ConfirmForm || p.Confirm == ConfirmFormAgain:
		fmt.Fprintf(w, `<html><body><h1>Confirm your email</h1><p>Please confirm that %s is your address.</p><form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="%s"><input type="hidden" name="key" value="%s"><button type="submit">Confirm</button></form></body></html>`,
			html.EscapeString(email), csrf, token)
	default:
		fmt.Fprintf(w, `<html><body><h1>Your account</h1><form method="post" action="/account/cancel"><input type="hidden" name="csrfmiddlewaretoken" value="%[1]s"><input type="hidden" name="token" value="%[2]s"><button>Cancel my account</button></form><form method="post" action="/mail/unsubscribe" id="opt-out"><input type="hidden" name="csrfmiddlewaretoken" value="%[1]s"><input type="hidden" name="token" value="%[2]s"><input type="submit" value="Opt-Out of all e-mails"></form></body></html>`,
			csrf, token)
	}
}

// member returns the logged-in member's email, "" for none.
func (p *SignupPortal) member(r *http.Request) string {
	c, err := r.Cookie("sessionid")
	if err != nil {
		return ""
	}
	email := p.sessions[c.Value]
	if p.members[email] == nil {
		return ""
	}
	return email
}

func randomHex() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b)
}

// mailpitBox is a Mailpit-shaped REST API over an in-memory list: the
// search and message endpoints the mailpit inbox kind reads.
type mailpitBox struct {
	mu   sync.Mutex
	msgs []mailpitMsg
	// gateways are the X-Gateway headers requests to the box carried (a
	// target's header must never reach it).
	gateways []string
}

// gateway returns the X-Gateway headers the box received.
func (b *mailpitBox) gateway() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.gateways...)
}

type mailpitMsg struct {
	ID, To, Subject, Text, HTML string
	Created                     time.Time
}

func (b *mailpitBox) send(to, subject, text, html string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.msgs = append(b.msgs, mailpitMsg{ID: fmt.Sprintf("m%d", len(b.msgs)+1), To: to, Subject: subject, Text: text, HTML: html, Created: time.Now()})
}

func (b *mailpitBox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if g := r.Header.Get("X-Gateway"); g != "" {
		b.gateways = append(b.gateways, g)
	}
	addr := func(a string) []map[string]string { return []map[string]string{{"Name": "", "Address": a}} }
	switch id, isMsg := strings.CutPrefix(r.URL.Path, "/api/v1/message/"); {
	case r.URL.Path == "/api/v1/search":
		to := strings.Trim(strings.TrimPrefix(r.URL.Query().Get("query"), "to:"), `"`)
		list := []map[string]any{}
		for i := len(b.msgs) - 1; i >= 0; i-- {
			if m := b.msgs[i]; strings.EqualFold(m.To, to) {
				list = append(list, map[string]any{"ID": m.ID, "To": addr(m.To), "Subject": m.Subject, "Created": m.Created.Format(time.RFC3339Nano)})
			}
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"messages": list})
	case isMsg:
		for _, m := range b.msgs {
			if m.ID == id {
				_ = json.NewEncoder(w).Encode(map[string]any{"ID": m.ID, "From": map[string]string{"Address": "no-reply@portal.test"},
					"To": addr(m.To), "Subject": m.Subject, "Date": m.Created.Format(time.RFC3339Nano), "Text": m.Text, "HTML": m.HTML})
				return
			}
		}
		http.NotFound(w, r)
	default:
		http.NotFound(w, r)
	}
}
