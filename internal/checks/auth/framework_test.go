package auth

import (
	"context"
	"strings"
	"testing"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/checks/journey"
	"github.com/launchready/launchready/internal/checktest"
)

// signupEnv starts a SignupPortal and returns an intrusive env for it.
func signupEnv(t *testing.T, p *checktest.SignupPortal) *check.Env {
	t.Helper()
	env := checktest.Env(t, p.Start(t))
	checktest.Intrusive(env)
	return env
}

// TestLoginThroughFrameworkCSRF: a portal with Django's CSRF defaults
// refuses an HTTPS POST that carries neither a same-origin Origin nor a
// Referer, and wants its forms' every hidden field and submit button back.
// Members log in, and a new member signs up, verifies and logs in, with
// no POST refused.
func TestLoginThroughFrameworkCSRF(t *testing.T) {
	p := &checktest.SignupPortal{}
	env := signupEnv(t, p)
	if _, err := env.Sessions.Login(context.Background(), "a"); err != nil {
		t.Errorf("login as a: %v", err)
	}
	r := checktest.Run(t, Signup{}, env)
	if r.Status != check.Pass {
		t.Errorf("AUTH-001 = %s: %s %s", r.Status, r.Summary, r.Reason)
	}
	if refused := p.Refused(); len(refused) > 0 {
		t.Errorf("the portal refused POSTs for their Origin or Referer: %q", refused)
	}
}

// TestVerificationConfirmForm: the verification link opens "Confirm your
// email", a one-button form posting the token in a hidden field; the
// address is verified only once it is submitted. The journey submits it,
// once, and the new member logs in.
func TestVerificationConfirmForm(t *testing.T) {
	p := &checktest.SignupPortal{Confirm: checktest.ConfirmForm, Lax: true}
	env := signupEnv(t, p)
	r := checktest.Run(t, Signup{}, env)
	if r.Status != check.Pass {
		t.Errorf("AUTH-001 = %s: %s %s", r.Status, r.Summary, r.Reason)
	}
	if n := p.Posts("/verify"); n != 1 {
		t.Errorf("the confirm form was posted %d times, want once", n)
	}
	f, err := journey.FreshAccount(context.Background(), env)
	if err != nil || f.Confirm == nil {
		t.Fatalf("the journey kept no record of the confirm form's POST (err %v)", err)
	}
}

// TestVerificationConfirmPostedOnce: a confirm page that comes back after
// its POST, verifying nothing, is not posted again: the journey stops at
// the login, which fails, after exactly one POST.
func TestVerificationConfirmPostedOnce(t *testing.T) {
	p := &checktest.SignupPortal{Confirm: checktest.ConfirmFormAgain, Lax: true}
	env := signupEnv(t, p)
	r := checktest.Run(t, Signup{}, env)
	if r.Status != check.Fail || !strings.Contains(r.Summary, "login") {
		t.Errorf("AUTH-001 = %s: %s %s; want FAIL at the login step", r.Status, r.Summary, r.Reason)
	}
	if n := p.Posts("/verify"); n != 1 {
		t.Errorf("the confirm form was posted %d times, want once", n)
	}
}

// TestVerificationNeverUnsubscribes: a link page whose only forms cancel
// the account and unsubscribe from mail is never submitted: nothing
// confirms the address, so the journey fails at the login.
func TestVerificationNeverUnsubscribes(t *testing.T) {
	p := &checktest.SignupPortal{Confirm: checktest.ConfirmOnlyUnsubscribe, Lax: true}
	env := signupEnv(t, p)
	r := checktest.Run(t, Signup{}, env)
	if r.Status != check.Fail || !strings.Contains(r.Summary, "login") {
		t.Errorf("AUTH-001 = %s: %s %s; want FAIL at the login step", r.Status, r.Summary, r.Reason)
	}
	for _, path := range []string{"/account/cancel", "/mail/unsubscribe"} {
		if n := p.Posts(path); n != 0 {
			t.Errorf("%d POSTs to %s, want none", n, path)
		}
	}
	f, _ := journey.FreshAccount(context.Background(), env)
	if _, _, cancelled, subscribed := p.Member(f.Email); cancelled || !subscribed {
		t.Errorf("the new member was cancelled (%v) or unsubscribed (%v)", cancelled, !subscribed)
	}
}

// TestPasswordPolicyNeedsAWorkingJourney: the portal accepts any password.
// When its verification link works, AUTH-009 FAILs on the weak passwords'
// logins; when the verification never completes (a confirm page that comes
// back unverified), no login works for any password, and a refused login
// proves nothing: ERROR, never PASS.
func TestPasswordPolicyNeedsAWorkingJourney(t *testing.T) {
	for _, tc := range []struct {
		name    string
		confirm string
		want    check.Status
		in      string
	}{
		{"verification works", checktest.ConfirmOnGet, check.Fail, "a login with it works"},
		{"verification never completes", checktest.ConfirmFormAgain, check.Error, "the same journey with a strong password breaks"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := signupEnv(t, &checktest.SignupPortal{Confirm: tc.confirm, Lax: true})
			r := checktest.Run(t, PasswordPolicy{}, env)
			if r.Status != tc.want || !strings.Contains(r.Summary+r.Reason, tc.in) {
				t.Errorf("AUTH-009 = %s (%s %s), want %s saying %q", r.Status, r.Summary, r.Reason, tc.want, tc.in)
			}
		})
	}
}
