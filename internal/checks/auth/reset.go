package auth

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/checks/journey"
	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/inbox"
	"github.com/launchready/launchready/internal/page"
)

// PasswordReset is AUTH-005: reset mail arrives, the link works once, the
// new password works and the old one stops.
type PasswordReset struct{}

var _ check.Check = PasswordReset{}

// Meta returns the static description.
func (PasswordReset) Meta() check.Meta {
	return check.Meta{
		ID: "AUTH-005", Area: check.AreaAuth, Severity: check.Blocker,
		Impact: check.ImpactAccountTakeover,
		Title:  "Password reset works once; the old password stops working",
		Pass: "For the scanner's own new account: the reset request sends a mail to auth.inbox, its link opens a new-password form, " +
			"the new password logs in, the old one is refused, and the same link used a second time does not set a password.",
		Why: "Forgotten passwords are the biggest source of support mail after launch. A reset link that works twice can be " +
			"replayed by anyone who later reads the mailbox, a mail log or the browser history.",
		Breaks: "Members locked out (no mail, broken link) or accounts taken over through an old reset mail.",
		Fix: "Store reset tokens hashed, single use (delete on success), expiring within an hour, and revoke the member's other " +
			"sessions on reset. Framework resets (Django PasswordResetTokenGenerator, Devise recoverable, Supabase/Auth0/Clerk) do " +
			"this; custom ones often forget the single-use part.",
		Refs:      []string{"ASVS v5.0.0-6.4.1", "ASVS v5.0.0-6.4.2", "API2:2023", "CWE-640"},
		Intrusive: true,
		// Wrong passwords: the old one, and the reused link's when the
		// portal takes the second submission.
		Budget: check.Budget{Mails: 1, WrongPasswords: 2},
		Needs:  []string{"auth.reset", "auth.signup", "auth.inbox", "auth.login"},
	}
}

// Run judges the shared reset journey.
func (PasswordReset) Run(ctx context.Context, env *check.Env) check.Result {
	r, err := journey.ResetJourney(ctx, env)
	if err != nil {
		return check.Errorf("%v", err)
	}
	var te *inbox.TimeoutError
	switch {
	case errors.Is(r.Err, check.ErrRefused):
		// The scanner held back, the portal did nothing wrong.
		return check.Errorf("%s: %v", r.Step, r.Err)
	case errors.As(r.Err, &te):
		return check.Failf([]check.Evidence{check.HTTPEvidence(env, r.Request, r.Err.Error())}, "no reset mail arrived")
	case r.Err != nil && r.Request != nil && r.Step != "reset request":
		return check.Failf([]check.Evidence{check.HTTPEvidence(env, r.Request, r.Step+": "+r.Err.Error())}, "the reset breaks at the %s step", r.Step)
	case r.Err != nil:
		return check.Errorf("%s: %v", r.Step, r.Err)
	}
	var ev []check.Evidence
	var bad []string
	if !r.NewWorks {
		bad = append(bad, "the new password does not log in")
		ev = append(ev, check.HTTPEvidence(env, r.First, "New password submitted through the link; logging in with it failed."))
	}
	if !r.OldRefused {
		bad = append(bad, "the old password still logs in")
		ev = append(ev, check.HTTPEvidence(env, r.First, "After the reset, a login with the old password succeeded."))
	}
	if r.ReuseWorked {
		bad = append(bad, "the reset link works a second time")
		ev = append(ev, check.HTTPEvidence(env, r.Second, "The same reset link, opened again later, set another password, which then logged in."))
	}
	if len(bad) > 0 {
		return check.Failf(ev, "password reset: %s", strings.Join(bad, "; "))
	}
	return check.Passf("reset mail arrived, the link set a new password once (refused the second time), the new password works and the old one is refused")
}

// Enumeration is AUTH-006: responses do not reveal whether an email has an
// account.
type Enumeration struct{}

var _ check.Check = Enumeration{}

// Meta returns the static description.
func (Enumeration) Meta() check.Meta {
	return check.Meta{
		ID: "AUTH-006", Area: check.AreaAuth, Severity: check.Major,
		Impact: check.ImpactAccountTakeover,
		Title:  "No account enumeration through login, signup or reset",
		Pass: "Login with a wrong password for an existing account and for an unknown email, signup with a taken and a new email, " +
			"and reset for an existing and an unknown email each answer with the same status and the same visible text (after " +
			"removing the email itself). The login compares the scanner's own new account (wrong passwords never go to a " +
			"configured member); signup and reset compare member b and member a, whom the run has not mailed, so a portal that " +
			"answers a just-mailed address differently (a mail throttle) is not read as a leak. A difference counts only when it " +
			"recurs in 2 of 3 rounds auth.recheck (30 s) apart, each with new unknown addresses. Then, if the login told nothing that way, 10 interleaved pairs of wrong-password logins " +
			"(existing account, unknown email) are timed: a consistent gap (Mann-Whitney p < 0.001, medians at least 5 ms and 25% " +
			"apart) is WARN, never FAIL; sampling stops at a 429/503, a lockout, or when the scan's wrong-password budget is spent. " +
			"Wrong passwords go only to the scanner's new account and to unknown addresses.",
		Why: "A portal that says 'no account with that email' tells anyone which emails are members: a list to phish, to stuff " +
			"leaked passwords into, and for a private community a privacy leak in itself.",
		Breaks: "Targeted phishing of members and credential-stuffing that only tries real accounts.",
		Fix: "Answer identically whether or not the account exists: 'Invalid email or password.' at login; 'Check your inbox to " +
			"continue.' at signup (mail the existing member instead); 'If an account exists, we sent a link.' at reset. Spend the " +
			"same time too: for an unknown email, verify the password against a fixed dummy hash so both paths pay the hash cost.",
		Refs:      []string{"ASVS v5.0.0-6.3.8", "API2:2023", "CWE-204"},
		Intrusive: true,
		// Wrong passwords: the login comparison's two per round, then the
		// timed pairs.
		// Each round's signup probe is an account, and each sends up to
		// three mails (signup to b, signup and reset).
		Budget: check.Budget{Accounts: 1 + enumerationRounds, Mails: 3 * enumerationRounds, WrongPasswords: 2*enumerationRounds + 2*timingPairs},
		Needs:  []string{"auth.form", "auth.signup", "auth.inbox"},
	}
}

// Run compares each flow's answer for an existing and an unknown email.
func (Enumeration) Run(ctx context.Context, env *check.Env) check.Result {
	f, err := journey.FreshAccount(ctx, env)
	if err != nil {
		return check.Errorf("%v", err)
	}
	if f.Session == nil {
		return check.Errorf("the new member's journey broke at the %s step: %v", f.Step, f.Err)
	}
	// Every wrong password goes to the new member or to an unknown
	// address, never to a configured account: ask before sending any.
	// The reset journey (AUTH-005) sends wrong passwords too, so the
	// runner has finished it before this check starts: its mail cannot
	// cross ours, and without AUTH-005 no reset is started here.
	if err := env.WrongPasswords.Allowed(f.Email); err != nil {
		return check.Errorf("the new member's address: %v", err)
	}
	leaks, ev, err := compareFlows(ctx, env, f.Email)
	if err != nil {
		return check.Errorf("%v", err)
	}
	if len(leaks) > 0 {
		return check.Failf(ev, "%s tell whether an email has an account", strings.Join(leaks, ", "))
	}
	same := "login, signup and reset answer the same for an existing account and an unknown email"
	if env.Config.Auth.Reset == nil || env.Config.Auth.Reset.None {
		same = "login and signup answer the same for an existing account and an unknown email"
	}
	unknown, err := inbox.PlusAddress(env.Config.Auth.Inbox.Address, "lr"+journey.RandomToken()[:10]+"-nobody")
	if err != nil {
		return check.Errorf("%v", err)
	}
	login := enumerationFlows(env, f.Email)[0]
	t, err := sampleLogin(ctx, func(ctx context.Context, email string) (*client.Response, error) {
		return login.send(ctx, email, email == unknown)
	}, f.Email, unknown)
	switch {
	case err != nil:
		return check.Errorf("timing the login: %v", err)
	case t.stopped != "":
		return check.Passf("%s; login timing not judged: %s", same, t.stopped)
	case t.leaks():
		return check.Warnf([]check.Evidence{check.HTTPEvidence(env, t.last, "Timing only: "+t.describe()+
			". Same status and text, but the difference is consistent: typically the password hash is computed only when the "+
			"account exists. Hash a dummy password for unknown emails too.")},
			"%s, but the login's timing tells: %s", same, t.describe())
	}
	return check.Passf("%s; login timing shows no consistent difference (median %s vs %s over %d interleaved pairs)",
		same, median(t.known).Round(100*time.Microsecond), median(t.unknown).Round(100*time.Microsecond), len(t.known))
}

type enumFlow struct {
	name string
	send func(ctx context.Context, email string, unknown bool) (*client.Response, error)
	// known is the existing account the flow compares with unknown
	// addresses.
	known string
}

// enumerationRounds is how many times a flow whose answers differed is
// compared; a difference counts when it recurs in at least
// enumerationNeeded of them.
const (
	enumerationRounds = 3
	enumerationNeeded = 2
)

// compareFlows compares each flow's answer for an existing account and an
// unknown address. The login compares with the scan's new member (wrong
// passwords never go to a configured member); signup and reset, which
// send no password, compare with a configured member the run has not
// mailed (reset with a, signup with b), so that a portal answering a
// just-mailed address differently (a mail throttle) is not read as
// telling members apart. A flow whose answers differ is compared again
// after auth.recheck, with new unknown addresses, until the difference
// has recurred enumerationNeeded times or cannot any more; a difference
// seen once is noise, not a finding. It returns each leaking flow as
// "name (k of n rounds)" with the evidence of its first difference.
func compareFlows(ctx context.Context, env *check.Env, fresh string) ([]string, []check.Evidence, error) {
	flows := enumerationFlows(env, fresh)
	type tally struct {
		differed, rounds int
		ev               *check.Evidence
	}
	tallies := make([]tally, len(flows))
	open := make([]int, len(flows)) // the flows still being compared
	for i := range flows {
		open[i] = i
	}
	for round := 0; round < enumerationRounds && len(open) > 0; round++ {
		if round > 0 {
			if err := sleep(ctx, env.Config.Auth.Recheck); err != nil {
				return nil, nil, err
			}
		}
		var next []int
		for _, i := range open {
			flow, t := flows[i], &tallies[i]
			// A new unknown address per flow and round: the signup probe
			// turns its own into an account.
			unknown, err := inbox.PlusAddress(env.Config.Auth.Inbox.Address, "lr"+journey.RandomToken()[:10]+"-nobody")
			if err != nil {
				return nil, nil, err
			}
			known, err := flow.send(ctx, flow.known, false)
			if err != nil {
				return nil, nil, fmt.Errorf("%s with the existing email: %w", flow.name, err)
			}
			other, err := flow.send(ctx, unknown, true)
			if err != nil {
				return nil, nil, fmt.Errorf("%s with an unknown email: %w", flow.name, err)
			}
			diff, err := differ(known, other, flow.known, unknown)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: comparing the answers: %w", flow.name, err)
			}
			t.rounds++
			if diff != "" {
				t.differed++
				if t.ev == nil {
					e := check.HTTPEvidence(env, known, fmt.Sprintf("%s, existing account vs unknown email: %s", flow.name, diff))
					t.ev = &e
				}
			}
			if compareAgain(t.differed, t.rounds) {
				next = append(next, i)
			}
		}
		open = next
	}
	var leaks []string
	var ev []check.Evidence
	for i, t := range tallies {
		if t.differed >= enumerationNeeded {
			leaks = append(leaks, fmt.Sprintf("%s (the difference recurred in %d of %d rounds, %s apart)", flows[i].name, t.differed, t.rounds, env.Config.Auth.Recheck))
			ev = append(ev, *t.ev)
		}
	}
	return leaks, ev, nil
}

// compareAgain says whether a flow whose answers differed in differed of
// rounds comparisons needs another round: not when they never differed
// (the same at once), not once the difference recurred enough (a
// finding), and not when the rounds left cannot make it recur enough.
func compareAgain(differed, rounds int) bool {
	switch {
	case differed == 0, differed >= enumerationNeeded, rounds >= enumerationRounds:
		return false
	}
	return differed+(enumerationRounds-rounds) >= enumerationNeeded
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// unmailedMember returns the email of the first of names that is a
// configured member, or fallback when none is.
func unmailedMember(env *check.Env, fallback string, names ...string) string {
	for _, n := range names {
		if c, ok := env.Sessions.Account(n); ok && c.Email != "" {
			return c.Email
		}
	}
	return fallback
}

// enumerationFlows lists the probes: a wrong-password login, a signup and
// a reset request, each for a given email.
func enumerationFlows(env *check.Env, fresh string) []enumFlow {
	a := env.Config.Auth
	flows := []enumFlow{{"login", func(ctx context.Context, email string, _ bool) (*client.Response, error) {
		// The check's only wrong passwords: each is taken from the scan's
		// one budget first.
		if err := env.WrongPasswords.Take(email); err != nil {
			return nil, err
		}
		return journey.SubmitLogin(ctx, env, email, journey.StrongPassword())
	}, fresh}}
	if a.Reset != nil && !a.Reset.None {
		flows = append(flows, enumFlow{"reset", func(ctx context.Context, email string, _ bool) (*client.Response, error) {
			return journey.SubmitReset(ctx, env, email)
		}, unmailedMember(env, fresh, "a", "b")})
	}
	flows = append(flows, enumFlow{"signup", func(ctx context.Context, email string, unknown bool) (*client.Response, error) {
		acct := journey.NewAccount{Email: email, Password: journey.StrongPassword(), Tag: journey.TagOf(email)}
		since := time.Now().Add(-time.Second)
		if !unknown {
			// The member's address: no verification mail is asked for.
			resp, _, err := journey.SubmitSignup(ctx, env, acct, false)
			return resp, err
		}
		// The unknown email becomes a real account: journal it and
		// register it for clean-up before the request.
		// One name per round's account: a name used twice would leave
		// the clean-up only the last of them to delete.
		cr, err := env.CreateAccount(journey.FreshName+"-enum-"+acct.Tag, client.Credentials{Email: email, Password: acct.Password, Tag: acct.Tag})
		if err != nil {
			return nil, err
		}
		// The answer compared is the signup's; the verification mail
		// asked for after it lets the account be verified and deleted.
		resp, _, err := journey.SubmitSignup(cr.Context(ctx), env, acct, true)
		if resp == nil {
			cr.Unsure(err)
			return nil, err
		}
		cr.Created(nil, nil)
		if a.Signup.Verify {
			// Verified, it can be logged in and deleted at the end; a
			// failure (no mail asked for or none came) only leaves it
			// listed.
			_ = journey.VerifyFromInbox(ctx, env, email, since)
		}
		return resp, nil
	}, unmailedMember(env, fresh, "b", "a")})
	return flows
}

// differ compares two answers by status, final path and visible text, with
// the emails themselves taken out. An error says an answer was not read
// to its end: "the same" would then be no answer.
func differ(a, b *client.Response, emailA, emailB string) (string, error) {
	if a.StatusCode != b.StatusCode {
		return fmt.Sprintf("status %d vs %d", a.StatusCode, b.StatusCode), nil
	}
	if a.URL.Path != b.URL.Path {
		return fmt.Sprintf("lands on %s vs %s", a.URL.Path, b.URL.Path), nil
	}
	sa, errA := textOf(a.Body, emailA)
	sb, errB := textOf(b.Body, emailB)
	onlyA, onlyB := minus(sa, sb), minus(sb, sa)
	if len(onlyA)+len(onlyB) == 0 {
		return "", cmp.Or(errA, errB)
	}
	return fmt.Sprintf("existing account shows %s; unknown email shows %s", quoteAll(onlyA), quoteAll(onlyB)), nil
}

func textOf(body []byte, email string) (map[string]bool, error) {
	out := map[string]bool{}
	segs, err := page.Segments(body)
	for _, s := range segs {
		out[strings.ReplaceAll(strings.ToLower(s), strings.ToLower(email), "<email>")] = true
	}
	return out, err
}

func minus(a, b map[string]bool) []string {
	var out []string
	for s := range a {
		if !b[s] {
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

func quoteAll(ss []string) string {
	if len(ss) == 0 {
		return "nothing else"
	}
	return journey.Excerpt(ss, 3)
}
