package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/launchready/launchready/internal/page"
)

// LoginConfig says how members log in and how the session travels.
type LoginConfig struct {
	// Origin is the canonical origin (target.url).
	Origin *url.URL
	// Kind is "form" (HTML form POST) or "json".
	Kind string
	// Path shows the login form; Action, when set, receives the POST.
	Path, Action string
	// Form maps field names to values with {{email}} / {{password}}.
	Form map[string]string
	// Success is the page a member lands on after login ("" = first
	// protected page).
	Success string
	// Protected pages need a login; the first is used to verify one.
	Protected []string
	// SessionKind is "cookie" or "token"; token sessions read the JSON
	// field TokenFrom of the login response and send it in TokenHeader
	// after TokenPrefix.
	SessionKind, TokenFrom, TokenHeader, TokenPrefix string
	// Platform, when set, logs in through a backend-as-a-service Auth API
	// (Kind is then its name) and renews the token before it expires.
	Platform *PlatformConfig
	// Platforms are every configured backend-as-a-service project by kind
	// ("supabase", "firebase"), whatever Kind is: a portal with its own
	// login form may still hand its members a platform session for the
	// data API, which PlatformSession logs into.
	Platforms map[string]*PlatformConfig
	// Recorded holds each account's session recorded by hand, for Kind
	// "recorded".
	Recorded map[string]*RecordedLogin
	// Mail, for the magic_link and email_otp kinds, says how the sign-in
	// mail is requested, read and used.
	Mail *MailLogin
	// Me, when set, is how a member reads its own record: where
	// {{self.id}} comes from.
	Me *MeConfig
	// Admin, when set, is the admin account's own login (accounts.admin.login).
	Admin *AdminLogin
}

// AdminLogin is an administrator's own login: JSON sent straight to Path,
// or Form filled in on the login form at Path.
type AdminLogin struct {
	Path       string
	JSON, Form map[string]string
}

// Credentials are one test account's.
type Credentials struct {
	Email, Password string
	// Tag is the account's {{tag}}: the plus-address tag of an account
	// the scanner made; "" means the account's name.
	Tag string
}

// Session is one logged-in member: a cookie jar or a token, and the record
// of the login exchange.
type Session struct {
	Account string
	Email   string
	client  *Client
	jar     http.CookieJar
	token   string
	header  string
	// plat holds a platform session's renewable tokens; prefix goes
	// before its token in header.
	plat   *platformState
	prefix string
	// plainOK is set when the token was obtained over plain http (a portal
	// served without TLS): only then is it sent to an http:// URL.
	plainOK bool
	// member fills the placeholders of the member's own requests (nil
	// for an anonymous visitor).
	member *member
	// Login records how the session was obtained.
	Login LoginRecord
}

// LoginRecord is the evidence of a login.
type LoginRecord struct {
	// Page is the login page as fetched (nil for JSON logins).
	Page *Response
	// Submit is the credentials request and the chain it started.
	Submit *Response
	// Verified is the page fetched after login to prove access.
	Verified *Response
}

// Do sends a request as this member. Placeholders of the member's own
// ({{self.id}}, {{email}}, {{tag}}) left in the URL or body, as config
// paths and bodies hold them, are filled with this member's values.
func (s *Session) Do(ctx context.Context, req *Request) (*Response, error) {
	req, err := s.fill(ctx, req)
	if err != nil {
		return nil, err
	}
	token := s.token
	if s.plat != nil {
		tok, err := s.plat.current(ctx, s)
		if err != nil {
			return nil, err
		}
		if s.plat.cookie == "" { // a cookie session's token is in the jar
			token = s.prefix + tok
		}
	}
	if token != "" && !s.plainOK && strings.HasPrefix(strings.ToLower(req.URL), "http:") {
		// Obtained over https, never sent in cleartext.
		token = ""
	}
	if token != "" {
		r := *req
		r.Header = req.Header.Clone()
		if r.Header == nil {
			r.Header = http.Header{}
		}
		r.Header.Set(s.header, token)
		if s.plat != nil {
			if u, err := url.Parse(r.URL); err == nil {
				s.platformHeader(r.Header, u)
			}
		}
		req = &r
	}
	return s.client.DoWith(ctx, s.jar, req)
}

// SubmitForm opens pageURL in the session, finds the form with a password
// field (or, without one, the first form), and submits it as a browser
// does (FormSubmission: every hidden field, its submit button, values set
// over them, Origin and Referer of the page) to action ("" = the form's
// own action), following redirects.
func (s *Session) SubmitForm(ctx context.Context, pageURL, action string, values url.Values, needPassword bool) (pageResp, submit *Response, err error) {
	pageResp, err = s.Do(ctx, &Request{URL: pageURL, Follow: true, Browser: &Browser{}})
	if err != nil {
		return nil, nil, fmt.Errorf("fetching %s: %w", s.client.redactor.Redact(pageURL), err)
	}
	form, found := page.LoginForm(pageResp.Body, pageResp.URL)
	if !found && !needPassword {
		forms := page.Forms(pageResp.Body, pageResp.URL)
		if len(forms) > 0 {
			form, found = forms[0], true
		}
	}
	if !found && action == "" {
		return pageResp, nil, fmt.Errorf("no suitable form at %s (status %d); set the flow's action if the form is built by JavaScript",
			s.client.redactor.Redact(pageResp.URL.String()), pageResp.StatusCode)
	}
	submit, err = s.Submit(ctx, pageResp, form, values, action)
	return pageResp, submit, err
}

// Anonymous returns a session with an empty jar and no account: a new
// visitor who will sign up or reset a password.
func (s *Sessions) Anonymous() *Session {
	return &Session{client: s.client, jar: NewJar()}
}

// Token returns the bearer token of a token session ("" for cookies), as
// sent (with its prefix); a platform session's current one.
func (s *Session) Token() string {
	if s.plat != nil && s.plat.cookie == "" {
		s.plat.mu.Lock()
		defer s.plat.mu.Unlock()
		return s.prefix + s.plat.access
	}
	return s.token
}

// TokenHeader returns the header that carries the token (nil for cookies).
func (s *Session) TokenHeader() http.Header {
	tok := s.Token()
	if tok == "" {
		return nil
	}
	return http.Header{s.header: {tok}}
}

// Cookies returns the session's cookies for u.
func (s *Session) Cookies(u *url.URL) []*http.Cookie { return s.jar.Cookies(u) }

// Sessions logs each account in once and shares the session between checks.
type Sessions struct {
	client   *Client
	cfg      LoginConfig
	accounts map[string]Credentials

	mu      sync.Mutex
	entries map[string]*sessionEntry
	// created lists accounts the scanner made, in order, for clean-up.
	created []string
	// mailbox is auth.inbox's, nil when none is configured.
	mailbox *Mailbox
	// kept are the sessions clean-up deletes those accounts with.
	kept map[string]*Session
}

type sessionEntry struct {
	once sync.Once
	// done is closed when the login has ended, sess and err set.
	done chan struct{}
	sess *Session
	err  error
}

// NewSessions prepares shared logins; passwords are added to the client's
// redactor as configured secrets so they can never appear in output,
// whatever their length.
func NewSessions(c *Client, cfg LoginConfig, accounts map[string]Credentials) *Sessions {
	for _, a := range accounts {
		c.redactor.AddSecret(a.Password)
	}
	return &Sessions{client: c, cfg: cfg, accounts: accounts, entries: map[string]*sessionEntry{}}
}

// AddAccount registers an account the scanner created (created=true) or
// learnt, so it can log in; its password joins the redaction set.
func (s *Sessions) AddAccount(name string, c Credentials, created bool) {
	s.client.redactor.AddSecret(c.Password)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.accounts[name] = c
	if created {
		s.created = append(s.created, name)
	}
}

// Forget takes an account the scanner meant to create off the clean-up
// list: the portal refused it, so there is nothing to delete. It can still
// log in under its name (it never will).
func (s *Sessions) Forget(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.created = slices.DeleteFunc(s.created, func(n string) bool { return n == name })
}

// SetPassword records a changed password (after a reset).
func (s *Sessions) SetPassword(name, password string) {
	s.client.redactor.AddSecret(password)
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.accounts[name]
	c.Password = password
	s.accounts[name] = c
}

// Account returns an account's credentials.
func (s *Sessions) Account(name string) (Credentials, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.accounts[name]
	return c, ok
}

// Created lists the names of accounts the scanner created.
func (s *Sessions) Created() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.created...)
}

// Keep records the session clean-up deletes a created account with. The
// scan keeps one for each account before checks that send wrong passwords
// start, so a lockout they provoke cannot stop the deletion; a journey that
// ends the member's sessions (a password reset) keeps its next login.
func (s *Sessions) Keep(name string, sess *Session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.kept == nil {
		s.kept = map[string]*Session{}
	}
	s.kept[name] = sess
}

// Kept returns the session Keep recorded for the account, or nil.
func (s *Sessions) Kept(name string) *Session {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.kept[name]
}

// Get returns the account's shared session, logging in on first use. A
// failed login is remembered and returned to every caller. The login
// serves every check, so it is no one caller's: it goes on when the caller
// that started it stops, while a caller whose context ends stops waiting.
func (s *Sessions) Get(ctx context.Context, name string) (*Session, error) {
	s.mu.Lock()
	e, ok := s.entries[name]
	if !ok {
		e = &sessionEntry{done: make(chan struct{})}
		s.entries[name] = e
	}
	s.mu.Unlock()
	e.once.Do(func() {
		lctx := Shared(ctx)
		go func() {
			defer close(e.done)
			defer func() {
				if p := recover(); p != nil {
					e.sess, e.err = nil, fmt.Errorf("logging %s in panicked: %v", name, p)
				}
			}()
			e.sess, e.err = s.LoginWith(lctx, name, LoginOptions{shared: true})
			if e.err != nil {
				e.sess = nil
			}
		}()
	})
	select {
	case <-e.done:
		return e.sess, e.err
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting for %s's login: %w", name, context.Cause(ctx))
	}
}

// LoginOptions vary a fresh login for checks that probe the login itself.
type LoginOptions struct {
	// Query is added to the login page URL (e.g. next=…).
	Query url.Values
	// Extra fields are added to the submitted form or JSON body.
	Extra map[string]string
	// Plant seeds the jar before the login page is fetched, as an attacker
	// who fixed a victim's cookie would.
	Plant []*http.Cookie
	// shared marks the login Get shares between checks.
	shared bool
}

// Login performs a fresh login for the account, not shared.
func (s *Sessions) Login(ctx context.Context, name string) (*Session, error) {
	return s.LoginWith(ctx, name, LoginOptions{})
}

// LoginWith performs a fresh, unshared login with variations. On failure it
// returns the error and, when a request was made, the session holding the
// record of the attempt (never usable as a logged-in session).
func (s *Sessions) LoginWith(ctx context.Context, name string, opts LoginOptions) (*Session, error) {
	creds, ok := s.Account(name)
	if !ok {
		return nil, fmt.Errorf("no account %q in the config (accounts.%s)", name, name)
	}
	// Signing in is what a member's browser does: its POSTs to the
	// portal's and the platform's own endpoints need no consent.
	ctx = WithPurpose(ctx, SignIn)
	sess := s.newSession(name, creds)
	if len(opts.Plant) > 0 {
		sess.jar.SetCookies(s.cfg.Origin, opts.Plant)
	}
	var err error
	ownLogin := name == "admin" && s.cfg.Admin != nil && s.cfg.Kind != "recorded"
	switch a := s.cfg.Admin; {
	case ownLogin:
		// The admin logs in elsewhere (accounts.admin.login).
		if a.JSON != nil {
			err = s.loginJSON(ctx, sess, creds, opts, a.Path, "", a.JSON)
		} else {
			err = s.loginForm(ctx, sess, creds, opts, a.Path, "", a.Form)
		}
	case s.cfg.Kind == "json":
		err = s.loginJSON(ctx, sess, creds, opts, s.cfg.Path, s.cfg.Action, s.cfg.Form)
	case s.cfg.Kind == "supabase", s.cfg.Kind == "firebase":
		// Verified on the platform's own user endpoint: the portal's
		// pages are often rendered in the browser, 200 for anyone.
		err = s.loginPlatform(ctx, sess, creds, s.cfg.Platform)
	case s.cfg.Kind == "recorded":
		err = s.loginRecorded(ctx, sess, opts)
	case s.cfg.Kind == "clerk":
		err = s.loginClerk(ctx, sess, creds)
	case s.cfg.Kind == "magic_link", s.cfg.Kind == "email_otp":
		err = s.loginByMail(ctx, sess, creds, opts)
	default:
		err = s.loginForm(ctx, sess, creds, opts, s.cfg.Path, s.cfg.Action, s.cfg.Form)
	}
	if sess.Login.Submit != nil {
		// Whatever the login's answer sets is the session or part of it
		// (the checks later find which): masked from now on.
		for _, h := range sess.Login.Submit.Hops {
			s.client.learnCookies(h.Header, true)
		}
	}
	// The admin's own login is not verified on the members' protected
	// pages: the checks that use it prove what the admin sees.
	if err == nil && sess.plat == nil && sess.Login.Verified == nil && !ownLogin {
		err = s.verify(ctx, sess)
	}
	if err != nil {
		// The half-done session keeps its record: checks that probe the
		// login itself read the exchange even when it failed.
		return sess, fmt.Errorf("login as %s (%s): %w", name, creds.Email, err)
	}
	return sess, nil
}

func (s *Sessions) url(path string) string {
	u := *s.cfg.Origin
	ref, err := url.Parse(path)
	if err != nil {
		return u.String() + path
	}
	return u.ResolveReference(ref).String()
}

func fill(v string, c Credentials) string {
	return strings.NewReplacer("{{email}}", c.Email, "{{password}}", c.Password).Replace(v)
}

// newSession is a fresh session of the named account, not logged in yet.
func (s *Sessions) newSession(name string, creds Credentials) *Session {
	tag := creds.Tag
	if tag == "" {
		tag = name
	}
	return &Session{Account: name, Email: creds.Email, client: s.client, jar: NewJar(),
		member: &member{tag: tag, me: s.cfg.Me, origin: s.cfg.Origin}}
}

// loginForm fills in fields on the login form at path (posting to action
// when set) and submits it.
func (s *Sessions) loginForm(ctx context.Context, sess *Session, creds Credentials, opts LoginOptions, path, formAction string, fields map[string]string) error {
	pageURL := s.url(path)
	if len(opts.Query) > 0 {
		pageURL += "?" + opts.Query.Encode()
	}
	values := url.Values{}
	for k, v := range fields {
		values.Set(k, fill(v, creds))
	}
	for k, v := range opts.Extra {
		values.Set(k, v)
	}
	action := ""
	if formAction != "" {
		action = s.url(formAction)
	}
	pageResp, submit, err := sess.SubmitForm(ctx, pageURL, action, values, true)
	sess.Login.Page, sess.Login.Submit = pageResp, submit
	if err != nil {
		return err
	}
	if submit.StatusCode >= 400 {
		return fmt.Errorf("the login form answered %d at %s", submit.StatusCode, submit.URL.Redacted())
	}
	if page.HasPasswordInput(submit.Body) {
		return fmt.Errorf("the login form was shown again after submitting (status %d at %s): check the account's email and password", submit.StatusCode, submit.URL.Redacted())
	}
	return nil
}

// loginJSON posts the JSON login to action (else path), from the page at
// path when the login posts elsewhere, as that page's script does.
func (s *Sessions) loginJSON(ctx context.Context, sess *Session, creds Credentials, opts LoginOptions, path, action string, tmpl map[string]string) error {
	fields := map[string]string{}
	for k, v := range tmpl {
		fields[k] = fill(v, creds)
	}
	for k, v := range opts.Extra {
		fields[k] = v
	}
	body, _ := json.Marshal(fields) // a map of strings always marshals
	target := path
	if action != "" {
		target = action
	}
	loginURL := s.url(target)
	if len(opts.Query) > 0 {
		loginURL += "?" + opts.Query.Encode()
	}
	// The page's script sends it: from the login page when the login
	// posts elsewhere, else from the portal's front page.
	from := s.url("/")
	if action != "" {
		from = s.url(path)
	}
	submit, err := sess.Do(ctx, &Request{
		Method: http.MethodPost, URL: loginURL, Follow: true, Body: body, Browser: FromURL(from),
		Header: http.Header{"Content-Type": {"application/json"}, "Accept": {"application/json"}},
	})
	if err != nil {
		return fmt.Errorf("posting the JSON login: %w", err)
	}
	sess.Login.Submit = submit
	if submit.StatusCode >= 400 {
		return fmt.Errorf("the JSON login answered %d at %s", submit.StatusCode, submit.URL.Redacted())
	}
	if s.cfg.SessionKind != "token" {
		return nil
	}
	tok, err := jsonField(submit.Body, s.cfg.TokenFrom)
	if err != nil {
		return fmt.Errorf("reading the token from the login response field %q: %w", s.cfg.TokenFrom, err)
	}
	s.client.redactor.Add(tok)
	sess.token, sess.header = s.cfg.TokenPrefix+tok, s.cfg.TokenHeader
	sess.plainOK = submit.URL.Scheme == "http"
	return nil
}

// jsonField reads a string at a dotted path ("data.session.token").
func jsonField(body []byte, path string) (string, error) {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return "", fmt.Errorf("the response is not JSON: %w", err)
	}
	for _, key := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return "", fmt.Errorf("no object at %q", key)
		}
		if v, ok = m[key]; !ok {
			return "", fmt.Errorf("no field %q", key)
		}
	}
	tok, ok := v.(string)
	if !ok || tok == "" {
		return "", fmt.Errorf("the field is not a non-empty string")
	}
	return tok, nil
}

// verify proves the login worked: the success page (or the first protected
// page) must come back without a login form and without leaving for the
// login path.
func (s *Sessions) verify(ctx context.Context, sess *Session) error {
	p := s.cfg.Success
	if p == "" && len(s.cfg.Protected) > 0 {
		p = s.cfg.Protected[0]
	}
	if p == "" {
		return nil // nothing to verify against; the checks verify per page
	}
	req := &Request{URL: s.url(p), Follow: true}
	if sess.Login.Page != nil {
		// A login through a page: the member goes on from the page it
		// landed on. (A script's login reads an API, which a browser's
		// Accept would change.)
		req.Browser = FromPage(sess.Login.Submit)
	}
	resp, err := sess.Do(ctx, req)
	if err != nil {
		return fmt.Errorf("verifying the login at %s: %w", p, err)
	}
	sess.Login.Verified = resp
	if resp.StatusCode >= 400 || page.HasPasswordInput(resp.Body) || s.IsLoginURL(resp.URL) {
		return fmt.Errorf("after logging in, %s still refused access (status %d at %s)", p, resp.StatusCode, resp.URL.Redacted())
	}
	return nil
}

// IsLoginURL reports whether u is the login page.
func (s *Sessions) IsLoginURL(u *url.URL) bool {
	if u == nil || s.cfg.Path == "" {
		return false
	}
	return u.Host == s.cfg.Origin.Host && strings.TrimSuffix(u.Path, "/") == strings.TrimSuffix(s.cfg.Path, "/")
}

// Config returns the login configuration.
func (s *Sessions) Config() LoginConfig { return s.cfg }

// Mailbox returns the scan's inbox, built once with the sessions (nil when
// auth.inbox is not configured). Every reader of the mail uses this one:
// the signup and reset journeys and the mail logins.
func (s *Sessions) Mailbox() *Mailbox {
	if s == nil {
		return nil
	}
	return s.mailbox
}
