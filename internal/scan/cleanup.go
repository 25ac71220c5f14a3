package scan

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/checks/journey"
	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/config"
)

// cleanupLogins is the clean-up's first half, run before the checks that
// send wrong passwords: it logs every account the scanner has created so
// far in afresh and keeps the session its deletion will use, so a lockout
// those checks provoke cannot stop the clean-up. A failed login leaves
// the session kept before, if any; the clean-up logs in again at the end
// where none is kept, as for accounts created later.
func cleanupLogins(ctx context.Context, env *check.Env) {
	if deletable(env) != nil {
		return
	}
	for _, name := range env.Sessions.Created() {
		if sess, err := env.Sessions.Login(ctx, name); err == nil {
			env.Sessions.Keep(name, sess)
		}
	}
}

// verifyWait bounds the clean-up's look in the inbox for the
// verification mail of an account that cannot log in: a run interrupted
// between signup and verification leaves one. The mail was sent when the
// account was made, so it is there at once or never.
const verifyWait = 5 * time.Second

// cleanUp is the end of every scan, interrupted or not: on a context of
// its own (the run's may be canceled by Ctrl-C) bounded by
// target.timeouts.cleanup and ended early by abort (a second Ctrl-C), it
// stops new creates, waits for those in flight, deletes every object and
// account the scan created, marks each in the journal, and removes the
// journal when nothing is left; else it keeps it and says how to finish.
// It returns what was left behind.
func cleanUp(ctx context.Context, env *check.Env, since time.Time, abort context.Context, notice func(string)) []string {
	timeout := env.Config.Target.Timeouts.Cleanup
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	if abort != nil {
		defer context.AfterFunc(abort, cancel)()
	}
	if ctx.Err() != nil {
		notice("interrupted: the checks were stopped")
	}
	env.StopCreating(cctx)
	accounts, objects := len(env.Sessions.Created()), env.Objects()
	if accounts+objects > 0 {
		notice(fmt.Sprintf("cleaning up %s and %s (at most %s; Ctrl-C again to abort)",
			plural(accounts, "account"), plural(objects, "object"), seconds(timeout)))
	}
	left := env.RunDeferred(cctx)
	for _, l := range left {
		notice("object left behind: " + l)
	}
	removed, accts := cleanup(cctx, env, since)
	for _, name := range removed {
		env.AccountRemoved(name)
	}
	for _, l := range accts {
		notice("account left behind: " + l)
	}
	left = append(left, accts...)
	if abort != nil && abort.Err() != nil {
		notice(fmt.Sprintf("clean-up aborted by a second Ctrl-C: %s left behind", plural(len(left), "thing")))
	}
	closeJournal(env, len(left), notice)
	return left
}

// closeJournal removes the journal after a clean finish (nothing left,
// every mark written), else keeps it and says how to finish the job.
func closeJournal(env *check.Env, left int, notice func(string)) {
	j := env.Journal
	if j == nil {
		return
	}
	errs := env.JournalErrors()
	for _, err := range errs {
		notice("journal: " + err.Error())
	}
	if left == 0 && len(errs) == 0 {
		if err := j.Remove(); err != nil {
			notice("journal: " + err.Error())
		}
		return
	}
	if err := j.Close(); err != nil {
		notice("journal: " + err.Error())
	}
	notice(fmt.Sprintf("the journal is kept at %s: run `launchready cleanup %s` to finish the job", j.Path(), j.Path()))
}

// seconds writes a deadline the way a person reads it: 60s, not 1m0s.
func seconds(d time.Duration) string {
	if d%time.Second == 0 {
		return fmt.Sprintf("%ds", d/time.Second)
	}
	return d.String()
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// cleanup deletes the accounts the scanner created, through the portal's
// own account deletion, and returns the names it deleted and those it
// could not delete with the reason.
func cleanup(ctx context.Context, env *check.Env, since time.Time) (removed, left []string) {
	for _, name := range env.Sessions.Created() {
		creds, _ := env.Sessions.Account(name)
		if err := deleteAccount(ctx, env, name, since); err != nil {
			left = append(left, fmt.Sprintf("%s (%v)", creds.Email, err))
			continue
		}
		removed = append(removed, name)
	}
	return removed, left
}

// deletable says why accounts cannot be deleted, or nil.
func deletable(env *check.Env) error {
	if su := env.Config.Auth.Signup; su == nil || su.Delete == nil || su.Delete.None {
		return fmt.Errorf("no auth.signup.delete configured: delete it by hand")
	}
	return nil
}

// deleteAccount deletes one account with the session kept for it, else
// (none kept, or the portal ended it: the deletion did not take) with a
// new login, and proves it gone by a login that must fail.
func deleteAccount(ctx context.Context, env *check.Env, name string, since time.Time) error {
	if err := deletable(env); err != nil {
		return err
	}
	var keptErr error
	if kept := env.Sessions.Kept(name); kept != nil {
		if keptErr = requestDeletion(ctx, env, kept); keptErr == nil {
			sess, err := env.Sessions.Login(ctx, name)
			if err != nil {
				return nil // gone
			}
			return deleteWith(ctx, env, name, sess)
		}
	}
	sess, err := loginToDelete(ctx, env, name, since)
	if err != nil {
		if keptErr != nil {
			return fmt.Errorf("with the session kept for it: %w; and cannot log in again: %w", keptErr, err)
		}
		return fmt.Errorf("cannot log in to delete it: %w", err)
	}
	return deleteWith(ctx, env, name, sess)
}

// loginToDelete logs a created account in; when the portal wants its
// email verified and the login fails, it follows the verification mail
// first (a run interrupted between signup and verification) and tries
// again.
func loginToDelete(ctx context.Context, env *check.Env, name string, since time.Time) (*client.Session, error) {
	sess, err := env.Sessions.Login(ctx, name)
	if err == nil || env.Config.Auth.Signup == nil || !env.Config.Auth.Signup.Verify || env.Sessions.Mailbox() == nil {
		return sess, err
	}
	creds, _ := env.Sessions.Account(name)
	// A run stopped between the signup and its request for the mail
	// left an account no mail will verify: ask (a refusal ends nothing:
	// the mail may be there already).
	_ = journey.AskVerification(ctx, env, creds.Email)
	// A failed verification does not end it: a journey still running
	// may have followed the single-use link first.
	_ = journey.VerifyFromInboxWithin(ctx, env, creds.Email, since, min(verifyWait, env.Config.Auth.Inbox.Wait))
	if sess, err2 := env.Sessions.Login(ctx, name); err2 == nil {
		return sess, nil
	}
	return nil, err
}

// deleteWith deletes the account with sess, then checks it can no longer
// log in.
func deleteWith(ctx context.Context, env *check.Env, name string, sess *client.Session) error {
	if err := requestDeletion(ctx, env, sess); err != nil {
		return err
	}
	if _, err := env.Sessions.Login(ctx, name); err == nil {
		su := env.Config.Auth.Signup.Delete
		return fmt.Errorf("it can still log in after %s %s", su.Method, su.Path)
	}
	return nil
}

// requestDeletion sends the configured delete request as sess: a JSON
// body as the page's script sends it, or the hidden fields of the delete
// form on the member's pages (the landing page, the protected pages, or
// the delete path's own page) with the configured fields over them. The
// member's placeholders in it ({{self.id}}) are its own.
func requestDeletion(ctx context.Context, env *check.Env, sess *client.Session) error {
	su := env.Config.Auth.Signup
	u, err := sess.FillPath(ctx, journey.URL(env, su.Delete.Path))
	if err != nil {
		return err
	}
	var landed *client.Response
	if su.Delete.JSON == nil {
		landed = journey.PageWithForm(ctx, env, sess, u)
	}
	req, err := deletionRequest(su.Delete, u, landed)
	if err != nil {
		return err
	}
	resp, err := sess.Do(ctx, req)
	if err != nil {
		return err
	}
	if resp.StatusCode >= 400 {
		return fmt.Errorf("%s %s answered %d", su.Delete.Method, su.Delete.Path, resp.StatusCode)
	}
	return nil
}

// deletionRequest builds auth.signup.delete's request to u, from the page
// the member landed on (nil: the portal's front page).
func deletionRequest(d *config.Delete, u string, landed *client.Response) (*client.Request, error) {
	if d.JSON != nil {
		return client.Call{URL: u, Method: d.Method, JSON: d.JSON}.Request()
	}
	req := client.PageAction(landed, d.Method, u)
	if d.Form == nil {
		return req, nil
	}
	values, err := url.ParseQuery(string(req.Body))
	if err != nil {
		values = url.Values{}
	}
	for k, v := range d.Form {
		values.Set(k, v)
	}
	req.Body = []byte(values.Encode())
	req.Header = http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	return req, nil
}

// budget sums the side effects of the intrusive checks about to run and
// names the checks that send wrong passwords (one budget, one owner). A
// check the config cannot run (a key it needs is missing or declared
// absent) does nothing and counts not; a check whose side effects depend
// on the config counts what this one lets it do.
func budget(checks []check.Check, cfg *config.Config) (b check.Budget, n int, wrongPW []string) {
	shared := map[string]bool{}
	for _, c := range checks {
		// Intrusive checks, and others that have side effects only with
		// consent (canary objects).
		m := c.Meta()
		if !runnable(m, cfg) {
			continue
		}
		if bf, ok := c.(check.Budgeter); ok {
			m.Budget = bf.BudgetFor(cfg)
			if effects := (check.Budget{Accounts: m.Budget.Accounts, Mails: m.Budget.Mails, WrongPasswords: m.Budget.WrongPasswords,
				Objects: m.Budget.Objects}); effects == (check.Budget{}) {
				continue // nothing this config lets it do
			}
		}
		if !m.Intrusive && m.Budget == (check.Budget{}) {
			continue
		}
		n++
		if k := m.Budget.Shared; k != "" {
			if shared[k] {
				continue
			}
			shared[k] = true
		}
		b = b.Add(m.Budget)
		if m.Budget.WrongPasswords > 0 {
			wrongPW = append(wrongPW, m.ID)
		}
	}
	return b, n, wrongPW
}

// runnable says whether the config gives everything the check needs.
func runnable(m check.Meta, cfg *config.Config) bool {
	for _, k := range m.Needs {
		if st, _ := cfg.Need(k); st != config.NeedPresent {
			return false
		}
	}
	return true
}
