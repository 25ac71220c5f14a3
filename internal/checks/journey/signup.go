package journey

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/inbox"
)

// FreshName is the session name of the account the scanner signs up.
const FreshName = "fresh"

// Fresh is the record of one brand-new member's journey: signup, an
// attempt to log in before verifying, the verification mail and link, and
// the login after it.
type Fresh struct {
	Email string
	// Signup is the signup submission chain; Request the request for the
	// verification mail that followed it (auth.signup.request, nil when
	// none).
	Signup, Request *client.Response
	// Early is the login attempted before verifying (nil when the portal
	// does not require verification); EarlyErr its failure.
	Early    *client.Session
	EarlyErr error
	// Mail is the verification mail; Link the link followed from it, and
	// LinkOutOfScope is true when the mail's link pointed elsewhere and the
	// same path was followed on the canonical origin instead.
	Mail           *inbox.Message
	Link           string
	LinkOutOfScope bool
	// Verify is the page the link opened; Confirm the answer to its
	// confirm form, when the page asked for one more click, or to
	// auth.signup.confirm sent with the link's token (then Verify is nil:
	// the link is not opened).
	Verify, Confirm *client.Response
	// Session is the login after verification.
	Session *client.Session
	// Protected holds each auth.protected page as the new member saw it
	// right after that login, before any other check (a password reset
	// ends the member's sessions) could touch the session.
	Protected map[string]*client.Response
	// Err says which step broke (nil when the journey completed).
	Err error
	// Step names the step that broke.
	Step string
}

// FreshAccount signs a new member up, once per scan, and walks the whole
// journey. Every step's outcome is kept, including the step that failed,
// so each check judges its own part.
func FreshAccount(ctx context.Context, env *check.Env) (*Fresh, error) {
	return check.Shared(ctx, env, "fresh-account", func(ctx context.Context) (*Fresh, error) {
		ib, err := Inbox(env)
		if err != nil {
			return nil, err
		}
		f := &Fresh{}
		f.walk(ctx, env, ib)
		return f, nil
	})
}

func (f *Fresh) fail(step string, err error) {
	f.Step, f.Err = step, err
}

func (f *Fresh) walk(ctx context.Context, env *check.Env, ib inbox.Inbox) {
	cfg := env.Config.Auth
	tag := "lr" + RandomToken()[:10]
	email, err := inbox.PlusAddress(cfg.Inbox.Address, tag)
	if err != nil {
		f.fail("address", err)
		return
	}
	f.Email = email
	password := StrongPassword()
	// Journaled and registered before the request, so clean-up covers a
	// half-made account, after a kill too.
	cr, err := env.CreateAccount(FreshName, client.Credentials{Email: email, Password: password, Tag: tag})
	if err != nil {
		f.fail("signup", err)
		return
	}
	since := time.Now().Add(-2 * time.Second)
	f.Signup, f.Request, err = SubmitSignup(cr.Context(ctx), env, NewAccount{Email: email, Password: password, Tag: tag}, true)
	if f.Signup == nil {
		cr.Unsure(err)
		f.fail("signup", err)
		return
	}
	if f.Signup.StatusCode >= 400 {
		// Most likely refused, but the clean-up still looks for it.
		cr.Unsure(fmt.Errorf("the signup answered %d", f.Signup.StatusCode))
		f.fail("signup", fmt.Errorf("the signup answered %d", f.Signup.StatusCode))
		return
	}
	cr.Created(nil, nil)
	if err != nil {
		// The account exists; the mail it needs was not asked for.
		f.fail("verification request", err)
		return
	}
	if cfg.Signup.Verify {
		f.Early, f.EarlyErr = env.Sessions.Login(ctx, FreshName)
		f.Mail, err = inbox.Wait(ctx, ib, inbox.Query{To: email, Since: since}, cfg.Inbox.Wait, 500*time.Millisecond)
		if err != nil {
			f.fail("verification mail", err)
			return
		}
		if err := f.verify(ctx, env); err != nil {
			f.fail("verification link", err)
			return
		}
	}
	f.Session, err = env.Sessions.Login(ctx, FreshName)
	if err != nil {
		f.fail("login", err)
		return
	}
	// A session of the clean-up's own, which no check logs out: checks
	// send wrong passwords to this account, and a lockout they provoke
	// must not stop its deletion, even when it was made in their phase.
	if s, err := env.Sessions.Login(ctx, FreshName); err == nil {
		env.Sessions.Keep(FreshName, s)
	}
	f.Protected = map[string]*client.Response{}
	for _, p := range cfg.Protected {
		resp, err := f.Session.Do(ctx, &client.Request{URL: URL(env, p), Follow: true})
		if err != nil {
			f.fail("protected page "+p, err)
			return
		}
		f.Protected[p] = resp
	}
}

// verify follows the verification link as a member clicking it in a new
// browser would, or confirms its token (OpenVerification).
func (f *Fresh) verify(ctx context.Context, env *check.Env) error {
	link, ok := PickLink(inbox.Links(f.Mail), "verif", "confirm", "activat")
	if !ok {
		return fmt.Errorf("the verification mail %q holds no link", f.Mail.Subject)
	}
	f.Link = link
	u, err := url.Parse(link)
	if err != nil {
		return fmt.Errorf("the verification link does not parse: %w", err)
	}
	if !env.Client.Scope().Allows(u) {
		// A member's click would fail; continue on the canonical origin so
		// the rest of the journey can still be judged.
		f.LinkOutOfScope = true
		origin := env.Sessions.Config().Origin
		u.Scheme, u.Host = origin.Scheme, origin.Host
	}
	f.Verify, f.Confirm, err = OpenVerification(ctx, env, u.String(), f.Email)
	return err
}

// PickLink prefers a link whose path names the action, then any link.
func PickLink(links []string, words ...string) (string, bool) {
	for _, l := range links {
		lower := strings.ToLower(l)
		for _, w := range words {
			if strings.Contains(lower, w) {
				return l, true
			}
		}
	}
	if len(links) > 0 {
		return links[0], true
	}
	return "", false
}

// StrongPassword returns a 24-character password no policy refuses.
func StrongPassword() string {
	const alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 20)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return "Lr-" + string(b) + "!9"
}

// Inbox returns the scan's mail source, built once per scan with its own
// client scoped to the inbox (client.Sessions.Mailbox).
func Inbox(env *check.Env) (inbox.Inbox, error) {
	mb := env.Sessions.Mailbox()
	if mb == nil {
		return nil, errors.New("no auth.inbox configured")
	}
	return mb.Inbox, nil
}
