package scan

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/page"
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

// cleanup deletes the accounts the scanner created, through the portal's
// own account deletion, and returns those it could not delete.
func cleanup(ctx context.Context, env *check.Env) []string {
	var left []string
	for _, name := range env.Sessions.Created() {
		creds, _ := env.Sessions.Account(name)
		if err := deleteAccount(ctx, env, name); err != nil {
			left = append(left, fmt.Sprintf("%s (%v)", creds.Email, err))
		}
	}
	return left
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
func deleteAccount(ctx context.Context, env *check.Env, name string) error {
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
	sess, err := env.Sessions.Login(ctx, name)
	if err != nil {
		if keptErr != nil {
			return fmt.Errorf("with the session kept for it: %w; and cannot log in again: %w", keptErr, err)
		}
		return fmt.Errorf("cannot log in to delete it: %w", err)
	}
	return deleteWith(ctx, env, name, sess)
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

// requestDeletion sends the configured delete request as sess, with the
// hidden fields of the delete form the login landed on.
func requestDeletion(ctx context.Context, env *check.Env, sess *client.Session) error {
	su := env.Config.Auth.Signup
	origin := env.Sessions.Config().Origin
	u := origin.ResolveReference(&url.URL{Path: su.Delete.Path}).String()
	vals := url.Values{}
	if p := sess.Login.Verified; p != nil {
		for _, f := range page.Forms(p.Body, p.URL) {
			if fu, err := url.Parse(f.Action); err == nil && fu.Path == su.Delete.Path {
				for _, fl := range f.Fields {
					vals.Set(fl.Name, fl.Value)
				}
			}
		}
	}
	resp, err := sess.Do(ctx, &client.Request{
		Method: su.Delete.Method, URL: u, Follow: true, Body: []byte(vals.Encode()),
		Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
	})
	if err != nil {
		return err
	}
	if resp.StatusCode >= 400 {
		return fmt.Errorf("%s %s answered %d", su.Delete.Method, su.Delete.Path, resp.StatusCode)
	}
	return nil
}

// budget sums the side effects of the intrusive checks about to run and
// names the checks that send wrong passwords (one budget, one owner).
func budget(checks []check.Check) (b check.Budget, n int, wrongPW []string) {
	shared := map[string]bool{}
	for _, c := range checks {
		// Intrusive checks, and others that have side effects only with
		// consent (canary objects).
		m := c.Meta()
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
