package auth

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/checks/journey"
	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/inbox"
	"github.com/launchready/launchready/internal/page"
)

// breached are well-known passwords of 12+ characters from the top of the
// public breach corpora, so a length rule alone cannot hide a missing
// breached-password check. One is picked at random per run. It stays a
// public value on purpose: a breached-password check (Have I Been Pwned's
// range API, a local top-100k list) matches exact values, so a random
// suffix would take it out of the breached class and the probe would
// test only the length rule. What keeps the account safe is not the
// password but its clean-up: journaled before the signup is sent, deleted
// at the end, listed when it cannot be. One string split in words: written
// as a list of quoted strings, a word that starts with "password" followed
// by a comma and the next word reads to a secret scanner as a password
// assigned a value.
var breached = strings.Fields("password123456 qwertyuiop123 iloveyou1234 123456789012 letmein12345 " +
	"welcome12345 qwerty123456 sunshine1234 football1234 princess1234")

// refusedMailWait bounds the wait for a verification mail after a signup
// answer that reads as a refusal (an error status, or the signup form
// shown again): a portal that refused sends none, and the full
// auth.inbox.wait would be spent for nothing. An answer that reads as
// acceptance waits the full time.
const refusedMailWait = 5 * time.Second

// PasswordPolicy is AUTH-009: signup refuses short and breached passwords.
type PasswordPolicy struct{}

var _ check.Check = PasswordPolicy{}

// Meta returns the static description.
func (PasswordPolicy) Meta() check.Meta {
	return check.Meta{
		ID: "AUTH-009", Area: check.AreaAuth, Severity: check.Major,
		Impact: check.ImpactAccountTakeover,
		Title:  "Signup refuses short and breached passwords",
		Pass: "Signing up with a random 7-character password (upper and lower case, a digit and a symbol) and with a well-known " +
			"breached one of 12+ characters (picked at random from " + fmt.Sprint(len(breached)) + ") does not give a working " +
			"account: after each signup (and its verification mail, when auth.signup.verify) a login with that password is " +
			"refused, while the same journey with a strong password (AUTH-001's new member) logs in: without that control a " +
			"refusal cannot be told from a journey the scanner cannot finish (ERROR). A login that works is the proof of " +
			"acceptance, whatever the signup page said. Each account is journaled and " +
			"registered for clean-up before its signup is sent, and deleted at the end.",
		Why: "Members reuse the weakest password they are allowed. Credential-stuffing lists start with exactly these; NIST " +
			"800-63B and ASVS ask for at least 8 (better 15) characters and a breached-password check.",
		Breaks: "Accounts taken over with the first guesses of any automated attack.",
		Fix: "Require at least 8 characters (12+ recommended), no composition rules, and check new passwords against a breached " +
			"list (Have I Been Pwned's k-anonymity range API, or a local top-100k list): Supabase 'Leaked password protection', " +
			"Django MinimumLengthValidator + CommonPasswordValidator, Devise + devise-pwned_password.",
		Refs:      []string{"ASVS v5.0.0-6.2.1", "ASVS v5.0.0-6.2.4", "API2:2023", "CWE-521"},
		Intrusive: true,
		// The two weak-password accounts and the control journey's new
		// member (shared with AUTH-001, counted here too: at most).
		Budget: check.Budget{Accounts: 3, Mails: 3},
		Needs:  []string{"auth.signup", "auth.inbox"},
	}
}

// weakProbe is one weak password tried at signup and what came of it.
type weakProbe struct {
	what, password string
	try            signupTry
	err            error
}

// Run signs up two new addresses with weak passwords, at once (their mail
// waits overlap), and judges each by a login with that password; a PASS
// also needs the new-member journey (AUTH-001's, shared) to log in with a
// strong password the same way.
func (PasswordPolicy) Run(ctx context.Context, env *check.Env) check.Result {
	short, breach := shortPassword(), pick(breached)
	probes := []*weakProbe{{what: "a 7-character password", password: short},
		{what: "the breached password " + breach[:4] + "…", password: breach}}
	var wg sync.WaitGroup
	for i, p := range probes {
		wg.Go(func() { p.try, p.err = trySignup(ctx, env, p.password, i) })
	}
	wg.Wait()
	var ev []check.Evidence
	var accepted, unproven []string
	for _, p := range probes {
		switch {
		case p.err != nil:
			return check.Errorf("signing up with %s: %v", p.what, p.err)
		case p.try.loggedIn != nil:
			accepted = append(accepted, p.what)
			ev = append(ev, check.HTTPEvidence(env, p.try.signup, fmt.Sprintf("Signup with %s; a login with that password then "+
				"succeeded (%s): the portal made a working account with it.", p.what, loginPage(p.try.loggedIn))))
		case p.try.unproven != "":
			unproven = append(unproven, p.what+": "+p.try.unproven)
		}
	}
	switch {
	case len(accepted) > 0:
		return check.Failf(ev, "signup accepts %s: a login with it works", strings.Join(accepted, " and "))
	case len(unproven) > 0:
		return check.Errorf("acceptance could not be judged by a login: %s", strings.Join(unproven, "; "))
	}
	// A refused login is a refused password only if the same journey
	// (signup, verification, login) works with a strong password: when it
	// breaks, every weak password would look refused.
	f, err := journey.FreshAccount(ctx, env)
	if err != nil {
		return check.Errorf("the control journey with a strong password: %v", err)
	}
	if f.Err != nil || f.Session == nil {
		return check.Errorf("neither weak password logged in, but that proves nothing: the same journey with a strong password breaks at the %s step (%v), so a refusal cannot be told from a journey the scanner cannot finish",
			f.Step, f.Err)
	}
	return check.Passf("signup refuses a 7-character password and a well-known breached one: neither logs in afterwards, while the same journey with a strong password does")
}

// signupTry is what one weak-password signup led to.
type signupTry struct {
	// signup is the signup submission's answer.
	signup *client.Response
	// loggedIn is the session a login with the weak password got: the
	// proof the portal accepted it (nil when refused).
	loggedIn *client.Session
	// unproven says why neither acceptance nor refusal could be shown.
	unproven string
}

// trySignup journals and registers a new account with password, signs it
// up, follows its verification mail when the portal sends one, and logs
// in with the password: a login that works is acceptance, whatever the
// signup answered. An account proven never to exist leaves the clean-up
// list; every other one is deleted at the end.
func trySignup(ctx context.Context, env *check.Env, password string, n int) (signupTry, error) {
	var t signupTry
	a := env.Config.Auth
	tag := fmt.Sprintf("lr%s-pw%d", journey.RandomToken()[:8], n)
	email, err := inbox.PlusAddress(a.Inbox.Address, tag)
	if err != nil {
		return t, err
	}
	name := fmt.Sprintf("%s-pw%d", journey.FreshName, n)
	cr, err := env.CreateAccount(name, client.Credentials{Email: email, Password: password, Tag: tag})
	if err != nil {
		return t, err
	}
	since := time.Now().Add(-time.Second)
	t.signup, _, err = journey.SubmitSignup(cr.Context(ctx), env, journey.NewAccount{Email: email, Password: password, Tag: tag}, true)
	if t.signup == nil {
		cr.Unsure(err)
		return t, err
	}
	cr.Created(nil, nil) // answered; whether an account exists, the login tells
	refusal := readsAsRefusal(env, t.signup)
	if a.Signup.Verify {
		wait := a.Inbox.Wait
		if refusal {
			wait = min(wait, refusedMailWait)
		}
		var te *inbox.TimeoutError
		switch err := journey.VerifyFromInboxWithin(ctx, env, email, since, wait); {
		case errors.As(err, &te) && refusal:
			cr.Refused(fmt.Sprintf("signup answered %d as a refusal and no verification mail came within %s", t.signup.StatusCode, wait))
			return t, nil
		case errors.As(err, &te):
			t.unproven = fmt.Sprintf("the signup answered %d like an acceptance but no verification mail came within %s", t.signup.StatusCode, wait)
			return t, nil
		case err != nil:
			return t, fmt.Errorf("following the verification mail: %w", err)
		}
	}
	sess, err := env.Sessions.Login(ctx, name)
	if err == nil {
		// Accepted: this session deletes it at the end.
		env.Sessions.Keep(name, sess)
		t.loggedIn = sess
		return t, nil
	}
	if refusal && !a.Signup.Verify {
		cr.Refused(fmt.Sprintf("signup answered %d as a refusal and a login with the password was refused", t.signup.StatusCode))
	}
	return t, nil
}

// readsAsRefusal reports whether a signup answer looks like a refusal: an
// error status, or the signup form shown again. Only a hint: a portal may
// make the account and show a login form, which is why acceptance is
// judged by logging in.
func readsAsRefusal(env *check.Env, resp *client.Response) bool {
	if resp.StatusCode >= 400 {
		return true
	}
	if !page.HasPasswordInput(resp.Body) {
		return false
	}
	signup, err := url.Parse(journey.URL(env, env.Config.Auth.Signup.Path))
	if err != nil {
		return false
	}
	if resp.URL.Path == signup.Path {
		return true
	}
	for _, f := range page.Forms(resp.Body, resp.URL) {
		if u, err := url.Parse(f.Action); err == nil && u.Path == signup.Path {
			return true
		}
	}
	return false
}

// loginPage names where the weak password's login landed, for evidence.
func loginPage(s *client.Session) string {
	if v := s.Login.Verified; v != nil && v.URL != nil {
		return fmt.Sprintf("%s answered %d", v.URL.Redacted(), v.StatusCode)
	}
	return "the session was verified"
}

// shortPassword returns a random 7-character password with an upper- and
// a lower-case letter, a digit and a symbol: only its length can be why a
// policy refuses it.
func shortPassword() string {
	classes := []string{"ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijkmnopqrstuvwxyz", "23456789", "!#%*+-=?@"}
	b := make([]byte, 7)
	for i := range b {
		b[i] = pick(strings.Split(classes[i%len(classes)], ""))[0]
	}
	// Shuffle so the classes do not sit at fixed places.
	for i := len(b) - 1; i > 0; i-- {
		j := randN(i + 1)
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}

// pick returns a random element.
func pick(xs []string) string { return xs[randN(len(xs))] }

func randN(n int) int {
	v, err := rand.Int(rand.Reader, big.NewInt(int64(n)))
	if err != nil {
		return 0 // crypto/rand never fails on supported platforms
	}
	return int(v.Int64())
}
