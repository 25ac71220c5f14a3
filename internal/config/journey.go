package config

import (
	"net"
	"net/mail"
	"net/url"
	"path/filepath"
	"strings"
	"time"
)

// DefaultInboxWait bounds how long a verification or reset mail is awaited.
const DefaultInboxWait = 60 * time.Second

// applyJourneyDefaults fills in the signup, reset and inbox defaults.
func (c *Config) applyJourneyDefaults() {
	if s := c.Auth.Signup; s != nil && !s.None {
		if d := s.Delete; d != nil && !d.None {
			defaultTo(c, "auth.signup.delete.method", &d.Method, DefaultLogoutMethod)
			d.Method = strings.ToUpper(d.Method)
		}
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
		if err := c.checkFlowForm("auth.signup", s.Path, s.Form); err != nil {
			return err
		}
		if d := s.Delete; d != nil && !d.None {
			if d.Path == "" {
				return c.src.errKey("auth.signup.delete", `missing required key "path" (or write delete: none when members cannot delete their account)`)
			}
			if err := c.checkPath("auth.signup.delete.path", d.Path); err != nil {
				return err
			}
		}
	}
	if r := a.Reset; r != nil && !r.None {
		if err := c.checkFlowForm("auth.reset", r.Path, r.Form); err != nil {
			return err
		}
	}
	if a.Inbox != nil {
		return c.validateInbox(a.Inbox)
	}
	return nil
}

func (c *Config) checkFlowForm(key, path string, form map[string]string) error {
	if err := c.checkPath(key+".path", path); err != nil {
		return err
	}
	for _, name := range keysByLine(c, key+".form", form) {
		if err := c.checkFormValue(key+".form."+name, name, form[name]); err != nil {
			return err
		}
	}
	return nil
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
