package client

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/launchready/launchready/internal/config"
	"github.com/launchready/launchready/internal/inbox"
	"github.com/launchready/launchready/internal/page"
)

// MailLogin is a passwordless login through mail (auth.kind magic_link or
// email_otp): the member asks for a sign-in mail, and the scanner reads it
// from the inbox and follows its link or submits its code.
type MailLogin struct {
	// Path shows the request form; Action, when set, receives the POST.
	Path, Action string
	// Form maps fields to values with {{email}}.
	Form map[string]string
	// Link picks the sign-in link (magic_link): it gets the whole link and
	// its path.
	Link func(link, path string) bool
	// VerifyPath, VerifyAction and VerifyForm are where the code goes
	// (email_otp); VerifyForm holds {{code}}.
	VerifyPath, VerifyAction string
	VerifyForm               map[string]string
	// Code finds the code (one group); nil is inbox.Code's default search.
	Code *regexp.Regexp
	// Inbox is where the mail arrives; InboxName names it in errors.
	Inbox     inbox.Inbox
	InboxName string
	// Wait bounds the wait for the mail; Poll is the interval between
	// looks (default 500 ms).
	Wait, Poll time.Duration

	// mu serialises mail logins: two at once for one address could each
	// take the other's mail.
	mu sync.Mutex
}

// mailSlack allows for the mail server's clock being behind ours.
const mailSlack = 2 * time.Second

// loginByMail requests the sign-in mail, waits for it and uses it.
func (s *Sessions) loginByMail(ctx context.Context, sess *Session, creds Credentials, opts LoginOptions) error {
	m := s.cfg.Mail
	if m == nil || m.Inbox == nil {
		return fmt.Errorf("auth.kind is %s but no inbox is configured to read the sign-in mail from", s.cfg.Kind)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	since := time.Now().Add(-mailSlack)
	// Mail already there (an earlier login's, within the slack) is not this
	// login's: its link may be spent.
	seen := map[string]bool{}
	if old, err := m.Inbox.Find(ctx, inbox.Query{To: creds.Email, Since: since}); err == nil {
		for _, o := range old {
			seen[o.ID] = true
		}
	}
	if err := s.requestMail(ctx, sess, m, creds, opts); err != nil {
		return err
	}
	poll := m.Poll
	if poll <= 0 {
		poll = 500 * time.Millisecond
	}
	msg, err := inbox.Wait(ctx, unseen{m.Inbox, seen}, inbox.Query{To: creds.Email, Since: since}, m.Wait, poll)
	if err != nil {
		var te *inbox.TimeoutError
		if errors.As(err, &te) {
			return fmt.Errorf("no sign-in mail to %s arrived in %s within %s: %w", creds.Email, m.InboxName, m.Wait, err)
		}
		return fmt.Errorf("reading the sign-in mail to %s from %s: %w", creds.Email, m.InboxName, err)
	}
	if s.cfg.Kind == "email_otp" {
		return s.submitCode(ctx, sess, m, creds, msg)
	}
	return s.followLink(ctx, sess, m, msg)
}

// requestMail submits the form that asks for the mail.
func (s *Sessions) requestMail(ctx context.Context, sess *Session, m *MailLogin, creds Credentials, opts LoginOptions) error {
	pageURL := s.url(m.Path)
	if len(opts.Query) > 0 {
		pageURL += "?" + opts.Query.Encode()
	}
	values := url.Values{}
	for k, v := range m.Form {
		values.Set(k, fill(v, creds))
	}
	for k, v := range opts.Extra {
		values.Set(k, v)
	}
	action := ""
	if m.Action != "" {
		action = s.url(m.Action)
	}
	pageResp, submit, err := sess.SubmitForm(ctx, pageURL, action, values, false)
	sess.Login.Page, sess.Login.Submit = pageResp, submit
	if err != nil {
		return err
	}
	if submit.StatusCode >= 400 {
		return fmt.Errorf("asking for the sign-in mail: the form answered %d at %s", submit.StatusCode, submit.URL.Redacted())
	}
	return nil
}

// followLink follows the mail's sign-in link in the session's jar.
func (s *Sessions) followLink(ctx context.Context, sess *Session, m *MailLogin, msg *inbox.Message) error {
	link, ok := s.pickLink(inbox.Links(msg), m.Link)
	if !ok {
		return fmt.Errorf("the sign-in mail %q holds no link on the portal (in target.scope) matching auth.magic_link.link", msg.Subject)
	}
	s.redactLink(link)
	// Opened from the mail: a navigation no page started.
	resp, err := sess.Do(ctx, &Request{URL: link.String(), Follow: true, Browser: &Browser{}})
	if err != nil {
		return fmt.Errorf("following the sign-in link: %w", err)
	}
	sess.Login.Submit = resp
	if resp.StatusCode >= 400 {
		return fmt.Errorf("the sign-in link answered %d at %s: expired, already used or wrong", resp.StatusCode, s.client.redactor.Redact(resp.URL.String()))
	}
	if s.IsLoginURL(resp.URL) {
		return fmt.Errorf("the sign-in link led back to the login page (%s): expired, already used or wrong", s.client.redactor.Redact(resp.URL.String()))
	}
	return nil
}

// pickLink chooses the first in-scope link the matcher accepts, preferring
// the portal's own origin and skipping links no member clicks to sign in.
func (s *Sessions) pickLink(links []string, match func(link, path string) bool) (*url.URL, bool) {
	var fallback *url.URL
	for _, l := range links {
		u, err := url.Parse(l)
		if err != nil || !s.client.Scope().Allows(u) {
			continue
		}
		lower := strings.ToLower(u.Path)
		if strings.Contains(lower, "unsubscribe") || strings.Contains(lower, "logout") || strings.Contains(lower, "sign-out") {
			continue
		}
		if match != nil && !match(l, u.Path) {
			continue
		}
		if strings.EqualFold(u.Host, s.cfg.Origin.Host) && u.Scheme == s.cfg.Origin.Scheme {
			return u, true
		}
		if fallback == nil {
			fallback = u
		}
	}
	return fallback, fallback != nil
}

// redactLink masks the parts of a sign-in link that are its credential:
// long query values and a long last path segment.
func (s *Sessions) redactLink(u *url.URL) {
	for _, vs := range u.Query() {
		for _, v := range vs {
			if len(v) >= 12 {
				s.client.redactor.Add(v)
			}
		}
	}
	if seg := u.Path[strings.LastIndex(u.Path, "/")+1:]; len(seg) >= 16 {
		s.client.redactor.Add(seg)
	}
}

// submitCode reads the one-time code and submits it at the verify form.
func (s *Sessions) submitCode(ctx context.Context, sess *Session, m *MailLogin, creds Credentials, msg *inbox.Message) error {
	code, ok := inbox.Code(msg, m.Code)
	if !ok {
		how := "6 to 8 digits near a word like code or verification"
		if m.Code != nil {
			how = "auth.email_otp.code " + m.Code.String()
		}
		return fmt.Errorf("no one-time code (%s) found in the sign-in mail %q", how, msg.Subject)
	}
	s.client.redactor.AddSecret(code)
	values := url.Values{}
	for k, v := range m.VerifyForm {
		values.Set(k, strings.ReplaceAll(fill(v, creds), "{{code}}", code))
	}
	action := ""
	if m.VerifyAction != "" {
		action = s.url(m.VerifyAction)
	}
	_, submit, err := sess.SubmitForm(ctx, s.url(m.VerifyPath), action, values, false)
	if submit != nil {
		sess.Login.Submit = submit
	}
	if err != nil {
		return fmt.Errorf("submitting the one-time code: %w", err)
	}
	if submit.StatusCode >= 400 {
		return fmt.Errorf("the one-time code was refused: the verify form answered %d at %s", submit.StatusCode, submit.URL.Redacted())
	}
	if codeFormShown(submit, m.VerifyForm) {
		return fmt.Errorf("the verify form was shown again after submitting the code (status %d at %s): the code was refused or expired", submit.StatusCode, submit.URL.Redacted())
	}
	return nil
}

// codeFormShown reports whether resp shows a form with the code field
// again: the portal refused the code.
func codeFormShown(resp *Response, form map[string]string) bool {
	field := ""
	for k, v := range form {
		if strings.Contains(v, "{{code}}") {
			field = k
		}
	}
	for _, f := range page.Forms(resp.Body, resp.URL) {
		for _, in := range f.Fields {
			if in.Name == field {
				return true
			}
		}
	}
	return false
}

// unseen hides the messages that were in the inbox before the request.
type unseen struct {
	inbox.Inbox
	seen map[string]bool
}

// Find implements inbox.Inbox.
func (u unseen) Find(ctx context.Context, q inbox.Query) ([]inbox.Message, error) {
	msgs, err := u.Inbox.Find(ctx, q)
	out := msgs[:0:0]
	for _, m := range msgs {
		if !u.seen[m.ID] {
			out = append(out, m)
		}
	}
	return out, err
}

// loginKindsFromConfig fills in the Clerk and mail logins of lc; the mail
// logins read the scan's mailbox.
func loginKindsFromConfig(cfg *config.Config, c *Client, mb *Mailbox, lc *LoginConfig) error {
	a := cfg.Auth
	if k := a.Clerk; k != nil && a.Kind == "clerk" {
		c.redactor.AddSecret(k.SecretKey.Value)
		lc.Platform = &PlatformConfig{Kind: "clerk", ClerkAPI: k.APIURL, ClerkSecretKey: k.SecretKey.Value}
	}
	var m *MailLogin
	switch {
	case a.Kind == "magic_link" && a.MagicLink != nil:
		ml := a.MagicLink
		match, err := config.LinkMatcher(ml.Link)
		if err != nil {
			return fmt.Errorf("auth.magic_link.link: %w", err)
		}
		m = &MailLogin{Path: ml.Path, Action: ml.Action, Form: ml.Form, Link: match}
	case a.Kind == "email_otp" && a.EmailOTP != nil:
		o := a.EmailOTP
		re, err := config.CodePattern(o.Code)
		if err != nil {
			return fmt.Errorf("auth.email_otp.code: %w", err)
		}
		m = &MailLogin{Path: o.Path, Action: o.Action, Form: o.Form, Code: re,
			VerifyPath: o.Verify.Path, VerifyAction: o.Verify.Action, VerifyForm: o.Verify.Form}
	default:
		return nil
	}
	if mb == nil {
		return fmt.Errorf("auth.kind is %s but no auth.inbox is configured", a.Kind)
	}
	m.Inbox, m.InboxName, m.Wait = mb.Inbox, mb.Name, a.Inbox.Wait
	lc.Mail = m
	if lc.Path == "" {
		// The request form is the login page: a session sent back to it
		// has been lost.
		lc.Path = m.Path
	}
	return nil
}

var _ inbox.Inbox = unseen{}
