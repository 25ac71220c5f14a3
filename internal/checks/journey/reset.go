package journey

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/config"
	"github.com/launchready/launchready/internal/inbox"
	"github.com/launchready/launchready/internal/page"
)

// Reset is the record of the fresh member's password reset: the request,
// the mail, the link used once to set a new password, the same link tried
// again, and logins with the new and the old password. The logins that
// should fail go through env.WrongPasswords.
type Reset struct {
	Request *client.Response
	Mail    *inbox.Message
	Link    string
	// First and Second are the new-password submissions through the link.
	First, Second *client.Response
	// NewWorks, OldRefused and ReuseWorked are the verdict's facts.
	NewWorks, OldRefused, ReuseWorked bool
	Err                               error
	Step                              string
}

// ResetJourney resets the fresh member's password once per scan.
func ResetJourney(ctx context.Context, env *check.Env) (*Reset, error) {
	return check.Shared(ctx, env, "reset-journey", func(ctx context.Context) (*Reset, error) {
		f, err := FreshAccount(ctx, env)
		if err != nil {
			return nil, err
		}
		if f.Session == nil {
			return nil, fmt.Errorf("the new member's journey broke at the %s step, so there is no account to reset: %v", f.Step, f.Err)
		}
		ib, err := Inbox(env)
		if err != nil {
			return nil, err
		}
		r := &Reset{}
		r.walk(ctx, env, ib, f)
		return r, nil
	})
}

func (r *Reset) fail(step string, err error) { r.Step, r.Err = step, err }

func (r *Reset) walk(ctx context.Context, env *check.Env, ib inbox.Inbox, f *Fresh) {
	cfg := env.Config.Auth
	// The journey ends with wrong passwords to the new member: make sure
	// they may go there before anything is sent.
	if err := env.WrongPasswords.Allowed(f.Email); err != nil {
		r.fail("old password", err)
		return
	}
	old, _ := env.Sessions.Account(FreshName)
	since := time.Now().Add(-time.Second)
	var err error
	if r.Request, err = SubmitReset(ctx, env, f.Email); err != nil {
		r.fail("reset request", err)
		return
	}
	r.Mail, err = inbox.Wait(ctx, ib, inbox.Query{To: f.Email, Since: since}, cfg.Inbox.Wait, 500*time.Millisecond)
	if err != nil {
		r.fail("reset mail", err)
		return
	}
	link, ok := PickLink(inbox.Links(r.Mail), "reset", "password", "token")
	if !ok {
		r.fail("reset link", fmt.Errorf("the reset mail %q holds no link", r.Mail.Subject))
		return
	}
	r.Link = OnOrigin(env, link)
	newPw := StrongPassword()
	if r.First, err = setPassword(ctx, env, r.Link, f.Email, newPw); err != nil {
		r.fail("new password", err)
		return
	}
	env.Sessions.SetPassword(FreshName, newPw)
	sess, err := env.Sessions.Login(ctx, FreshName)
	if r.NewWorks = err == nil; r.NewWorks {
		// The reset ended the session clean-up had kept: keep this one.
		env.Sessions.Keep(FreshName, sess)
	}
	again := StrongPassword()
	if r.Second, err = setPassword(ctx, env, r.Link, f.Email, again); err == nil && r.Second.StatusCode < 400 {
		// The link was taken a second time: a login with that password is
		// a wrong one unless the link really worked again.
		if err := env.WrongPasswords.Take(f.Email); err != nil {
			r.fail("reused link", err)
			return
		}
		env.Sessions.AddAccount(FreshName+"-again", client.Credentials{Email: f.Email, Password: again}, false)
		if sess, err := env.Sessions.Login(ctx, FreshName+"-again"); err == nil {
			r.ReuseWorked = true
			env.Sessions.SetPassword(FreshName, again)
			env.Sessions.Keep(FreshName, sess)
		}
	}
	// The old password last, so every login that should succeed comes
	// before the wrong password.
	if err := env.WrongPasswords.Take(f.Email); err != nil {
		r.fail("old password", err)
		return
	}
	env.Sessions.AddAccount(FreshName+"-old", client.Credentials{Email: f.Email, Password: old.Password}, false)
	_, err = env.Sessions.Login(ctx, FreshName+"-old")
	r.OldRefused = err != nil
}

// setPassword sets a new password with a reset link: with
// auth.reset.confirm, by sending that request with the link's token;
// else by opening the link in a new browser and submitting the password
// in every password field of its form.
func setPassword(ctx context.Context, env *check.Env, link, email, password string) (*client.Response, error) {
	if cf := env.Config.Auth.Reset.Confirm; cf != nil {
		vars := accountVars(email)
		vars[config.PhNewPassword] = password
		resp, err := confirm(ctx, env, cf, link, vars)
		if resp != nil && resp.StatusCode >= 400 {
			// Refused: the answer is the verdict's fact (a second use),
			// not a broken step.
			return resp, nil
		}
		return resp, err
	}
	anon := env.Sessions.Anonymous()
	resp, err := anon.Do(ctx, &client.Request{URL: link, Follow: true, Browser: &client.Browser{}})
	if err != nil {
		return nil, err
	}
	form, ok := page.LoginForm(resp.Body, resp.URL)
	if !ok {
		return resp, fmt.Errorf("the reset link shows no new-password form (status %d)", resp.StatusCode)
	}
	values := url.Values{}
	for _, fl := range form.Fields {
		if fl.Type == "password" {
			values.Set(fl.Name, password)
		}
	}
	return anon.Submit(ctx, resp, form, values, "")
}

// OnOrigin moves a link that points outside the scope (localhost, another
// host) onto the canonical origin, keeping path and query, so a journey
// whose mail links are wrong can still be followed to its end.
func OnOrigin(env *check.Env, link string) string {
	u, err := url.Parse(link)
	if err != nil || env.Client.Scope().Allows(u) {
		return link
	}
	origin := env.Sessions.Config().Origin
	u.Scheme, u.Host = origin.Scheme, origin.Host
	return u.String()
}

// VerifyFromInbox waits for the verification mail to email and follows its
// link, so an account the scanner made can later log in and be deleted.
func VerifyFromInbox(ctx context.Context, env *check.Env, email string, since time.Time) error {
	return VerifyFromInboxWithin(ctx, env, email, since, env.Config.Auth.Inbox.Wait)
}

// VerifyFromInboxWithin is VerifyFromInbox waiting at most wait for the
// mail (an *inbox.TimeoutError when none came).
func VerifyFromInboxWithin(ctx context.Context, env *check.Env, email string, since time.Time, wait time.Duration) error {
	ib, err := Inbox(env)
	if err != nil {
		return err
	}
	m, err := inbox.Wait(ctx, ib, inbox.Query{To: email, Since: since}, wait, 500*time.Millisecond)
	if err != nil {
		return err
	}
	link, ok := PickLink(inbox.Links(m), "verif", "confirm", "activat")
	if !ok {
		return fmt.Errorf("the verification mail to %s holds no link", email)
	}
	_, _, err = OpenVerification(ctx, env, OnOrigin(env, link), email)
	return err
}
