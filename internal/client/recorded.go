package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/launchready/launchready/internal/config"
	"github.com/launchready/launchready/internal/page"
	"github.com/launchready/launchready/internal/recorded"
)

// RecordedLogin is one account's session recorded by hand with
// `launchready login --record`.
type RecordedLogin struct {
	// File is the session file as the config names it (for messages and
	// the re-record command).
	File string
	// Recording is its content, read at config load.
	Recording *recorded.Recording
}

// ErrRecordedFresh is returned by Login and LoginWith for an account whose
// session was recorded by hand: the scanner cannot sign in afresh, and
// reusing the recording for a check that logs out would end it for every
// other check. Sessions.Get returns the recorded session.
var ErrRecordedFresh error = freshLoginError{}

// freshLoginError is ErrRecordedFresh. A check stopped by it is SKIP,
// not ERROR: nothing broke, the config's login kind cannot give it a
// fresh login.
type freshLoginError struct{}

func (freshLoginError) Error() string { return "no fresh login with a recorded session" }

// SkipReason says why a check that needed a fresh login did not run and
// what would let it.
func (freshLoginError) SkipReason() (reason, enable string) {
	return "the check logs in afresh (and may log out), which a session recorded by hand (auth.kind recorded) cannot do without ending it for the rest of the scan",
		"a staging config whose test members log in by form, json or a platform (auth.kind form|json|supabase|firebase|clerk)"
}

// ErrRecordedExpired is wrapped by a recorded login the portal no longer
// accepts.
var ErrRecordedExpired = errors.New("the recorded session is no longer valid")

// loginRecorded loads the account's recording into the session's jar (and,
// for a token session, takes the token session.from names), then verifies
// it on the first protected page. Every recorded value joins the redactor
// first, so no evidence can print one.
func (s *Sessions) loginRecorded(ctx context.Context, sess *Session, opts LoginOptions) error {
	if !opts.shared {
		return fmt.Errorf("%w: member %s signs in by hand (auth.kind recorded), so only the shared recorded session exists; "+
			"a check that logs in afresh (logout, session rotation, login variations) is not run with it, since a logout "+
			"would end the recorded session for the rest of the scan", ErrRecordedFresh, sess.Account)
	}
	rl := s.cfg.Recorded[sess.Account]
	if rl == nil || rl.Recording == nil {
		file := "launchready-session-" + sess.Account + ".json"
		return fmt.Errorf("no recorded session for account %s: add auth.recorded.%s: %s to the config and record it with `%s`",
			sess.Account, sess.Account, file, recorded.Command(sess.Account, file))
	}
	rec := rl.Recording
	s.client.redactor.Add(rec.Secrets()...)
	loadRecordedCookies(sess.jar, rec, s.cfg.Origin, time.Now())
	if s.cfg.SessionKind == "token" {
		tok, err := rec.Token(s.cfg.TokenFrom)
		if err != nil {
			return fmt.Errorf("reading the token from %s (session.from %s): %w", rl.File, s.cfg.TokenFrom, err)
		}
		s.client.redactor.Add(tok)
		sess.token, sess.header = s.cfg.TokenPrefix+tok, s.cfg.TokenHeader
		sess.plainOK = s.cfg.Origin.Scheme == "http"
	}
	return s.verifyRecorded(ctx, sess, rl)
}

// loadRecordedCookies puts the recording's unexpired cookies into jar as
// the browser held them: host-only ones for their host, domain ones with
// their Domain.
func loadRecordedCookies(jar http.CookieJar, rec *recorded.Recording, origin *url.URL, now time.Time) {
	for _, c := range rec.Cookies {
		if !c.Expires.IsZero() && !c.Expires.After(now) {
			continue
		}
		hc := &http.Cookie{
			Name: c.Name, Value: c.Value, Path: c.Path, Expires: c.Expires,
			Secure: c.Secure, HttpOnly: c.HTTPOnly,
		}
		if !c.HostOnly() {
			hc.Domain = c.Host()
		}
		switch c.SameSite {
		case "Strict":
			hc.SameSite = http.SameSiteStrictMode
		case "Lax":
			hc.SameSite = http.SameSiteLaxMode
		case "None":
			hc.SameSite = http.SameSiteNoneMode
		}
		scheme := origin.Scheme
		if c.Secure {
			scheme = "https"
		}
		path := c.Path
		if path == "" {
			path = "/"
		}
		jar.SetCookies(&url.URL{Scheme: scheme, Host: c.Host(), Path: path}, []*http.Cookie{hc})
	}
}

// verifyRecorded opens the success page, the first protected page or,
// without either, the page the session was verified on when recorded. A
// refusal says the session ended and names the command that records it
// again.
func (s *Sessions) verifyRecorded(ctx context.Context, sess *Session, rl *RecordedLogin) error {
	p := s.cfg.Success
	if p == "" && len(s.cfg.Protected) > 0 {
		p = s.cfg.Protected[0]
	}
	if p == "" {
		if u, err := url.Parse(rl.Recording.VerifiedURL); err == nil && u.Host == s.cfg.Origin.Host {
			p = u.RequestURI()
		}
	}
	if p == "" {
		return fmt.Errorf("no page to verify the recorded session on: list the members' pages under auth.protected")
	}
	resp, err := sess.Do(ctx, &Request{URL: s.url(p), Follow: true})
	if err != nil {
		return fmt.Errorf("verifying the recorded session at %s: %w", p, err)
	}
	sess.Login.Verified = resp
	var why string
	switch {
	case s.IsLoginURL(resp.URL):
		why = fmt.Sprintf("%s sent it to the login page (%s)", p, resp.URL.Redacted())
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		why = fmt.Sprintf("%s answered %d", p, resp.StatusCode)
	case page.HasPasswordInput(resp.Body):
		why = fmt.Sprintf("%s showed a password form (status %d at %s)", p, resp.StatusCode, resp.URL.Redacted())
	case resp.StatusCode >= 400:
		why = fmt.Sprintf("%s answered %d at %s", p, resp.StatusCode, resp.URL.Redacted())
	default:
		return nil
	}
	return fmt.Errorf("%w: %s (recorded %s in %s); sign in again by hand with `%s`",
		ErrRecordedExpired, why, rl.Recording.Recorded.Format(time.DateTime+" MST"), rl.File, recorded.Command(sess.Account, rl.File))
}

// addRecorded hands the config's recorded sessions to the logins. A member
// with a recording needs no password: it is added to the accounts with the
// email the config gives it, if any.
func addRecorded(cfg *config.Config, lc *LoginConfig, accounts map[string]Credentials) {
	if cfg.Auth.Kind != "recorded" {
		return
	}
	lc.Recorded = map[string]*RecordedLogin{}
	for _, name := range []string{"a", "b", "admin"} {
		rec := cfg.Recording(name)
		if rec == nil {
			continue
		}
		lc.Recorded[name] = &RecordedLogin{File: cfg.RecordedFile(name), Recording: rec}
		if _, ok := accounts[name]; !ok {
			accounts[name] = Credentials{Email: cfg.Email(name)}
		}
	}
}
