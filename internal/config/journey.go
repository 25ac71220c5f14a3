package config

import (
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// DefaultInboxWait bounds how long a verification or reset mail is awaited.
const DefaultInboxWait = 60 * time.Second

// DefaultCallMethod is the method of a JSON flow and of a call.
const DefaultCallMethod = "POST"

// applyJourneyDefaults fills in the signup, reset and inbox defaults.
func (c *Config) applyJourneyDefaults() {
	if s := c.Auth.Signup; s != nil && !s.None {
		if s.JSON != nil {
			defaultTo(c, "auth.signup.method", &s.Method, DefaultCallMethod)
		}
		s.Method = strings.ToUpper(s.Method)
		if d := s.Delete; d != nil && !d.None {
			defaultTo(c, "auth.signup.delete.method", &d.Method, DefaultLogoutMethod)
			d.Method = strings.ToUpper(d.Method)
		}
		if r := s.Request; r != nil {
			defaultTo(c, "auth.signup.request.method", &r.Method, DefaultCallMethod)
			r.Method = strings.ToUpper(r.Method)
		}
		if cf := s.Confirm; cf != nil {
			defaultTo(c, "auth.signup.confirm.method", &cf.Method, DefaultCallMethod)
			cf.Method = strings.ToUpper(cf.Method)
		}
	}
	if r := c.Auth.Reset; r != nil && !r.None {
		if r.JSON != nil {
			defaultTo(c, "auth.reset.method", &r.Method, DefaultCallMethod)
		}
		r.Method = strings.ToUpper(r.Method)
		if cf := r.Confirm; cf != nil {
			defaultTo(c, "auth.reset.confirm.method", &cf.Method, DefaultCallMethod)
			cf.Method = strings.ToUpper(cf.Method)
		}
	}
	if m := c.Me; m != nil {
		defaultTo(c, "accounts.me.method", &m.Method, "GET")
		m.Method = strings.ToUpper(m.Method)
		defaultTo(c, "accounts.me.id_field", &m.IDField, DefaultIDField)
	}
	if ib := c.Auth.Inbox; ib != nil {
		defaultTo(c, "auth.inbox.wait", &ib.Wait, DefaultInboxWait)
		if ib.Kind == "imap" {
			defaultTo(c, "auth.inbox.mailbox", &ib.Mailbox, "INBOX")
		}
	}
}

// validateJourney checks signup, reset and the inbox.
func (c *Config) validateJourney() error {
	a := &c.Auth
	if s := a.Signup; s != nil && !s.None {
		if err := c.validateSignup(s); err != nil {
			return err
		}
	}
	if r := a.Reset; r != nil && !r.None {
		if err := c.checkFlow("auth.reset", r.Path, r.Method, r.JSON, r.Form, "", PhEmail, PhTag); err != nil {
			return err
		}
		if cf := r.Confirm; cf != nil {
			if err := c.checkConfirm("auth.reset.confirm", cf, PhNewPassword, PhToken, PhNewPassword, PhEmail, PhTag); err != nil {
				return err
			}
		}
	}
	if a.Inbox != nil {
		return c.validateInbox(a.Inbox)
	}
	return nil
}

func (c *Config) validateSignup(s *Signup) error {
	if err := c.checkFlow("auth.signup", s.Path, s.Method, s.JSON, s.Form, PhPassword, signupFills...); err != nil {
		return err
	}
	if r := s.Request; r != nil {
		if err := c.checkCall("auth.signup.request", r, "", PhEmail, PhTag); err != nil {
			return err
		}
	}
	if cf := s.Confirm; cf != nil {
		if err := c.checkConfirm("auth.signup.confirm", cf, "", PhToken, PhEmail, PhTag); err != nil {
			return err
		}
	}
	d := s.Delete
	if d == nil || d.None {
		return nil
	}
	if d.Path == "" {
		return c.src.errKey("auth.signup.delete", `missing required key "path" (or write delete: none when members cannot delete their account)`)
	}
	if err := c.checkMemberPath("auth.signup.delete.path", d.Path); err != nil {
		return err
	}
	if err := c.checkMethod("auth.signup.delete.method", d.Method, "GET", "POST", "PUT", "PATCH", "DELETE"); err != nil {
		return err
	}
	body, err := c.oneBody("auth.signup.delete", d.JSON, d.Form)
	if err != nil || body == "" {
		return err
	}
	return c.checkCredentialFields("auth.signup.delete."+body, pick(body, d.JSON, d.Form), "", memberFills...)
}

// checkFlow checks a signup or reset: the page (form) or API path (json),
// the method (json only: a form goes the way its page says), and the
// fields' placeholders; a field named like a password must hold pw.
func (c *Config) checkFlow(key, path, method string, js, form map[string]string, pw string, allowed ...string) error {
	if err := c.checkPath(key+".path", path); err != nil {
		return err
	}
	body, err := c.oneBody(key, js, form)
	if err != nil {
		return err
	}
	if body != "json" && method != "" {
		return c.src.errKey(key+".method", "only a json flow takes a method; a form is submitted the way its page says")
	}
	if body == "json" {
		if err := c.checkMethod(key+".method", method, "POST", "PUT", "PATCH"); err != nil {
			return err
		}
	}
	return c.checkCredentialFields(key+"."+or(body, "form"), pick(body, js, form), pw, allowed...)
}

// checkCall checks a call's path, method and fields.
func (c *Config) checkCall(key string, cl *Call, pw string, allowed ...string) error {
	if err := c.checkPath(key+".path", cl.Path); err != nil {
		return err
	}
	if err := c.checkTemplate(key+".path", cl.Path, true, allowed...); err != nil {
		return err
	}
	if err := c.checkMethod(key+".method", cl.Method, "GET", "POST", "PUT", "PATCH"); err != nil {
		return err
	}
	body, err := c.oneBody(key, cl.JSON, cl.Form)
	if err != nil {
		return err
	}
	if body != "" && cl.Method == "GET" {
		return c.src.errKey(key, "a GET sends no body: put the fields in the path's query, or use POST")
	}
	return c.checkCredentialFields(key+"."+or(body, "json"), pick(body, cl.JSON, cl.Form), pw, allowed...)
}

// checkConfirm checks a confirm call: it must carry {{token}} (and the
// new password, when pw is set), and its token pattern one group.
func (c *Config) checkConfirm(key string, cf *Confirm, pw string, allowed ...string) error {
	cl := cf.Call()
	if err := c.checkCall(key, cl, pw, allowed...); err != nil {
		return err
	}
	needs := []string{PhToken}
	if pw != "" {
		needs = append(needs, pw)
	}
	for _, ph := range needs {
		if !strings.Contains(cl.Path, ph) && !fieldsHold(cl.JSON, ph) && !fieldsHold(cl.Form, ph) {
			return c.src.errKey(key, "needs %s in its path or a field", ph)
		}
	}
	if _, err := TokenPattern(cf.Token); err != nil {
		return c.src.errKey(key+".token", "%v", err)
	}
	return nil
}

// checkMethod refuses a method not in allowed.
func (c *Config) checkMethod(key, method string, allowed ...string) error {
	if contains(allowed, method) {
		return nil
	}
	return c.src.errKey(key, "want %s, got %q", listWords(allowed), method)
}

// TokenPattern compiles a confirm's token pattern, which must hold exactly
// one capturing group around the token; "" gives nil (the default: the
// link's token parameter, else its last path segment).
func TokenPattern(spec string) (*regexp.Regexp, error) {
	if spec == "" {
		return nil, nil
	}
	re, err := regexp.Compile(spec)
	if err != nil {
		return nil, fmt.Errorf("want a regular expression with one group around the token: %v", err)
	}
	if n := re.NumSubexp(); n != 1 {
		return nil, fmt.Errorf("want exactly one capturing group (…) around the token, got %d in %q", n, spec)
	}
	return re, nil
}

func fieldsHold(m map[string]string, ph string) bool {
	for _, v := range m {
		if strings.Contains(v, ph) {
			return true
		}
	}
	return false
}

// pick returns the fields of the body kind given.
func pick(body string, js, form map[string]string) map[string]string {
	if body == "json" {
		return js
	}
	return form
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func (c *Config) validateInbox(ib *Inbox) error {
	addr := strings.Replace(ib.Address, "{{tag}}", "tag", 1)
	if !strings.Contains(ib.Address, "{{tag}}") {
		return c.src.errKey("auth.inbox.address", "must contain {{tag}} so each account the scanner creates gets its own address, e.g. qa+{{tag}}@example.com")
	}
	if a, err := mail.ParseAddress(addr); err != nil || a.Address != addr {
		return c.src.errKey("auth.inbox.address", "want an email address with {{tag}} in it, like qa+{{tag}}@example.com, got %q", ib.Address)
	}
	if ib.Wait <= 0 {
		return c.src.errKey("auth.inbox.wait", "must be positive, like 60s")
	}
	var err error
	switch ib.Kind {
	case "builtin", "mailpit":
		err = c.validateMailpit(ib)
	case "imap":
		err = c.validateIMAP(ib)
	default:
		return c.src.errKey("auth.inbox.kind", "want builtin, mailpit or imap, got %q", ib.Kind)
	}
	if err != nil {
		return err
	}
	return c.checkInboxCA(ib)
}

// validateMailpit checks a Mailpit-shaped inbox: its REST API base URL,
// without credentials (basic auth goes in username and password, the
// password referenced like every secret), and both or neither of those.
func (c *Config) validateMailpit(ib *Inbox) error {
	u, err := url.Parse(ib.URL)
	if ib.URL == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return c.src.errKey("auth.inbox.url", "want the %s REST API base URL, like http://127.0.0.1:8025, got %s", ib.Kind, quoteURL(ib.URL))
	}
	if u.User != nil {
		// Do not echo it: the user info may hold a password.
		return c.src.errKey("auth.inbox.url", "must not hold a user name or password; for a Mailpit behind basic auth give auth.inbox.username and auth.inbox.password (the password as env:NAME or file:PATH)")
	}
	if ib.Username.Value != "" && ib.Password.Value == "" {
		return c.src.errKey("auth.inbox", `missing required key "password" for a %s inbox with a username (as env:NAME or file:PATH)`, ib.Kind)
	}
	if ib.Password.Value != "" && ib.Username.Value == "" {
		return c.src.errKey("auth.inbox", `missing required key "username" for a %s inbox with a password`, ib.Kind)
	}
	return nil
}

func (c *Config) validateIMAP(ib *Inbox) error {
	if _, port, err := net.SplitHostPort(ib.Host); err != nil || !validPort(port) {
		return c.src.errKey("auth.inbox.host", "want the IMAP server as host:port (implicit TLS, usually 993), got %q", ib.Host)
	}
	if ib.Username.Value == "" {
		return c.src.errKey("auth.inbox", `missing required key "username" for an imap inbox`)
	}
	if ib.Password.Value == "" {
		return c.src.errKey("auth.inbox", `missing required key "password" for an imap inbox (as env:NAME or file:PATH)`)
	}
	return nil
}

// checkInboxCA reads auth.inbox.ca_file, extra roots for the inbox's
// server (an https Mailpit or the IMAP server), and makes its path
// absolute.
func (c *Config) checkInboxCA(ib *Inbox) error {
	if ib.CAFile == "" {
		return nil
	}
	full, data, err := c.src.read(ib.CAFile)
	if err != nil {
		return c.src.errKey("auth.inbox.ca_file", "cannot read %s: %v", ib.CAFile, err)
	}
	if problem := pemProblem(data); problem != "" {
		return c.src.errKey("auth.inbox.ca_file", "%s %s", ib.CAFile, problem)
	}
	if abs, err := filepath.Abs(full); err == nil {
		ib.CAFile = abs
	}
	return nil
}
